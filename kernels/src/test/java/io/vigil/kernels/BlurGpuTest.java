package io.vigil.kernels;

/** The blur contract on a real GPU, device 0: skipped without one, failed without one under -Dvigil.gpu=required. */
class BlurGpuTest extends BlurContract {
    BlurGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
