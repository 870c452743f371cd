package io.vigil.kernels;

/**
 * The BRNG contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class BrngGpuTest extends BrngContract {
    BrngGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
