package io.vigil.kernels;

/**
 * The letterbox contract on a real GPU, device 0: skipped without one, failed without one under
 * -Dvigil.gpu=required.
 */
class LetterboxGpuTest extends LetterboxContract {
    LetterboxGpuTest() {
        super(() -> new GpuBackend("gpu", GpuAvailability.driverOrSkip(), 0));
    }
}
