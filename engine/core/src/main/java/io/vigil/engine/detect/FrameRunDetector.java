package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.kernels.FrameStats;

/**
 * A video detector whose condition is judged frame by frame: it runs from the first frame where it holds to the
 * first where it does not, and the alarm applies the raise and clear delays to that run.
 */
abstract class FrameRunDetector extends AlarmingDetector {
    private double since = Double.NaN;

    FrameRunDetector(String name, DetectorSettings settings, AlarmTracker tracker) {
        super(name, settings, tracker);
    }

    /** Whether the frame carries the statistic this detector judges (frames without it leave the run as it is). */
    protected boolean judged(FrameStats s) {
        return true;
    }

    /** Whether the condition holds on this frame. */
    protected abstract boolean holds(FrameStats s);

    /** When a run that begins at {@code s} began: the frame itself, unless the condition is known to be older. */
    protected double runStartSeconds(FrameStats s) {
        return s.ptsSeconds;
    }

    /** Until when the run is known to hold, {@code s} belonging to it: to the frame's end unless told otherwise. */
    protected double heldUntilSeconds(FrameStats s) {
        return s.endSeconds();
    }

    /** Where a run ended that {@code s} (the first frame outside it) ends: the frame itself unless told otherwise. */
    protected double runEndSeconds(FrameStats s) {
        return s.ptsSeconds;
    }

    /** A run begins at {@code s}: reset the run's own figures. */
    protected abstract void startRun(FrameStats s);

    /** {@code s} belongs to the current run: fold it into the run's figures. */
    protected abstract void track(FrameStats s);

    @Override
    public final void onVideo(FrameStats s) {
        if (!judged(s)) {
            return;
        }
        if (holds(s)) {
            if (Double.isNaN(since)) {
                since = runStartSeconds(s);
                startRun(s);
            }
            track(s);
            alarm.hold(since, heldUntilSeconds(s));
        } else if (!Double.isNaN(since)) {
            since = Double.NaN;
            alarm.clear(runEndSeconds(s));
        }
    }

    @Override
    public double conditionSinceSeconds() {
        return since;
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }
}
