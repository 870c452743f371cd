package io.vigil.kernels;

/** The blockiness contract on the CPU reference class ({@link Blockiness}). */
class BlockinessCpuTest extends BlockinessContract {
    @Override
    protected StatisticsBackend openBackend() {
        return new CpuBackend();
    }
}
