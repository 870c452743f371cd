package io.vigil.kernels;

/** The FrameDifference contract on the CPU reference classes. */
class FrameDifferenceCpuTest extends FrameDifferenceContract {
    @Override
    protected StatisticsBackend openBackend() {
        return new CpuBackend();
    }
}
