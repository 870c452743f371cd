package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.cuda.FakeCuda;
import org.junit.jupiter.api.BeforeEach;

/** The thumbnail contract on the stand-in driver: vigil_stats.h's per-thread code, run on the CPU; nothing leaks. */
class ThumbnailDownscaleEmulatedGpuTest extends ThumbnailDownscaleContract {
    private FakeCuda.Live before;

    @BeforeEach
    void snapshot() {
        FakeCuda.driver();
        before = FakeCuda.live();
    }

    @Override
    CudaDriver driver() {
        return FakeCuda.driver();
    }

    @Override
    void afterClose() {
        FakeCuda.Live after = FakeCuda.live();
        assertThat(after.sameResourcesAs(before)).as("no leaks: before %s, after %s", before, after).isTrue();
    }
}
