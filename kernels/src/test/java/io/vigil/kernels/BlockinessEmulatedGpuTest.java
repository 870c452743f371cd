package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.cuda.FakeCuda;

/**
 * The blockiness contract on the CUDA path with the stand-in driver: CudaStats, its descriptors and launches, and the
 * kernels' own per-thread code run on the CPU. Skipped without a C compiler. Checks after that nothing leaked.
 */
class BlockinessEmulatedGpuTest extends BlockinessContract {
    private FakeCuda.Live before;

    @Override
    protected StatisticsBackend openBackend() {
        var driver = FakeCuda.driver();
        before = FakeCuda.live();
        return new GpuBackend("emulated gpu", driver, 0);
    }

    @Override
    protected void closeBackend(StatisticsBackend backend) {
        super.closeBackend(backend);
        FakeCuda.Live after = FakeCuda.live();
        assertThat(after.sameResourcesAs(before)).as("no leaks: before %s, after %s", before, after).isTrue();
        assertThat(after.launches()).as("the kernels ran").isGreaterThan(before.launches());
    }
}
