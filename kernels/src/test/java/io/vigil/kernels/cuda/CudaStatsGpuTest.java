package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.GpuAvailability;
import org.junit.jupiter.api.Test;

/**
 * CudaStats on a real GPU (device 0), beyond the contract tests: the driver JIT-compiles the PTX, the primary
 * context is left with the flags FFmpeg requires, opening and closing repeatedly holds nothing, and an empty batch
 * and a closed instance behave.
 */
class CudaStatsGpuTest {
    @Test
    void opensJitsRunsAndClosesRepeatedly() {
        CudaDriver driver = GpuAvailability.driverOrSkip();
        int device = driver.device(0);
        for (int i = 0; i < 3; i++) {
            CudaStats stats = CudaStats.open(driver, 0, CudaStats.MAX_CAPACITY);
            try {
                assertThat(driver.devicePrimaryCtxGetState(device).active()).isTrue();
                assertThat(driver.devicePrimaryCtxGetState(device).flags())
                        .as("flags FFmpeg's primary_ctx=1 accepts").isEqualTo(CudaDriver.CU_CTX_SCHED_BLOCKING_SYNC);
                stats.run(0);
                assertThat(stats.lastKernelMillis()).isZero();
                assertThat(driver.ctxGetCurrent().address()).as("run leaves no context current").isZero();
            } finally {
                stats.close();
            }
            stats.close();
            assertThatThrownBy(() -> stats.run(0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
