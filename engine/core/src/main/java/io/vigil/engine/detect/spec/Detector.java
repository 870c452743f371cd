package io.vigil.engine.detect.spec;

import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;

/**
 * Decides from statistics whether its defect is present, and tells its alarm. One instance per stream, made by its
 * {@link DetectorSpec}'s factory; what it reads, its parameters and its alarm defaults are declared there.
 */
public interface Detector {
    /** The contract's detector name. */
    String name();

    /**
     * Media time at which this detector's condition began, as of the last frame it saw; NaN when it does not hold
     * (or the detector does not say). Lets the thumbnail keeper hold the frame where a picture defect began.
     */
    default double conditionSinceSeconds() {
        return Double.NaN;
    }

    /**
     * An input begins, before its first frame or block: the first input, or a source reopened after it dropped (on
     * one timeline with what came before, see the pipeline's {@code Timeline}, but not a continuation of it).
     */
    default void onInputStart() {
    }

    default void onVideo(FrameStats stats) {
    }

    default void onAudio(AudioStats stats) {
    }

    /**
     * No frame has arrived for a while; {@code nowNanos} is the stream clock's
     * ({@link io.vigil.engine.alarm.AlarmTracker#clock()}) {@code nanoTime()}. Called on the same thread
     * as {@link #onVideo} and {@link #onAudio}, for detectors that watch the wall clock (stall).
     */
    default void onIdle(long nowNanos) {
    }

    /** The input ended; {@code lastVideoSeconds} is the last frame's time, {@code audioEndSeconds} the audio's end. */
    void finish(double lastVideoSeconds, double audioEndSeconds);
}
