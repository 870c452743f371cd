package io.vigil.kernels;

/** The blur contract on the CPU reference class ({@link Blur}). */
class BlurCpuTest extends BlurContract {
    BlurCpuTest() {
        super(CpuBackend::new);
    }
}
