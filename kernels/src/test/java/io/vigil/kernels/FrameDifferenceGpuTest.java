package io.vigil.kernels;

/**
 * The FrameDifference contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class FrameDifferenceGpuTest extends FrameDifferenceContract {
    FrameDifferenceGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
