package io.vigil.kernels;

/** The LumaStats contract on the CPU reference classes. */
class LumaStatsCpuTest extends LumaStatsContract {
    LumaStatsCpuTest() {
        super(CpuBackend::new);
    }
}
