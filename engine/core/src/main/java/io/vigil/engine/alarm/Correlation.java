package io.vigil.engine.alarm;

import java.util.Locale;
import java.util.Map;

/**
 * How one stream's alarms explain each other, so that one failure raises one alarm: a black picture is also a
 * still one, so freeze stays quiet while black holds, and so are test bars and a still slate (colorbars); black and silence together are one {@code signal_loss}
 * (critical). When black or silence has held for its raise delay while the other's condition has begun but not yet
 * held as long, it waits (at most the other's raise delay) to be raised together with it.
 */
final class Correlation {
    static final String BLACK = "black";
    static final String FREEZE = "freeze";
    static final String SILENCE = "silence";
    static final String SIGNAL_LOSS = "signal_loss";
    static final String COLORBARS = "colorbars";

    private final AlarmTracker tracker;
    private Alarm black;
    private Alarm freeze;
    private Alarm silence;
    private Alarm signalLoss;
    private Alarm colorBars;
    private boolean finishing;

    Correlation(AlarmTracker tracker) {
        this.tracker = tracker;
    }

    /** Notes the alarms that take part in correlation (those of the whole picture and all channels). */
    void registered(Alarm alarm) {
        if (alarm.channel() != null) {
            return;
        }
        switch (alarm.detector()) {
            case BLACK -> black = alarm;
            case FREEZE -> freeze = alarm;
            case SILENCE -> silence = alarm;
            case COLORBARS -> colorBars = alarm;
            default -> {
            }
        }
    }

    /** Raises black and silence together as one signal_loss alarm of {@code severity}. */
    void enableSignalLoss(Severity severity) {
        if (black == null || silence == null) {
            return;
        }
        signalLoss = new Alarm(tracker, SIGNAL_LOSS, null, severity, 0, 0, new AlarmSubject() {
            @Override
            public String summary(double heldSeconds) {
                return String.format(Locale.ROOT, "picture black and audio silent for %.1f s", heldSeconds);
            }

            @Override
            public void metrics(Map<String, Double> out) {
                black.subject().metrics(out);
                silence.subject().metrics(out);
            }
        });
    }

    /** {@code alarm}'s condition has held for its raise delay, until {@code untilSeconds}: raise, wait or fold it. */
    void decide(Alarm alarm, double untilSeconds) {
        if (alarm == freeze) {
            // A still picture explained by black, bars or a slate: suppressed, naming the explanation as its cause.
            Alarm explained = black != null && black.conditionActive() ? black
                    : colorBars != null && colorBars.conditionActive() ? colorBars : null;
            if (explained != null) {
                alarm.suppress();
                alarm.cause(tracker.dedupKey(explained));
                return;
            }
        }
        if (signalLoss != null && (alarm == black || alarm == silence)) {
            Alarm partner = alarm == black ? silence : black;
            switch (partner.state()) {
                case DEFERRED, FIRING -> {
                    raiseSignalLoss(alarm, partner, untilSeconds);
                    return;
                }
                case HOLDING -> {
                    alarm.defer();
                    return;
                }
                default -> {
                }
            }
        }
        alarm.fire(untilSeconds - alarm.since());
    }

    private void raiseSignalLoss(Alarm alarm, Alarm partner, double untilSeconds) {
        double since = Math.max(alarm.since(), partner.since());
        alarm.merge();
        if (partner.state() == Alarm.State.DEFERRED) {
            partner.merge();
        }
        // A partner already firing alone stays raised; the new condition is folded into signal_loss.
        signalLoss.since(since);
        signalLoss.fire(untilSeconds - since);
    }

    /**
     * A part of signal_loss ended at {@code atSeconds}: signal_loss resolves; the other part, if its condition goes
     * on for its own raise delay, is raised alone, naming signal_loss as its cause.
     */
    void partEnded(Alarm part, double atSeconds) {
        if (signalLoss == null || !signalLoss.firing()) {
            return;
        }
        signalLoss.clear(atSeconds);
        signalLoss.advance(Double.POSITIVE_INFINITY);
        Alarm other = part == black ? silence : black;
        if (other.state() == Alarm.State.MERGED) {
            if (finishing) {
                other.finish(atSeconds);
                return;
            }
            other.cause(tracker.dedupKey(signalLoss));
            other.unmerge(atSeconds);
        }
    }

    /** The input is ending: combined alarms resolve, and no part is raised alone any more. */
    void finishing() {
        finishing = true;
    }
}
