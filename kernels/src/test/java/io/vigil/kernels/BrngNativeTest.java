package io.vigil.kernels;

/** The Brng contract on libvigilpixels' C pass ({@link BroadcastRange} with the library loaded). */
class BrngNativeTest extends BrngContract {
    BrngNativeTest() {
        super(NativePasses::backend);
    }
}
