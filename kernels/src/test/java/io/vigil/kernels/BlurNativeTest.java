package io.vigil.kernels;

/** The blur contract on libvigilpixels' C pass ({@link Blur} with the library loaded). */
class BlurNativeTest extends BlurContract {
    BlurNativeTest() {
        super(NativePasses::backend);
    }
}
