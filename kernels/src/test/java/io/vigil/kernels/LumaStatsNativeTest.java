package io.vigil.kernels;

/** The LumaStats contract on libvigilpixels' C pass ({@link LumaStats} with the library loaded). */
class LumaStatsNativeTest extends LumaStatsContract {
    LumaStatsNativeTest() {
        super(NativePasses::backend);
    }
}
