package io.vigil.kernels;

/** The BRNG contract on the CPU reference class ({@link BroadcastRange}). */
class BrngCpuTest extends BrngContract {
    BrngCpuTest() {
        super(CpuBackend::new);
    }
}
