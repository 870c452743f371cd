package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.cuda.FakeCuda;

/**
 * The CUDA backend on the stand-in driver, for the contracts' emulated-GPU cases: opens it, and after closing checks
 * that nothing leaked and that the kernels really ran.
 */
final class EmulatedGpu {
    private FakeCuda.Live before;

    StatisticsBackend open() {
        var driver = FakeCuda.driver();
        before = FakeCuda.live();
        return new GpuBackend("emulated gpu", driver, 0);
    }

    /** Whether {@link #open} got as far as the stand-in driver (it is skipped without a C compiler). */
    boolean opened() {
        return before != null;
    }

    void assertCleanAfterClose() {
        FakeCuda.Live after = FakeCuda.live();
        assertThat(after.sameResourcesAs(before)).as("no leaks: before %s, after %s", before, after).isTrue();
        assertThat(after.launches()).as("the kernels ran").isGreaterThan(before.launches());
    }
}
