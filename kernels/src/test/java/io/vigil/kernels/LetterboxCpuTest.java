package io.vigil.kernels;

/** The letterbox contract on the CPU reference class ({@link Letterbox}). */
class LetterboxCpuTest extends LetterboxContract {
    LetterboxCpuTest() {
        super(CpuBackend::new);
    }
}
