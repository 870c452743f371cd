package io.vigil.kernels;

import io.vigil.ffi.VigilPixels;
import org.junit.jupiter.api.Assumptions;

/** The native passes' backend for the contract tests: skipped when the build made no library, failed when it did
 * and the library does not load. */
final class NativePasses {
    private NativePasses() {
    }

    static StatisticsBackend backend() {
        boolean built = VigilPixels.class.getResource("/io/vigil/ffi/linux-x86_64/libvigilpixels.so") != null;
        Assumptions.assumeTrue(built, "this build has no libvigilpixels (no C compiler)");
        if (!VigilPixels.loaded()) {
            throw new AssertionError("libvigilpixels was built but does not load: "
                    + VigilPixels.unavailableReason().orElseThrow());
        }
        return new CpuBackend(Loops.C);
    }
}
