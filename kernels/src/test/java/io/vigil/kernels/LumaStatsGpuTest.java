package io.vigil.kernels;

/**
 * The LumaStats contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class LumaStatsGpuTest extends LumaStatsContract {
    LumaStatsGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
