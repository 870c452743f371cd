package io.vigil.kernels;

/** The blur contract on libvigilpixels' C pass ({@link Blur} with the library loaded). */
class BlurNativeTest extends BlurContract {
    @Override
    protected StatisticsBackend openBackend() {
        return NativePasses.backend();
    }
}
