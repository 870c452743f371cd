package io.vigil.kernels;

/**
 * The blur contract on the CUDA path with the stand-in driver: CudaStats, its descriptors and launches, and the
 * kernels' own per-thread code run on the CPU. Skipped without a C compiler. Checks after that nothing leaked.
 */
class BlurEmulatedGpuTest extends BlurContract {
    private final EmulatedGpu gpu = new EmulatedGpu();

    @Override
    protected StatisticsBackend openBackend() {
        return gpu.open();
    }

    @Override
    protected void closeBackend(StatisticsBackend backend) {
        super.closeBackend(backend);
        gpu.assertCleanAfterClose();
    }
}
