package io.vigil.engine.pipeline;

/**
 * One media timeline across a live source's reopenings (the decoding thread's): each reopened input's timestamps
 * are moved to continue where the last one ended plus the wall-clock time it was down, so that a gap lasts as long
 * in media time as it did on the wall clock. A first input keeps its own timestamps.
 */
final class Timeline {
    private double offsetSeconds;
    private double endSeconds;
    /** The wall clock at media time 0 at the source's best pace: least (arrival - media time) seen. */
    private long wallOriginNanos = Long.MAX_VALUE;
    private boolean anyFrame;

    /**
     * The first frame of an input, with its own timestamp, arrived at {@code nowNanos}: returns the offset that
     * places it (and the rest of that input) on the timeline. A reopened source's first frame goes where the wall
     * clock says, at the pace the source kept at its best, never before what was already seen.
     */
    double inputStarted(double ptsSeconds, long nowNanos) {
        if (anyFrame) {
            double at = Math.max(endSeconds, (nowNanos - wallOriginNanos) / 1e9);
            offsetSeconds = at - ptsSeconds;
        }
        return offsetSeconds;
    }

    /** A frame or audio block of the current input, ending at {@code inputEndSeconds} of its own time, arrived. */
    void reached(double inputEndSeconds, long nowNanos) {
        anyFrame = true;
        wallOriginNanos = Math.min(wallOriginNanos, nowNanos - Math.round((inputEndSeconds + offsetSeconds) * 1e9));
        endSeconds = Math.max(endSeconds, inputEndSeconds + offsetSeconds);
    }

    /** The end of the last frame or audio block on the timeline, seconds. */
    double endSeconds() {
        return endSeconds;
    }
}
