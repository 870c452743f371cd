package io.vigil.kernels;

/** The blockiness contract on the CPU reference class ({@link Blockiness}). */
class BlockinessCpuTest extends BlockinessContract {
    BlockinessCpuTest() {
        super(CpuBackend::new);
    }
}
