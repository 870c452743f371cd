package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ffi.cuda.CudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Tests on the stand-in driver that must give back everything they take: each starts with no context current and
 * notes what is alive; after each, a pending injected failure is cancelled and the same resources must be alive.
 */
abstract class LeakCheckedTest {
    protected CudaDriver driver;
    protected FakeCuda.Live before;

    @BeforeEach
    void baseline() {
        driver = FakeCuda.driver();
        driver.init();
        before = FakeCuda.live();
        assertThat(before.contextStackDepth()).isZero();
    }

    @AfterEach
    void nothingLeaked() {
        FakeCuda.failNothing();
        FakeCuda.Live after = FakeCuda.live();
        assertThat(after.sameResourcesAs(before)).as("before %s%nafter  %s", before, after).isTrue();
    }
}
