package io.vigil.kernels;

/** The still-run contract on the CPU reference classes. */
class StillRunCpuTest extends StillRunContract {
    StillRunCpuTest() {
        super(CpuBackend::new);
    }
}
