package io.vigil.kernels;

/**
 * The blockiness contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class BlockinessGpuTest extends BlockinessContract {
    BlockinessGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
