package io.vigil.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver bindings CudaStats does not use on its own path (or uses only there), each called once with its real
 * signature and checked for its effect: contexts, synchronous and asynchronous copies, memsets, events, modules. The
 * same assertions on the stand-in driver and on a GPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CudaDriverContract {
    private CudaDriver driver;
    private int device;
    private MemorySegment context;

    protected abstract CudaDriver driver();

    @BeforeAll
    void retain() {
        driver = driver();
        driver.init();
        device = driver.device(0);
        context = driver.devicePrimaryCtxRetain(device);
    }

    @AfterAll
    void release() {
        if (context != null) {
            driver.devicePrimaryCtxRelease(device);
        }
    }

    @Test
    void contextsArePushedPoppedAndSetOnTheCallingThread() {
        MemorySegment before = driver.ctxGetCurrent();
        driver.ctxPushCurrent(context);
        assertThat(driver.ctxGetCurrent()).isEqualTo(context);
        driver.ctxSynchronize();
        assertThat(driver.ctxPopCurrent()).isEqualTo(context);
        assertThat(driver.ctxGetCurrent()).isEqualTo(before);

        driver.ctxPushCurrent(context);
        driver.ctxSetCurrent(context);
        assertThat(driver.ctxGetCurrent()).isEqualTo(context);
        driver.ctxPopCurrent();
        assertThat(driver.devicePrimaryCtxGetState(device).active()).isTrue();
    }

    @Test
    void copiesAndMemsetsMoveTheBytesTheySay() {
        driver.ctxPushCurrent(context);
        MemorySegment stream = driver.streamCreate(CudaDriver.CU_STREAM_DEFAULT);
        long memory = driver.memAlloc(4096);
        MemorySegment pinned = driver.memAllocHost(4096);
        try (Arena arena = Arena.ofConfined()) {
            driver.memsetD8Async(memory, 0x5A, 4096, stream);
            driver.memsetD32Async(memory + 1024, 0x01020304, 256, stream);
            driver.memcpyDtoHAsync(pinned, memory, 4096, stream);
            driver.streamSynchronize(stream);
            assertThat(pinned.get(JAVA_BYTE, 0)).isEqualTo((byte) 0x5A);
            assertThat(pinned.get(JAVA_BYTE, 1023)).isEqualTo((byte) 0x5A);
            assertThat(pinned.get(JAVA_INT, 1024)).isEqualTo(0x01020304);
            assertThat(pinned.get(JAVA_INT, 2044)).isEqualTo(0x01020304);
            assertThat(pinned.get(JAVA_BYTE, 2048)).isEqualTo((byte) 0x5A);

            MemorySegment host = arena.allocate(4096);
            for (int i = 0; i < 4096; i++) {
                host.set(JAVA_BYTE, i, (byte) (i * 7));
            }
            driver.memcpyHtoD(memory, host, 4096);
            MemorySegment back = arena.allocate(4096);
            driver.memcpyDtoH(back, memory, 4096);
            assertThat(back.mismatch(host)).isEqualTo(-1);

            pinned.fill((byte) 9);
            driver.memcpyHtoDAsync(memory, pinned, 100, stream);
            driver.memcpyDtoHAsync(pinned.asSlice(100), memory, 100, stream);
            driver.streamSynchronize(stream);
            assertThat(pinned.get(JAVA_BYTE, 150)).isEqualTo((byte) 9);
        } finally {
            driver.memFreeHost(pinned);
            driver.memFree(memory);
            driver.streamDestroy(stream);
            driver.ctxPopCurrent();
        }
    }

    @Test
    void eventsTimeTheWorkBetweenThem() {
        driver.ctxPushCurrent(context);
        MemorySegment stream = driver.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
        MemorySegment start = driver.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
        MemorySegment end = driver.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
        long memory = driver.memAlloc(1 << 20);
        try {
            driver.eventRecord(start, stream);
            driver.memsetD32Async(memory, 7, (1 << 20) / 4, stream);
            driver.eventRecord(end, stream);
            driver.eventSynchronize(end);
            assertThat(driver.eventElapsedTime(start, end)).isNotNegative().isFinite();
        } finally {
            driver.memFree(memory);
            driver.eventDestroy(end);
            driver.eventDestroy(start);
            driver.streamDestroy(stream);
            driver.ctxPopCurrent();
        }
    }

    @Test
    void theKernelsModuleLoadsAndNamesItsTwoKernels() {
        driver.ctxPushCurrent(context);
        try {
            MemorySegment module = driver.moduleLoadData(PtxTest.ptx());
            try {
                assertThat(driver.moduleGetFunction(module, CudaStats.INIT_KERNEL).address()).isNotZero();
                assertThat(driver.moduleGetFunction(module, CudaStats.STATS_KERNEL).address()).isNotZero();
                assertThatThrownBy(() -> driver.moduleGetFunction(module, "vigil_no_such_kernel"))
                        .isInstanceOfSatisfying(CudaException.class, e -> {
                            assertThat(e.call()).isEqualTo("cuModuleGetFunction");
                            assertThat(e.errorName()).isEqualTo("CUDA_ERROR_NOT_FOUND");
                        });
            } finally {
                driver.moduleUnload(module);
            }
        } finally {
            driver.ctxPopCurrent();
        }
    }

    @Test
    void callsThatNeedAContextSayWhichCallFailed() {
        MemorySegment before = driver.ctxGetCurrent();
        if (!before.equals(MemorySegment.NULL)) {
            return; // a thread with a context of its own (not the case in these tests)
        }
        assertThatThrownBy(() -> driver.memAlloc(16)).isInstanceOfSatisfying(CudaException.class, e -> {
            assertThat(e.call()).isEqualTo("cuMemAlloc_v2");
            assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_CONTEXT");
            assertThat(e).hasMessageStartingWith("cuMemAlloc_v2 failed: CUDA_ERROR_INVALID_CONTEXT (201)");
        });
    }
}
