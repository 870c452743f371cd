package io.vigil.kernels;

/**
 * The letterbox contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class LetterboxGpuTest extends LetterboxContract {
    @Override
    protected StatisticsBackend openBackend() {
        return new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0);
    }
}
