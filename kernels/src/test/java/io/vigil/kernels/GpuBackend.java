package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.cuda.BlockPeakDistances;
import io.vigil.kernels.cuda.CudaStats;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA kernels through CudaStats, as the engine uses them, on frames this backend uploads: each plane is
 * copied to its own device allocation with its pitch, padding included, and described with
 * {@link CudaStats#setPlanes}. The driver is the real one on a GPU host, or the stand-in that runs the kernels'
 * code on the CPU. Uploads happen on the device's primary context, the one CudaStats uses.
 */
final class GpuBackend implements StatisticsBackend {
    static final int CAPACITY = 8;

    private final String name;
    private final CudaDriver driver;
    private final int device;
    private final MemorySegment context;
    private final CudaStats stats;

    GpuBackend(String name, CudaDriver driver, int ordinal) {
        this.name = name;
        this.driver = driver;
        this.stats = CudaStats.open(driver, ordinal, CAPACITY);
        try {
            this.device = driver.device(ordinal);
            this.context = driver.devicePrimaryCtxRetain(device);
        } catch (RuntimeException e) {
            stats.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    CudaStats stats() {
        return stats;
    }

    @Override
    public List<FrameResult> batch(List<Frame> frames) {
        assertThat(frames.size()).isBetween(1, CAPACITY);
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            for (int slot = 0; slot < frames.size(); slot++) {
                Frame frame = frames.get(slot);
                HostPlanes f = frame.planes();
                HostPlanes r = frame.referenceOrNull();
                long[] planes = upload(f, allocations);
                long[] refPlanes = r == null ? null : upload(r, allocations);
                stats.setPlanes(slot, planes, f.pitches, f.planeWidths, f.planeHeights, f.planeCount(),
                        f.format.bytesPerSample, f.format.shift, refPlanes, r == null ? null : r.pitches,
                        frame.threshold());
            }
            stats.run(frames.size());
            assertThat(stats.lastKernelMillis()).as("kernel time of the batch").isFinite().isNotNegative();
            List<FrameResult> results = new ArrayList<>();
            for (int slot = 0; slot < frames.size(); slot++) {
                results.add(new FrameResult(
                        luma(stats.result(slot)),
                        new SadResult(stats.result(slot).sad(), stats.result(slot).samples())));
            }
            return results;
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    /** The luma statistics of a frame's result record. */
    private static LumaResult luma(io.vigil.kernels.cuda.FrameResult r) {
        return new LumaResult(r.darkCount(), r.lumaSum(), r.lumaMin(), r.lumaMax());
    }

    private long[] upload(HostPlanes f, List<Long> allocations) {
        long[] device = new long[f.planeCount()];
        for (int p = 0; p < f.planeCount(); p++) {
            long bytes = f.planes[p].byteSize();
            device[p] = driver.memAlloc(bytes);
            allocations.add(device[p]);
            driver.memcpyHtoD(device[p], f.planes[p], bytes);
        }
        return device;
    }

    @Override
    public BlockPeaks blockPeaks(HostPlanes frame, HostPlanes reference, HostPlanes anchorOrNull) {
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            long[] planes = upload(frame, allocations);
            long[] refPlanes = upload(reference, allocations);
            long[] anchorPlanes = anchorOrNull == null ? null : upload(anchorOrNull, allocations);
            stats.setPlanes(0, planes, frame.pitches, frame.planeWidths, frame.planeHeights, frame.planeCount(),
                    frame.format.bytesPerSample, frame.format.shift, refPlanes, reference.pitches, 0);
            stats.setBlockPeaks(0, anchorPlanes, anchorOrNull == null ? null : anchorOrNull.pitches, -1,
                    Long.MAX_VALUE);
            // The same frame again, its block peaks asked for with a SAD bound it is outside of: not measured.
            stats.setPlanes(1, planes, frame.pitches, frame.planeWidths, frame.planeHeights, frame.planeCount(),
                    frame.format.bytesPerSample, frame.format.shift, refPlanes, reference.pitches, 0);
            stats.setBlockPeaks(1, anchorPlanes, anchorOrNull == null ? null : anchorOrNull.pitches,
                    Reference.sad(frame, reference).sad(), Long.MAX_VALUE);
            stats.run(2);
            io.vigil.kernels.cuda.FrameResult r = stats.result(0);
            io.vigil.kernels.cuda.FrameResult skipped = stats.result(1);
            // The luma statistics and the frame difference of the same launch are untouched by the block peaks.
            assertThat(luma(r)).isEqualTo(Reference.luma(frame, 0));
            assertThat(new SadResult(r.sad(), r.samples())).isEqualTo(Reference.sad(frame, reference));
            assertThat(r.blockPeaksMeasured()).as("block peaks measured within the SAD bounds").isTrue();
            assertThat(skipped.blockPeaksMeasured()).as("block peaks measured outside the SAD bounds").isFalse();
            assertThat(List.of(skipped.referenceBlockPeak(), skipped.anchorBlockPeak(), (double) skipped.anchorSad()))
                    .containsOnly(0.0);
            return new BlockPeaks(r.referenceBlockPeak(), r.anchorBlockPeak(), r.anchorSad());
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    /**
     * What GpuFrameStatistics does for freeze, with each decoded frame uploaded to its own device planes (the test
     * has no NVDEC frames): the frame described against FrameDifference's reference, its block peaks asked for
     * against the separate anchor within the SAD bounds FrameDifference gives, one batch, and FrameDifference judging
     * from the result record through BlockPeakDistances.
     */
    @Override
    public List<StillStep> stillRun(List<VideoFrame> frames, double noise, double recodeNoise) {
        List<Long> allocations = new ArrayList<>();
        Map<Long, long[]> onDevice = new HashMap<>();
        List<StillStep> steps = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try (io.vigil.kernels.FrameDifference difference = new io.vigil.kernels.FrameDifference(noise, recodeNoise)) {
            BlockPeakDistances distances = new BlockPeakDistances();
            FrameStats out = new FrameStats();
            for (VideoFrame frame : frames) {
                var layout = frame.layout();
                int planeCount = layout.planes();
                int[] pitches = new int[planeCount];
                int[] widths = new int[planeCount];
                int[] heights = new int[planeCount];
                for (int p = 0; p < planeCount; p++) {
                    pitches[p] = frame.linesize(p);
                    widths[p] = frame.planeWidth(p);
                    heights[p] = frame.planeHeight(p);
                }
                long[] planes = onDevice.computeIfAbsent(frame.index(), i -> upload(frame, allocations));
                boolean comparable = difference.comparable(frame);
                VideoFrame reference = difference.reference();
                stats.setPlanes(0, planes, pitches, widths, heights, planeCount, layout.bytesPerSample(),
                        layout.shift(), comparable ? onDevice.get(reference.index()) : null,
                        comparable ? pitchesOf(reference) : null, 0);
                VideoFrame anchor = comparable && difference.recodeTest() ? difference.separateAnchor() : null;
                if (comparable && difference.recodeTest()) {
                    stats.setBlockPeaks(0, anchor == null ? null : onDevice.get(anchor.index()),
                            anchor == null ? null : pitchesOf(anchor), difference.blockTestSadAbove(frame),
                            difference.blockTestSadAtMost(frame));
                }
                stats.run(1);
                io.vigil.kernels.cuda.FrameResult r = stats.result(0);
                int bitDepth = layout.bitDepth();
                out.begin(frame);
                difference.judge(frame, comparable
                        ? io.vigil.kernels.FrameDifference.mafd(r.sad(), r.samples(), bitDepth) : Double.NaN,
                        distances.of(r, bitDepth, anchor != null), out);
                steps.add(StillStep.of(out));
            }
            return steps;
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    private static int[] pitchesOf(VideoFrame frame) {
        int[] pitches = new int[frame.layout().planes()];
        for (int p = 0; p < pitches.length; p++) {
            pitches[p] = frame.linesize(p);
        }
        return pitches;
    }

    private long[] upload(VideoFrame frame, List<Long> allocations) {
        long[] device = new long[frame.layout().planes()];
        for (int p = 0; p < device.length; p++) {
            MemorySegment plane = frame.plane(p);
            device[p] = driver.memAlloc(plane.byteSize());
            allocations.add(device[p]);
            driver.memcpyHtoD(device[p], plane, plane.byteSize());
        }
        return device;
    }

    @Override
    public long brngCount(HostPlanes f) {
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            long[] planes = upload(f, allocations);
            stats.setPlanes(0, planes, f.pitches, f.planeWidths, f.planeHeights, f.planeCount(),
                    f.format.bytesPerSample, f.format.shift, null, null, 0);
            stats.setBroadcastRange(0, f.format.bitDepth, 1, 1, f.format.interleaved); // HostPlanes: all 4:2:0
            stats.run(1);
            // The luma statistics of the same launch are untouched by BRNG.
            assertThat(luma(stats.result(0)))
                    .isEqualTo(Reference.luma(f, 0));
            return stats.result(0).brngCount();
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    @Override
    public long[] blockinessSums(HostPlanes f) {
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            long[] planes = upload(f, allocations);
            stats.setPlanes(0, planes, f.pitches, f.planeWidths, f.planeHeights, f.planeCount(),
                    f.format.bytesPerSample, f.format.shift, null, null, 0);
            stats.setBlockiness(0, f.format.bitDepth);
            stats.run(1);
            // The luma statistics of the same launch are untouched by blockiness.
            assertThat(luma(stats.result(0)))
                    .isEqualTo(Reference.luma(f, 0));
            long[] out = new long[4];
            stats.result(0).blockinessSums(out);
            return out;
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    @Override
    public List<long[]> blurSums(List<HostPlanes> pictures) {
        return sampled(pictures, true).stream().map(r -> (long[]) r).toList();
    }

    @Override
    public List<ColorBarsResult> colorBars(List<HostPlanes> pictures) {
        return sampled(pictures, false).stream().map(r -> (ColorBarsResult) r).toList();
    }

    /** One batch of the pictures asking for Blur ({@code blur}) or ColorBars; the same launch's luma is checked. */
    private List<Object> sampled(List<HostPlanes> pictures, boolean blur) {
        assertThat(pictures.size()).isBetween(1, CAPACITY);
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            for (int slot = 0; slot < pictures.size(); slot++) {
                HostPlanes f = pictures.get(slot);
                long[] planes = upload(f, allocations);
                stats.setPlanes(slot, planes, f.pitches, f.planeWidths, f.planeHeights, f.planeCount(),
                        f.format.bytesPerSample, f.format.shift, null, null, 0);
                if (blur) {
                    stats.setBlur(slot, f.format.bitDepth);
                } else {
                    stats.setColorBars(slot, f.format.bitDepth, 1, 1, f.format.interleaved); // HostPlanes: 4:2:0
                }
            }
            stats.run(pictures.size());
            List<Object> out = new ArrayList<>();
            long[] other = new long[3];
            for (int slot = 0; slot < pictures.size(); slot++) {
                HostPlanes f = pictures.get(slot);
                // The luma statistics of the same batch are untouched, and the statistic not asked for stays 0.
                assertThat(luma(stats.result(slot))).isEqualTo(Reference.luma(f, 0));
                long[] sums = new long[3];
                if (blur) {
                    stats.result(slot).blurSums(sums);
                    stats.result(slot).flatnessSums(other);
                    assertThat(other).containsOnly(0);
                    assertThat(stats.result(slot).barsMatched()).isZero();
                    out.add(sums);
                } else {
                    stats.result(slot).flatnessSums(sums);
                    stats.result(slot).blurSums(other);
                    assertThat(other).containsOnly(0);
                    int matched = stats.result(slot).barsMatched();
                    assertThat(matched).isBetween(0, 7);
                    out.add(new ColorBarsResult(matched / 7.0, sums[0], sums[1], sums[2]));
                }
            }
            return out;
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    @Override
    public int[] letterbox(HostPlanes f, double limit) {
        List<Long> allocations = new ArrayList<>();
        driver.ctxPushCurrent(context);
        try {
            long[] planes = upload(f, allocations);
            stats.setPlanes(0, planes, f.pitches, f.planeWidths, f.planeHeights, f.planeCount(),
                    f.format.bytesPerSample, f.format.shift, null, null, 0);
            stats.setLetterbox(0, (int) Letterbox.limitCode((float) limit, f.format.bitDepth));
            stats.run(1);
            // The luma statistics of the same batch are untouched by the letterbox kernel.
            assertThat(luma(stats.result(0)))
                    .isEqualTo(Reference.luma(f, 0));
            io.vigil.kernels.cuda.FrameResult r = stats.result(0);
            return new int[] {r.barTop(), r.barBottom(), r.barLeft(), r.barRight()};
        } finally {
            for (long allocation : allocations) {
                driver.memFree(allocation);
            }
            driver.ctxPopCurrent();
        }
    }

    @Override
    public void close() {
        try {
            stats.close();
        } finally {
            driver.devicePrimaryCtxRelease(device);
        }
    }
}
