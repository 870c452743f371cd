package io.vigil.kernels;

import io.vigil.ffi.VigilPixels;

/**
 * Which code runs a statistic's per-plane loops on the CPU, chosen by whoever builds the statistic (a statistics
 * provider), never by a static switch inside it: the Java loops, the reference that always runs, or libvigilpixels'
 * C passes, which give exactly the same integers faster where the library loads.
 */
public enum Loops {
    /** The Java loops in each statistic's class: the reference, always there. */
    JAVA,
    /** libvigilpixels' C passes ({@link VigilPixels}); only where {@link VigilPixels#loaded()}. */
    C;

    /** {@code loops}, after checking that it can run here; throws {@link IllegalStateException} when it cannot. */
    static Loops require(Loops loops) {
        if (loops == C && !VigilPixels.loaded()) {
            throw new IllegalStateException("the C loops cannot run: " + VigilPixels.unavailableReason().orElseThrow());
        }
        return java.util.Objects.requireNonNull(loops, "loops");
    }
}
