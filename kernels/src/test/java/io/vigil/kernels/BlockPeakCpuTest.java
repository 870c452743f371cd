package io.vigil.kernels;

/** The block-peak contract on the CPU reference classes. */
class BlockPeakCpuTest extends BlockPeakContract {
    BlockPeakCpuTest() {
        super(CpuBackend::new);
    }
}
