package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ffi.ClipWriter;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaException;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.VideoFrame;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CudaStats' own behaviour on the stand-in driver: what it takes and gives back, how it leaves the calling thread's
 * context, what it does when each driver call fails, and the arguments it refuses. (What it computes is the
 * contract tests' job.)
 */
class CudaStatsEmulatedTest extends LeakCheckedTest {
    @Test
    void openTakesOneOfEachAndCloseGivesEverythingBack() {
        CudaStats stats = CudaStats.open(driver, 0, 5);
        FakeCuda.Live open = FakeCuda.live();
        assertThat(open.deviceAllocations()).isEqualTo(before.deviceAllocations() + 2);
        assertThat(open.hostAllocations()).isEqualTo(before.hostAllocations() + 2);
        assertThat(open.modules()).isEqualTo(before.modules() + 1);
        assertThat(open.streams()).isEqualTo(before.streams() + 1);
        assertThat(open.events()).isEqualTo(before.events() + 2);
        assertThat(open.primaryContextRefs()).isEqualTo(before.primaryContextRefs() + 1);
        assertThat(open.contextStackDepth()).as("open leaves no context current").isZero();
        assertThat(stats.capacity()).isEqualTo(5);
        assertThat(stats.bytesCopiedToHostPerFrame()).isEqualTo(160);
        assertThat(stats.lastKernelMillis()).isNaN();
        stats.close();
        stats.close(); // idempotent
        assertThatThrownBy(() -> stats.run(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("CudaStats used after close");
        assertThatThrownBy(() -> stats.result(0).darkCount()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theFirstToTakeThePrimaryContextCreatesItWithTheFlagsFfmpegRequires() {
        driver.devicePrimaryCtxSetFlags(FakeCuda.DEVICE, 0);
        try (CudaStats stats = CudaStats.open(driver, 0, 1)) {
            assertThat(stats.capacity()).isOne();
            assertThat(driver.devicePrimaryCtxGetState(FakeCuda.DEVICE))
                    .isEqualTo(new CudaDriver.PrimaryCtxState(CudaDriver.CU_CTX_SCHED_BLOCKING_SYNC, true));
        }
        // A context someone else holds keeps the flags it has.
        driver.devicePrimaryCtxRetain(FakeCuda.DEVICE);
        try {
            driver.devicePrimaryCtxSetFlags(FakeCuda.DEVICE, 0);
            CudaStats.open(driver, 0, 1).close();
            assertThat(driver.devicePrimaryCtxGetState(FakeCuda.DEVICE).flags()).isZero();
        } finally {
            driver.devicePrimaryCtxSetFlags(FakeCuda.DEVICE, CudaDriver.CU_CTX_SCHED_BLOCKING_SYNC);
            driver.devicePrimaryCtxRelease(FakeCuda.DEVICE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuDevicePrimaryCtxGetState", "cuDevicePrimaryCtxSetFlags_v2", "cuDevicePrimaryCtxRetain",
            "cuCtxPushCurrent_v2", "cuModuleLoadData", "cuModuleGetFunction", "cuStreamCreate", "cuEventCreate",
            "cuMemAlloc_v2", "cuMemAllocHost_v2"})
    void aFailureWhileOpeningNamesTheCallAndGivesBackWhatWasTaken(String call) {
        driver.devicePrimaryCtxSetFlags(FakeCuda.DEVICE, 0); // so that open sets them, and can fail doing so
        FakeCuda.failNext(call, 2);
        assertThatThrownBy(() -> CudaStats.open(driver, 0, 3)).isInstanceOfSatisfying(CudaException.class, e -> {
            assertThat(e.call()).isEqualTo(call);
            assertThat(e).hasMessageContaining("CUDA_ERROR_OUT_OF_MEMORY (2)");
        });
    }

    @Test
    void aFailureToPopTheContextAfterOpeningStillFreesEverything() {
        FakeCuda.failNext("cuCtxPopCurrent_v2", 201);
        assertThatThrownBy(() -> CudaStats.open(driver, 0, 3)).isInstanceOfSatisfying(CudaException.class,
                e -> assertThat(e.call()).isEqualTo("cuCtxPopCurrent_v2"));
        // The context the failed pop left current is the caller's to pop; everything else was given back.
        assertThat(FakeCuda.live().contextStackDepth()).isEqualTo(1);
        driver.ctxPopCurrent();
    }

    @Test
    void runLeavesTheCallingThreadsContextAsItFoundIt() {
        try (CudaStats stats = CudaStats.open(driver, 0, 2)) {
            Frames frames = new Frames(driver);
            try {
                frames.describe(stats, 0, 64, 4, true);
                stats.run(1);
                assertThat(driver.ctxGetCurrent()).isEqualTo(MemorySegment.NULL);
                MemorySegment context = driver.devicePrimaryCtxRetain(FakeCuda.DEVICE);
                driver.ctxPushCurrent(context);
                stats.run(1);
                assertThat(driver.ctxGetCurrent()).isEqualTo(context);
                driver.ctxPopCurrent();
                driver.devicePrimaryCtxRelease(FakeCuda.DEVICE);
                assertThat(stats.lastKernelMillis()).isPositive();
                assertThat(FakeCuda.live().contextStackDepth()).isZero();
            } finally {
                frames.free();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuMemcpyHtoDAsync_v2", "cuEventRecord", "cuLaunchKernel", "cuMemcpyDtoHAsync_v2",
            "cuStreamSynchronize", "cuEventElapsedTime_v2", "cuCtxPushCurrent_v2"})
    void aFailedBatchNamesTheCallAndTheNextBatchWorks(String call) {
        try (CudaStats stats = CudaStats.open(driver, 0, 2)) {
            Frames frames = new Frames(driver);
            try {
                frames.describe(stats, 0, 100, 3, true);
                frames.describe(stats, 1, 33, 7, false);
                FakeCuda.failNext(call, 1);
                assertThatThrownBy(() -> stats.run(2)).isInstanceOfSatisfying(CudaException.class,
                        e -> assertThat(e.call()).isEqualTo(call));
                assertThat(FakeCuda.live().contextStackDepth()).isZero();
                assertThatThrownBy(() -> stats.result(0).sad()).isInstanceOf(IndexOutOfBoundsException.class)
                        .hasMessage("slot 0 is not in the last batch (0 frames)");
                assertThat(stats.lastKernelMillis()).isNaN();
                stats.run(2);
                assertThat(stats.result(0).samples()).isEqualTo(100 * 3 + 100 * 2);
                assertThat(stats.result(1).samples()).isZero();
                assertThat(stats.result(1).lumaSum()).isEqualTo(33L * 7 * Frames.LUMA);
            } finally {
                frames.free();
            }
        }
    }

    @Test
    void aFrameWhoseRowsAreNotAllInDeviceMemoryIsAKernelFaultNotACrash() {
        try (CudaStats stats = CudaStats.open(driver, 0, 1)) {
            Frames frames = new Frames(driver);
            try {
                long small = frames.alloc(64);
                stats.setPlanes(0, new long[] {small}, new int[] {64}, new int[] {64}, new int[] {2}, 1, 1, 0, null,
                        null, 16);
                assertThatThrownBy(() -> stats.run(1)).isInstanceOfSatisfying(CudaException.class,
                        e -> assertThat(e.errorName()).isEqualTo("CUDA_ERROR_ILLEGAL_ADDRESS"));
            } finally {
                frames.free();
            }
        }
    }

    @Test
    void argumentsThatCannotBeRightAreRefused() {
        assertThatThrownBy(() -> CudaStats.open(driver, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CudaStats.open(driver, 0, CudaStats.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CudaStats.open(driver, 3, 1)).isInstanceOfSatisfying(CudaException.class,
                e -> assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_DEVICE"));
        try (CudaStats stats = CudaStats.open(driver, 0, 2)) {
            long[] planes = {0x1000, 0x2000};
            int[] pitches = {64, 64};
            int[] widths = {64, 64};
            int[] heights = {4, 2};
            assertThatThrownBy(() -> stats.setPlanes(2, planes, pitches, widths, heights, 2, 1, 0, null, null, 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 0, 1, 0, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 3, 1, 0, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shorter than planeCount 3");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 2, 3, 0, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytesPerSample");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 2, 1, 2, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shift 2");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 2, 2, 16, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shift 16");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 2, 2, 6, null, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pitch 64 for rows of 128");
            assertThatThrownBy(() -> stats.setPlanes(0, new long[] {0x1000, 0}, pitches, widths, heights, 2, 1, 0,
                    null, null, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no address");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, widths, heights, 2, 1, 0,
                    new long[] {0x3000, 0}, pitches, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reference plane 1 has no address");
            assertThatThrownBy(() -> stats.setPlanes(0, planes, pitches, new int[] {-1, 1}, heights, 2, 1, 0, null,
                    null, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stats.run(3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stats.run(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("slot 0 of the batch was never set");
            long launches = FakeCuda.live().launches();
            stats.run(0);
            assertThat(FakeCuda.live().launches()).as("an empty batch launches nothing").isEqualTo(launches);
            stats.setPlanes(1, planes, pitches, widths, heights, 2, 1, 0, null, null, 0);
            assertThatThrownBy(() -> stats.setBlur(1, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bit depth 10");
            assertThatThrownBy(() -> stats.setColorBars(1, 8, 1, 1, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interleaved false");
            assertThatThrownBy(() -> stats.setColorBars(1, 8, 5, 1, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chroma subsampling");
            assertThatThrownBy(() -> stats.setBlur(2, 8)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(stats.lastKernelMillis()).isZero();
            // All-zero reference addresses mean no reference.
            stats.setPlanes(0, planes, pitches, widths, heights, 2, 1, 0, new long[] {0, 0}, pitches, 0);
        }
    }

    @Test
    void blockPeaksNeedAReferenceAndTheirKernelRunsOnlyWhenAFrameAsks() {
        Frames frames = new Frames(driver);
        try (CudaStats stats = CudaStats.open(driver, 0, 2)) {
            frames.describe(stats, 0, 64, 8, false);
            assertThatThrownBy(() -> stats.setBlockPeaks(0, null, null, -1, Long.MAX_VALUE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 0 has no reference");
            frames.describe(stats, 0, 64, 8, true);
            assertThatThrownBy(() -> stats.setBlockPeaks(0, new long[] {0x1000, 0}, new int[] {64, 64}, -1,
                    Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("anchor plane 1 has no address");
            frames.describe(stats, 1, 64, 8, true);
            long launches = FakeCuda.live().launches();
            stats.run(2);
            assertThat(FakeCuda.live().launches() - launches).as("init and stats only").isEqualTo(2);
            stats.setBlockPeaks(1, null, null, -1, Long.MAX_VALUE);
            launches = FakeCuda.live().launches();
            stats.run(2);
            assertThat(FakeCuda.live().launches() - launches).as("and the block peaks").isEqualTo(3);
            // Luma 1 darker everywhere: every block's mean is 1, chroma 0.
            assertThat(stats.result(1).blockPeaksMeasured()).isTrue();
            assertThat(stats.result(1).referenceBlockPeak()).isEqualTo(1.0);
            assertThat(stats.result(0).blockPeaksMeasured()).isFalse();
            frames.describe(stats, 1, 64, 8, true); // a new description asks for nothing more
            launches = FakeCuda.live().launches();
            stats.run(2);
            assertThat(FakeCuda.live().launches() - launches).isEqualTo(2);
            assertThat(stats.result(1).blockPeaksMeasured()).isFalse();
        } finally {
            frames.free();
        }
    }

    @Test
    void framesInHostMemoryAreRefused(@TempDir Path dir) {
        Path clip = dir.resolve("host.mkv");
        try (ClipWriter writer = ClipWriter.create(clip, 64, 48, 25, 8000, 1)) {
            for (int i = 0; i < 2; i++) {
                writer.writeVideo((index, y, yStride, u, v, chromaStride) -> {
                    y.fill((byte) 100);
                    u.fill((byte) 128);
                    v.fill((byte) 128);
                });
            }
        }
        AtomicReference<Throwable> refused = new AtomicReference<>();
        try (CudaStats stats = CudaStats.open(driver, 0, 1);
             MediaInput input = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS)) {
            input.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    try {
                        stats.set(0, frame, null, 16);
                    } catch (RuntimeException e) {
                        refused.compareAndSet(null, e);
                    }
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
        assertThat(refused.get()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("is in host memory: CudaStats reads frames in device memory (NVDEC)");
    }

    @Test
    void aModuleTheJitRefusesReportsTheJitLog() {
        MemorySegment context = driver.devicePrimaryCtxRetain(FakeCuda.DEVICE);
        driver.ctxPushCurrent(context);
        try {
            assertThatThrownBy(() -> driver.moduleLoadData("// vigil-test-broken-ptx\n"))
                    .isInstanceOfSatisfying(CudaException.class, e -> {
                        assertThat(e.call()).isEqualTo("cuModuleLoadData");
                        assertThat(e.errorName()).isEqualTo("CUDA_ERROR_INVALID_PTX");
                        assertThat(e).hasMessage("cuModuleLoadData failed: CUDA_ERROR_INVALID_PTX (218): a PTX JIT "
                                + "compilation failed; JIT error log: ptxas application ptx input, line 1; fatal   : "
                                + "stand-in JIT refuses this PTX");
                    });
        } finally {
            driver.ctxPopCurrent();
            driver.devicePrimaryCtxRelease(FakeCuda.DEVICE);
        }
    }

    /** Frames in the stand-in's device memory: an 8-bit luma plane of one value and a chroma plane of another. */
    static final class Frames {
        static final int LUMA = 90;
        private final CudaDriver driver;
        private final MemorySegment context;
        private final List<Long> allocations = new ArrayList<>();

        Frames(CudaDriver driver) {
            this.driver = driver;
            this.context = driver.devicePrimaryCtxRetain(FakeCuda.DEVICE);
        }

        long alloc(long bytes) {
            driver.ctxPushCurrent(context);
            try {
                long p = driver.memAlloc(bytes);
                allocations.add(p);
                return p;
            } finally {
                driver.ctxPopCurrent();
            }
        }

        /** An NV12 frame, width x height, with a reference (luma 1 darker, chroma the same) or without. */
        void describe(CudaStats stats, int slot, int width, int height, boolean withReference) {
            int chromaRows = (height + 1) / 2;
            long luma = fill(width, height, LUMA);
            long chroma = fill(width, chromaRows, 128);
            long[] refs = withReference ? new long[] {fill(width, height, LUMA - 1), fill(width, chromaRows, 128)}
                    : null;
            stats.setPlanes(slot, new long[] {luma, chroma}, new int[] {width, width}, new int[] {width, width},
                    new int[] {height, chromaRows}, 2, 1, 0, refs, new int[] {width, width}, 16);
        }

        private long fill(int width, int height, int value) {
            long p = alloc((long) width * height);
            driver.ctxPushCurrent(context);
            try {
                driver.memsetD8Async(p, value, (long) width * height, MemorySegment.NULL);
                driver.ctxSynchronize();
            } finally {
                driver.ctxPopCurrent();
            }
            return p;
        }

        void free() {
            driver.ctxPushCurrent(context);
            try {
                for (long p : allocations) {
                    driver.memFree(p);
                }
            } finally {
                driver.ctxPopCurrent();
                driver.devicePrimaryCtxRelease(FakeCuda.DEVICE);
            }
        }
    }
}
