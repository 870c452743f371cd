package io.vigil.kernels.cuda;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.Blockiness;
import io.vigil.kernels.Blur;
import io.vigil.kernels.FrameDifference;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.Loops;
import io.vigil.kernels.LumaStats;
import io.vigil.kernels.cpu.VideoStatistics;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticSpec;
import io.vigil.kernels.engine.StatisticsRequest;
import java.lang.foreign.MemorySegment;

/**
 * One stream's statistics on the GPU: frames in CUDA memory go to the batcher and only their result record comes
 * back; freeze's reference frame and still-run anchor stay on the device, held by reference in this stream's
 * {@link FrameDifference}, which judges the still run from what the kernels measured (the same code as on the CPU).
 * Frames that a stream decodes on the CPU (NVDEC refused it) take the CPU path, with the same definitions. The one
 * place that maps a {@link StatisticsRequest} onto the kernels' descriptor and their result record onto
 * {@link FrameStats}.
 */
final class GpuFrameStatistics implements FrameStatistics {
    private final StatsBatcher batcher;
    private final VideoStatistics cpu;
    private final Pending pending = new Pending();
    /** This stream's copy of its frame's result record, and a view of it. */
    private final FrameResult result;
    /** freeze's reference and anchor, and the still run's state; null when the request has no frame difference. */
    private final FrameDifference difference;
    private final BlockPeakDistances blockPeaks = new BlockPeakDistances();
    private final long[] sums = new long[4];

    // What the request asks for, fixed when the stream opens.
    private final StatisticSpec.Luma luma;
    private final StatisticSpec.Letterbox letterbox;
    private final boolean brng;
    private final boolean blockiness;
    private final boolean colorBars;
    private final boolean blur;
    private boolean sawDeviceFrames;

    /** The stream's request, as the batching thread reads it while the stream waits. */
    private final class Pending extends StatsBatcher.Request {
        VideoFrame frame;
        VideoFrame reference;
        /** Whether the frame asks for freeze's block peaks, against {@link #anchor} too when it is not null. */
        boolean blockPeaks;
        VideoFrame anchor;
        long peakSadAbove;
        long peakSadAtMost;
        int blackThreshold;
        int letterboxLimit;
        MemorySegment record;

        @Override
        protected void describe(CudaStats stats, int slot) {
            stats.set(slot, frame, reference, blackThreshold, brng);
            PixelLayout layout = frame.layout();
            if (blockPeaks) {
                stats.setBlockPeaks(slot, anchor, peakSadAbove, peakSadAtMost);
            }
            if (letterbox != null) {
                stats.setLetterbox(slot, letterboxLimit);
            }
            if (blockiness) {
                stats.setBlockiness(slot, layout.bitDepth());
            }
            if (blur) {
                stats.setBlur(slot, layout.bitDepth());
            }
            if (colorBars) {
                stats.setColorBars(slot, layout.bitDepth(), layout.log2ChromaW(), layout.log2ChromaH(),
                        layout.chromaInterleaved());
            }
        }

        @Override
        protected void collect(CudaStats stats, int slot) {
            stats.copyResult(slot, record);
        }
    }

    GpuFrameStatistics(StatsBatcher batcher, StatisticsRequest request, Loops hostLoops) {
        this.batcher = batcher;
        this.cpu = VideoStatistics.open(request, hostLoops);
        StatisticSpec.Luma l = null;
        StatisticSpec.FrameDifference d = null;
        StatisticSpec.Letterbox lb = null;
        boolean b = false;
        boolean k = false;
        boolean c = false;
        boolean u = false;
        for (StatisticSpec spec : request.specs()) {
            switch (spec) {
                case StatisticSpec.Luma x -> l = x;
                case StatisticSpec.FrameDifference x -> d = x;
                case StatisticSpec.Letterbox x -> lb = x;
                case StatisticSpec.BroadcastRange x -> b = true;
                case StatisticSpec.Blockiness x -> k = true;
                case StatisticSpec.ColorBars x -> c = true;
                case StatisticSpec.Blur x -> u = true;
            }
        }
        luma = l;
        difference = d == null ? null : new FrameDifference(d.noise(), d.recodeNoise());
        letterbox = lb;
        brng = b;
        blockiness = k;
        colorBars = c;
        blur = u;
        pending.record = MemorySegment.ofArray(new long[(int) (CudaStats.RECORD_BYTES / Long.BYTES)]);
        result = new FrameResult(pending.record, 0);
        batcher.register();
    }

    @Override
    public void compute(VideoFrame frame, FrameStats out) {
        if (!frame.onDevice()) {
            cpu.compute(frame, out);
            return;
        }
        sawDeviceFrames = true;
        out.begin(frame);
        int bitDepth = frame.layout().bitDepth();
        boolean comparable = difference != null && difference.comparable(frame);
        pending.frame = frame;
        pending.reference = comparable ? difference.reference() : null;
        pending.blockPeaks = comparable && difference.recodeTest();
        pending.anchor = pending.blockPeaks ? difference.separateAnchor() : null;
        boolean againstAnchor = pending.anchor != null;
        if (pending.blockPeaks) {
            pending.peakSadAbove = difference.blockTestSadAbove(frame);
            pending.peakSadAtMost = difference.blockTestSadAtMost(frame);
        }
        pending.blackThreshold = luma == null ? 0 : LumaStats.blackCodeValue(luma.pixelThreshold(), bitDepth,
                frame.fullRange());
        pending.letterboxLimit = letterbox == null ? -1
                : (int) Letterbox.limitCode((float) letterbox.limit(), bitDepth);
        try {
            batcher.compute(pending);
        } finally {
            pending.frame = null;
            pending.reference = null;
            pending.anchor = null;
        }
        FrameResult r = result;
        double pixels = (double) frame.width() * frame.height();
        if (luma != null) {
            out.darkFraction = r.darkCount() / pixels;
            out.lumaMean = r.lumaSum() / pixels;
            out.lumaMin = r.lumaMin();
            out.lumaMax = r.lumaMax();
        }
        if (letterbox != null) {
            out.barTop = r.barTop();
            out.barBottom = r.barBottom();
            out.barLeft = r.barLeft();
            out.barRight = r.barRight();
        }
        if (blockiness) {
            r.blockinessSums(sums);
            out.blockiness = Blockiness.score(sums[0], sums[1], sums[2], sums[3], bitDepth);
        }
        if (blur) {
            r.blurSums(sums);
            out.blur = Blur.score(sums[0], sums[1], sums[2]);
        }
        if (colorBars) {
            r.flatnessSums(sums);
            out.colorBars = r.barsMatched() / 7.0;
            out.flatShare = sums[2] == 0 ? 0 : (double) sums[0] / sums[2];
            out.edgeShare = sums[2] == 0 ? 0 : (double) sums[1] / sums[2];
        }
        if (brng) {
            out.brngFraction = r.brngCount() / pixels;
        }
        if (difference != null) {
            difference.judge(frame, comparable ? FrameDifference.mafd(r.sad(), r.samples(), bitDepth) : Double.NaN,
                    blockPeaks.of(r, bitDepth, againstAnchor), out);
        }
    }

    @Override
    public String backend() {
        return sawDeviceFrames ? "gpu" : "cpu";
    }

    @Override
    public void close() {
        batcher.unregister();
        if (difference != null) {
            difference.close();
        }
        cpu.close();
    }
}
