package io.vigil.engine.detect;

import io.vigil.engine.alarm.Alarm;

/**
 * A condition decided on sliding windows of {@link AudioBins} and placed on the bins' finer grid: it begins at the
 * start of the earliest bin of the unbroken run of bad bins that ends at the newest bin when a window first turns
 * bad, holds until the end of the newest bad bin, and ends at the start of the first clean bin after the last bad
 * one when a window turns clean again. The window gives a robust decision, the bins a start and end to about one
 * bin; a window that turns bad with no bad bin at its end begins at the window's middle.
 */
final class BinnedCondition {
    /** How a detector judges one bin of one channel, and what it keeps of the bins that join a run. */
    interface Judge {
        boolean bad(int age, int channel);

        /** A new run of the condition begins (its bins follow through {@link #joined}). */
        void started(int channel);

        /** Bin {@code age} is part of the condition's run (called once per bin, oldest first). */
        void joined(int age, int channel);
    }

    private final int channel;
    private double since = Double.NaN;
    private double until;

    BinnedCondition(int channel) {
        this.channel = channel;
    }

    boolean active() {
        return !Double.isNaN(since);
    }

    double sinceSeconds() {
        return since;
    }

    /** A bin has closed and the window of the newest {@code windowBins} bins is {@code windowBad} or not. */
    void update(boolean windowBad, int windowBins, AudioBins bins, Judge judge, Alarm alarm) {
        if (windowBad) {
            if (!active()) {
                judge.started(channel);
                int earliest = -1;
                while (earliest + 1 < bins.complete() && judge.bad(earliest + 1, channel)) {
                    earliest++;
                }
                if (earliest >= 0) {
                    since = bins.startSeconds(earliest);
                    until = bins.endSeconds(0);
                    for (int age = earliest; age >= 0; age--) {
                        judge.joined(age, channel);
                    }
                } else {
                    since = (bins.startSeconds(windowBins - 1) + bins.endSeconds(0)) / 2;
                    until = since;
                }
            } else if (judge.bad(0, channel)) {
                until = bins.endSeconds(0);
                judge.joined(0, channel);
            }
            alarm.hold(since, until);
        } else if (active()) {
            int clean = 0;
            while (clean < bins.complete() && !judge.bad(clean, channel) && bins.startSeconds(clean) > since) {
                clean++;
            }
            double end = clean == 0 ? bins.endSeconds(0) : bins.startSeconds(clean - 1);
            since = Double.NaN;
            alarm.clear(end);
        }
    }

    /** The bins started over (the audio jumped, or ended): a condition still held ends where it was last seen. */
    void interrupt(Alarm alarm) {
        if (active()) {
            since = Double.NaN;
            alarm.clear(until);
        }
    }
}
