package io.vigil.engine.alarm;

/**
 * One alarm of one stream, detector and channel, and its lifecycle. A detector reports only facts: the condition
 * has held from {@code since} until {@code until} ({@link #hold}), or it cleared at a time ({@link #clear}); the
 * raise and clear delays are applied here, the same way for every detector.
 */
public final class Alarm {
    /** Media times are compared to the microsecond: 29.97 fps frame ends do not add up exactly. */
    private static final double EPSILON_SECONDS = 1e-6;

    private final AlarmTracker tracker;
    private final String detector;
    private final Integer channel;
    private final Severity severity;
    private final double raiseDelaySeconds;
    private final double clearDelaySeconds;
    private final AlarmSubject subject;

    private boolean firing;
    private double since = Double.NaN;
    private double clearedAt = Double.NaN;
    /** The wall clock of {@link #since} as the firing event gave it: the resolved event repeats it. */
    private String wallStart;

    Alarm(AlarmTracker tracker, String detector, Integer channel, Severity severity, double raiseDelaySeconds,
          double clearDelaySeconds, AlarmSubject subject) {
        this.tracker = tracker;
        this.detector = detector;
        this.channel = channel;
        this.severity = severity;
        this.raiseDelaySeconds = raiseDelaySeconds;
        this.clearDelaySeconds = clearDelaySeconds;
        this.subject = subject;
    }

    /** The condition has held from {@code sinceSeconds} through {@code untilSeconds}. */
    public void hold(double sinceSeconds, double untilSeconds) {
        clearedAt = Double.NaN;
        if (firing) {
            return;
        }
        since = sinceSeconds;
        if (untilSeconds - since >= raiseDelaySeconds - EPSILON_SECONDS) {
            firing = true;
            tracker.fire(this, untilSeconds - since);
        }
    }

    /** The condition stopped at {@code atSeconds}. */
    public void clear(double atSeconds) {
        if (!firing) {
            since = Double.NaN;
            return;
        }
        if (Double.isNaN(clearedAt)) {
            clearedAt = atSeconds;
        }
        advance(atSeconds);
    }

    /** Media time has reached {@code nowSeconds}: resolves an alarm whose condition has stayed clear long enough. */
    public void advance(double nowSeconds) {
        if (firing && !Double.isNaN(clearedAt) && nowSeconds - clearedAt >= clearDelaySeconds - EPSILON_SECONDS) {
            resolve(clearedAt);
        }
    }

    /** The input ended at {@code atSeconds}: an alarm still firing resolves there. */
    public void finish(double atSeconds) {
        if (firing) {
            resolve(Double.isNaN(clearedAt) ? atSeconds : clearedAt);
        }
        since = Double.NaN;
    }

    public boolean firing() {
        return firing;
    }

    private void resolve(double endSeconds) {
        firing = false;
        tracker.resolve(this, endSeconds);
        since = Double.NaN;
        clearedAt = Double.NaN;
    }

    String detector() {
        return detector;
    }

    String wallStart() {
        return wallStart;
    }

    void wallStart(String wall) {
        wallStart = wall;
    }

    Integer channel() {
        return channel;
    }

    Severity severity() {
        return severity;
    }

    double since() {
        return since;
    }

    AlarmSubject subject() {
        return subject;
    }
}
