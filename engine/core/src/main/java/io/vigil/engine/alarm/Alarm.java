package io.vigil.engine.alarm;

import java.time.Instant;

/**
 * One alarm of one stream, detector and channel, and its lifecycle. A detector reports only facts: the condition
 * has held from {@code since} until {@code until} ({@link #hold}), or it cleared at a time ({@link #clear}); the
 * raise and clear delays are applied here, the same way for every detector, and {@link Correlation} decides whether
 * a condition that has held long enough fires alone, waits for a partner, or is part of another alarm.
 */
public final class Alarm {
    /** Media times are compared to the microsecond: 29.97 fps frame ends do not add up exactly. */
    private static final double EPSILON_SECONDS = 1e-6;

    /** Where the alarm's condition stands. */
    enum State {
        /** No condition. */
        IDLE,
        /** The condition holds, not yet for the raise delay. */
        HOLDING,
        /** Held for the raise delay, waiting a moment for a partner condition to decide between alone and together. */
        DEFERRED,
        /** Held, but explained by another alarm (freeze during black): not raised for this run of the condition. */
        SUPPRESSED,
        /** Held, and raised as part of a combined alarm (black and silence as signal_loss). */
        MERGED,
        FIRING
    }

    private final AlarmTracker tracker;
    private final String detector;
    private final Integer channel;
    private final AlarmLabel label;
    private final Severity severity;
    private final double raiseDelaySeconds;
    private final double clearDelaySeconds;
    private final AlarmSubject subject;

    private State state = State.IDLE;
    private double since = Double.NaN;
    /**
     * The wall clock at {@link #since}: as its detector gave it, or read when the condition was first reported (live
     * inputs; else null). Read then, not when the alarm fires: the media time may have jumped meanwhile (a source
     * restarted in place), and a media time before the jump maps to no wall time after it.
     */
    private Instant wallSince;
    private double clearedAt = Double.NaN;
    /** The wall clock at {@link #clearedAt}, read when the condition cleared (live inputs; else null). */
    private Instant clearedWall;
    /** The end the resolved event reports when it resolves at {@link #clearedAt}, if its detector gave one; else NaN. */
    private double clearedEnd = Double.NaN;
    private double heldUntil = Double.NaN;
    /** After a combined alarm ended at this time, the condition must hold its raise delay past it to go alone. */
    private double soloAfter = Double.NEGATIVE_INFINITY;
    /** The wall clock of {@link #since} as the firing event gave it: the resolved event repeats it. */
    private Instant wallStart;
    /** The dedupKey of the alarm that caused this one, or null. */
    private String cause;
    /** The path of the firing event's thumbnail: the resolved event repeats it. */
    private String thumbnail;

    Alarm(AlarmTracker tracker, String detector, Integer channel, AlarmLabel label, Severity severity,
          double raiseDelaySeconds, double clearDelaySeconds, AlarmSubject subject) {
        this.tracker = tracker;
        this.detector = detector;
        this.channel = channel;
        this.label = label;
        this.severity = severity;
        this.raiseDelaySeconds = raiseDelaySeconds;
        this.clearDelaySeconds = clearDelaySeconds;
        this.subject = subject;
    }

    /** The condition has held from {@code sinceSeconds} through {@code untilSeconds}. */
    public void hold(double sinceSeconds, double untilSeconds) {
        hold(sinceSeconds, untilSeconds, null);
    }

    /**
     * As {@link #hold(double, double)}, with the wall clock at {@code sinceSeconds} when the detector knows it
     * better than the media time of the latest frame says ({@code stall} measures its own wait): a live alarm's
     * {@code wallStart}. Null: mapped from the latest frame.
     */
    public void hold(double sinceSeconds, double untilSeconds, Instant wallAtSince) {
        clearedAt = Double.NaN;
        clearedWall = null;
        clearedEnd = Double.NaN;
        heldUntil = untilSeconds;
        switch (state) {
            case FIRING, SUPPRESSED, MERGED -> {
                return;
            }
            case IDLE, HOLDING -> {
                if (state == State.IDLE || sinceSeconds != since || wallAtSince != null) {
                    wallSince = tracker.wall(sinceSeconds, wallAtSince);
                }
                since = sinceSeconds;
                state = State.HOLDING;
            }
            case DEFERRED -> {
                // re-decided below: the partner may have fired or cleared meanwhile
            }
        }
        if (untilSeconds - Math.max(since, soloAfter) >= raiseDelaySeconds - EPSILON_SECONDS) {
            tracker.correlation().decide(this, untilSeconds);
        }
    }

    /** The condition stopped at {@code atSeconds}. */
    public void clear(double atSeconds) {
        clear(atSeconds, null);
    }

    /**
     * As {@link #clear(double)}, with the wall clock at {@code atSeconds} when the detector knows it better than the
     * latest frame does (a live alarm's {@code wallEnd}, should it resolve there). Null: mapped from the latest frame.
     */
    public void clear(double atSeconds, Instant wallAt) {
        clear(atSeconds, wallAt, Double.NaN);
    }

    /**
     * As {@link #clear(double, Instant)}, the resolved event reporting {@code reportedEndSeconds} as its end (NaN:
     * {@code atSeconds}): for a detector whose condition's length is not the media time between its ends ({@code
     * stall}: a source restarted in place resumes at timestamps from before the outage; its end is where the outage's
     * wall length puts it). The clear delay still counts from {@code atSeconds}.
     */
    public void clear(double atSeconds, Instant wallAt, double reportedEndSeconds) {
        switch (state) {
            case IDLE -> {
            }
            case HOLDING, SUPPRESSED -> reset();
            case DEFERRED -> {
                // It held long enough, and its partner never joined: it is an alarm of its own after all.
                fire(atSeconds - since);
                clear(atSeconds, wallAt, reportedEndSeconds);
            }
            case MERGED -> {
                reset();
                tracker.correlation().partEnded(this, atSeconds);
            }
            case FIRING -> {
                if (Double.isNaN(clearedAt)) {
                    clearedAt = atSeconds;
                    clearedEnd = reportedEndSeconds;
                    // Read now, while the frame that cleared it is the latest: media times that jump back later
                    // would map to another wall time.
                    clearedWall = tracker.wall(atSeconds, wallAt);
                }
                advance(atSeconds);
            }
        }
    }

    /** Media time has reached {@code nowSeconds}: resolves an alarm whose condition has stayed clear long enough. */
    public void advance(double nowSeconds) {
        if (state == State.FIRING && !Double.isNaN(clearedAt)
                && nowSeconds - clearedAt >= clearDelaySeconds - EPSILON_SECONDS) {
            resolve(clearedAt);
        }
    }

    /** The input ended at {@code atSeconds}: an alarm still firing resolves there. */
    public void finish(double atSeconds) {
        switch (state) {
            case DEFERRED -> {
                fire(heldUntil - since);
                resolve(atSeconds);
            }
            case FIRING -> resolve(Double.isNaN(clearedAt) ? atSeconds : clearedAt);
            case MERGED -> tracker.correlation().partEnded(this, atSeconds);
            default -> {
            }
        }
        reset();
    }

    public boolean firing() {
        return state == State.FIRING;
    }

    /** Whether the alarm's condition is present now, fired or not. */
    boolean conditionActive() {
        return state != State.IDLE;
    }

    State state() {
        return state;
    }

    void defer() {
        state = State.DEFERRED;
    }

    void suppress() {
        state = State.SUPPRESSED;
    }

    void merge() {
        state = State.MERGED;
    }

    /**
     * Back from a combined alarm that ended at {@code endedSeconds} to a condition of its own: raised alone (its start
     * still back-dated) only if it holds for its raise delay past that end, so that two conditions ending a frame
     * apart do not leave a one-frame alarm behind.
     */
    void unmerge(double endedSeconds) {
        state = State.HOLDING;
        soloAfter = endedSeconds;
    }

    /** Raises the alarm now, its start back-dated to when the condition began. */
    void fire(double heldSeconds) {
        state = State.FIRING;
        tracker.fire(this, heldSeconds);
    }

    private void resolve(double endSeconds) {
        boolean atClear = endSeconds == clearedAt;
        tracker.resolve(this, atClear && !Double.isNaN(clearedEnd) ? clearedEnd : endSeconds,
                atClear ? clearedWall : null);
        reset();
    }

    private void reset() {
        state = State.IDLE;
        soloAfter = Double.NEGATIVE_INFINITY;
        since = Double.NaN;
        wallSince = null;
        clearedAt = Double.NaN;
        clearedWall = null;
        clearedEnd = Double.NaN;
        cause = null;
        thumbnail = null;
    }

    String detector() {
        return detector;
    }

    Instant wallStart() {
        return wallStart;
    }

    void wallStart(Instant wall) {
        wallStart = wall;
    }

    String cause() {
        return cause;
    }

    String thumbnail() {
        return thumbnail;
    }

    void thumbnail(String path) {
        thumbnail = path;
    }

    void cause(String dedupKey) {
        cause = dedupKey;
    }

    Integer channel() {
        return channel;
    }

    /** Null for an alarm told apart by its channel at most. */
    AlarmLabel label() {
        return label;
    }

    Severity severity() {
        return severity;
    }

    double since() {
        return since;
    }

    Instant wallSince() {
        return wallSince;
    }

    double heldUntil() {
        return heldUntil;
    }

    /** Where a combined alarm's condition began, and the wall clock then (null: mapped when it fires). */
    void since(double seconds, Instant wall) {
        since = seconds;
        wallSince = wall;
    }

    AlarmSubject subject() {
        return subject;
    }
}
