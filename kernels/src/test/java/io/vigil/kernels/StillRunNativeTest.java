package io.vigil.kernels;

/** The still-run contract with libvigilpixels' C pass running the block test. */
class StillRunNativeTest extends StillRunContract {
    StillRunNativeTest() {
        super(NativePasses::backend);
    }
}
