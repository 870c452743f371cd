package io.vigil.kernels;

/**
 * The still-run contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class StillRunGpuTest extends StillRunContract {
    StillRunGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
