package io.vigil.kernels;

/** The Blockiness contract on libvigilpixels' C pass ({@link Blockiness} with the library loaded). */
class BlockinessNativeTest extends BlockinessContract {
    BlockinessNativeTest() {
        super(NativePasses::backend);
    }
}
