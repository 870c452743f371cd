package io.vigil.kernels;

/** The colorbars contract on libvigilpixels' C passes ({@link ColorBars} with the library loaded). */
class ColorBarsNativeTest extends ColorBarsContract {
    ColorBarsNativeTest() {
        super(NativePasses::backend);
    }
}
