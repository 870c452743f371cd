package io.vigil.kernels;

/**
 * The colorbars contract on the CUDA path with the stand-in driver: CudaStats, its descriptors and launches, and the
 * kernels' own per-thread code run on the CPU. Skipped without a C compiler. Checks after that nothing leaked.
 */
class ColorBarsEmulatedGpuTest extends ColorBarsContract {
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
