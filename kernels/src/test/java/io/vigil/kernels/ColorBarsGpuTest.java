package io.vigil.kernels;

/**
 * The colorbars contract on a real GPU, device 0: skipped without one, failed without one under -Dvigil.gpu=required.
 */
class ColorBarsGpuTest extends ColorBarsContract {
    ColorBarsGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
