package io.vigil.kernels;

/** The colorbars contract on the CPU reference class ({@link ColorBars}). */
class ColorBarsCpuTest extends ColorBarsContract {
    ColorBarsCpuTest() {
        super(CpuBackend::new);
    }
}
