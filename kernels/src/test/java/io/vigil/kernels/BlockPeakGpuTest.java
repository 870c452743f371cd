package io.vigil.kernels;

/**
 * The block-peak contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class BlockPeakGpuTest extends BlockPeakContract {
    BlockPeakGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
