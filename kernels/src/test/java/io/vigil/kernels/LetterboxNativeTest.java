package io.vigil.kernels;

/** The Letterbox contract on libvigilpixels' C pass ({@link Letterbox} with the library loaded). */
class LetterboxNativeTest extends LetterboxContract {
    LetterboxNativeTest() {
        super(NativePasses::backend);
    }
}
