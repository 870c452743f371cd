package io.vigil.kernels;

/** The block-peak contract on libvigilpixels' C pass (FrameDifference's block test with the library loaded). */
class BlockPeakNativeTest extends BlockPeakContract {
    BlockPeakNativeTest() {
        super(NativePasses::backend);
    }
}
