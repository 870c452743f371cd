package io.vigil.kernels;

/** The BRNG contract on the CPU reference class ({@link BroadcastRange}). */
class BrngCpuTest extends BrngContract {
    @Override
    protected StatisticsBackend openBackend() {
        return new CpuBackend();
    }
}
