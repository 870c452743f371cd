package io.vigil.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ffi.cuda.CudaContext;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaEvent;
import io.vigil.ffi.cuda.CudaException;
import io.vigil.ffi.cuda.CudaModule;
import io.vigil.ffi.cuda.CudaStream;
import io.vigil.ffi.cuda.DeviceBuffer;
import io.vigil.ffi.cuda.PinnedBuffer;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The owning handles on the stand-in driver, which counts what is alive and refuses a double free: each owner frees
 * its resource exactly once, with the context current whatever the calling thread had; a use after close throws;
 * closing the context frees whatever its owners have not, newest first, and releases the primary context.
 */
class CudaContextEmulatedTest extends LeakCheckedTest {
    @Test
    void eachOwnerFreesItsResourceOnceAndTheContextFreesTheRest() {
        try (CudaContext context = CudaContext.retainPrimary(driver, 0)) {
            DeviceBuffer device = context.allocate(256);
            PinnedBuffer pinned = context.allocatePinned(64);
            CudaStream stream = context.createStream(CudaDriver.CU_STREAM_DEFAULT);
            CudaEvent event = context.createEvent(CudaDriver.CU_EVENT_DEFAULT);
            CudaModule module = context.loadModule(CudaStats.readPtx());
            FakeCuda.Live open = FakeCuda.live();
            assertThat(open.deviceAllocations()).isEqualTo(before.deviceAllocations() + 1);
            assertThat(open.hostAllocations()).isEqualTo(before.hostAllocations() + 1);
            assertThat(open.streams()).isEqualTo(before.streams() + 1);
            assertThat(open.events()).isEqualTo(before.events() + 1);
            assertThat(open.modules()).isEqualTo(before.modules() + 1);
            assertThat(open.primaryContextRefs()).isEqualTo(before.primaryContextRefs() + 1);
            assertThat(open.contextStackDepth()).as("no context left current").isZero();
            assertThat(module.function(CudaStats.STATS_KERNEL)).isNotEqualTo(MemorySegment.NULL);

            device.close();
            device.close(); // once only: the stand-in driver would refuse a second cuMemFree
            assertThat(FakeCuda.live().deviceAllocations()).isEqualTo(before.deviceAllocations());
            assertThatThrownBy(device::address).isInstanceOf(IllegalStateException.class)
                    .hasMessage("DeviceBuffer used after close");
            stream.synchronize();
            // pinned, stream, event and module are left to the context
        }
        assertThat(FakeCuda.live().contextStackDepth()).isZero();
    }

    @Test
    void aPinnedBufferCannotBeReadOnceFreed() {
        CudaContext context = CudaContext.retainPrimary(driver, 0);
        PinnedBuffer pinned = context.allocatePinned(16);
        MemorySegment view = pinned.segment().asSlice(4, 8);
        view.set(JAVA_INT, 0, 42);
        assertThat(view.get(JAVA_INT, 0)).isEqualTo(42);
        context.close();
        context.close(); // idempotent
        assertThatThrownBy(() -> view.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(pinned::segment).isInstanceOf(IllegalStateException.class)
                .hasMessage("PinnedBuffer used after close");
        assertThatThrownBy(() -> context.allocate(8)).isInstanceOf(IllegalStateException.class)
                .hasMessage("CudaContext used after close");
    }

    @Test
    void ownersFreeWithTheirContextCurrentAndLeaveTheThreadsContextAlone() {
        try (CudaContext context = CudaContext.retainPrimary(driver, 0)) {
            DeviceBuffer buffer = context.allocate(64);
            assertThat(driver.ctxGetCurrent()).isEqualTo(MemorySegment.NULL);
            buffer.close(); // cuMemFree needs a current context: the owner makes its own current for the call
            try (CudaContext.Current current = context.makeCurrent()) {
                assertThat(FakeCuda.live().contextStackDepth()).isOne();
            }
            assertThat(FakeCuda.live().contextStackDepth()).isZero();
        }
    }

    @Test
    void aFailureToReleaseTheContextIsThrownAfterEverythingElseIsFreed() {
        CudaContext context = CudaContext.retainPrimary(driver, 0);
        context.allocate(64);
        context.createStream(CudaDriver.CU_STREAM_DEFAULT);
        FakeCuda.failNext("cuDevicePrimaryCtxRelease_v2", 201);
        assertThatThrownBy(context::close).isInstanceOfSatisfying(CudaException.class,
                e -> assertThat(e.call()).isEqualTo("cuDevicePrimaryCtxRelease_v2"));
        FakeCuda.Live after = FakeCuda.live();
        assertThat(after.streams()).isEqualTo(before.streams());
        assertThat(after.deviceAllocations()).isEqualTo(before.deviceAllocations());
        assertThat(after.primaryContextRefs()).isEqualTo(before.primaryContextRefs() + 1);
        context.close(); // closed all the same: nothing is released twice
        driver.devicePrimaryCtxRelease(FakeCuda.DEVICE); // the reference the driver kept, given back by hand
    }
}
