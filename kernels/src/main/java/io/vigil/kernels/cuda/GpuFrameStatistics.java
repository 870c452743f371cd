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
import io.vigil.kernels.engine.StatisticFailedException;
import io.vigil.kernels.engine.StatisticSpec;
import io.vigil.kernels.engine.StatisticsRequest;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One stream's statistics on the GPU: frames in CUDA memory go to the batcher and only their result record comes
 * back; freeze's reference frame and still-run anchor stay on the device, held by reference in this stream's
 * {@link FrameDifference}, which judges the still run from what the kernels measured (the same code as on the CPU).
 * Frames that a stream decodes on the CPU (NVDEC refused it) take the CPU path, with the same definitions. The one
 * place that maps a {@link StatisticsRequest} onto the kernels' descriptor and their result record onto
 * {@link FrameStats}.
 *
 * <p>The same fault boundary as the CPU's: a statistic whose inputs its kernel (or its host-side step before or
 * after the kernel) does not take is left out for the rest of the stream, reported once through
 * {@link StatisticFailedException} after the others were computed for the frame. Limits known on the host are checked
 * before anything is launched (a picture larger than cropdetect's bars measure); a descriptor setter that refuses the
 * frame fails its statistic only; a frame the descriptors cannot hold at all (more planes than the kernels read)
 * fails every statistic of this stream, and only this stream's frame leaves its batch. A failed launch (a CUDA error,
 * sticky on a GPU) is not a statistic's: it goes through, as an IllegalStateException, to the stream boundary.
 */
final class GpuFrameStatistics implements FrameStatistics {
    private final StatsBatcher batcher;
    private final VideoStatistics cpu;
    private final Pending pending = new Pending();
    /** This stream's copy of its frame's result record, and a view of it. */
    private final FrameResult result;
    private final BlockPeakDistances blockPeaks = new BlockPeakDistances();
    private final long[] sums = new long[4];
    /** The request's statistics in its order: the order failures are reported in. */
    private final List<StatisticSpec> requested;
    /** This frame's failures; empty between frames. */
    private final List<StatisticFailedException.Failure> failures = new ArrayList<>(2);

    // What the request asks for and is still computed: set when the stream opens, null once it failed.
    private StatisticSpec.Luma luma;
    private StatisticSpec.FrameDifference differenceSpec;
    /** freeze's reference and anchor, and the still run's state; null when the frame difference is not computed. */
    private FrameDifference difference;
    private StatisticSpec.Letterbox letterbox;
    private StatisticSpec.BroadcastRange brng;
    private StatisticSpec.Blockiness blockiness;
    private StatisticSpec.ColorBars colorBars;
    private StatisticSpec.Blur blur;
    private boolean sawDeviceFrames;
    /** This frame's: whether it is compared with freeze's reference, and its block peaks with a separate anchor. */
    private boolean comparable;
    private boolean againstAnchor;

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
        /** The statistics whose descriptor setter refused this frame, written by the batching thread. */
        final List<StatisticFailedException.Failure> refusedStatistics = new ArrayList<>(1);

        @Override
        protected void describe(CudaStats stats, int slot) {
            // The frame itself (its planes, the luma statistics, the SAD's reference): all or nothing.
            stats.set(slot, frame, reference, blackThreshold, false);
            PixelLayout layout = frame.layout();
            if (blockPeaks) {
                attempt(differenceSpec, () -> stats.setBlockPeaks(slot, anchor, peakSadAbove, peakSadAtMost));
            }
            if (brng != null) {
                attempt(brng, () -> stats.setBroadcastRange(slot, layout.bitDepth(), layout.log2ChromaW(),
                        layout.log2ChromaH(), layout.chromaInterleaved()));
            }
            if (letterbox != null) {
                attempt(letterbox, () -> stats.setLetterbox(slot, letterboxLimit));
            }
            if (blockiness != null) {
                attempt(blockiness, () -> stats.setBlockiness(slot, layout.bitDepth()));
            }
            if (blur != null) {
                attempt(blur, () -> stats.setBlur(slot, layout.bitDepth()));
            }
            if (colorBars != null) {
                attempt(colorBars, () -> stats.setColorBars(slot, layout.bitDepth(), layout.log2ChromaW(),
                        layout.log2ChromaH(), layout.chromaInterleaved()));
            }
        }

        /** Runs one statistic's setter; a refusal leaves that statistic out of this slot (setters write nothing then). */
        private void attempt(StatisticSpec statistic, Runnable setter) {
            try {
                setter.run();
            } catch (RuntimeException e) {
                refusedStatistics.add(new StatisticFailedException.Failure(statistic, e));
            }
        }

        @Override
        protected void collect(CudaStats stats, int slot) {
            stats.copyResult(slot, record);
        }
    }

    /** One statistic's host-side step for a frame. */
    @FunctionalInterface
    private interface Step {
        void run();
    }

    GpuFrameStatistics(StatsBatcher batcher, StatisticsRequest request, Loops hostLoops) {
        this.batcher = batcher;
        this.cpu = VideoStatistics.open(request, hostLoops);
        this.requested = request.specs();
        for (StatisticSpec spec : requested) {
            switch (spec) {
                case StatisticSpec.Luma x -> luma = x;
                case StatisticSpec.FrameDifference x -> differenceSpec = x;
                case StatisticSpec.Letterbox x -> letterbox = x;
                case StatisticSpec.BroadcastRange x -> brng = x;
                case StatisticSpec.Blockiness x -> blockiness = x;
                case StatisticSpec.ColorBars x -> colorBars = x;
                case StatisticSpec.Blur x -> blur = x;
            }
        }
        difference = differenceSpec == null ? null
                : new FrameDifference(differenceSpec.noise(), differenceSpec.recodeNoise());
        pending.record = MemorySegment.ofArray(new long[(int) (CudaStats.RECORD_BYTES / Long.BYTES)]);
        result = new FrameResult(pending.record, 0);
        batcher.register();
    }

    @Override
    public void compute(VideoFrame frame, FrameStats out) {
        if (!frame.onDevice()) {
            try {
                cpu.compute(frame, out);
            } catch (StatisticFailedException e) {
                // Failed on the CPU: not tried again on the device, nor reported twice.
                e.failures().forEach(f -> leaveOut(f.statistic()));
                throw e;
            }
            return;
        }
        sawDeviceFrames = true;
        out.begin(frame);
        try {
            computeOnDevice(frame, out);
        } finally {
            pending.frame = null;
            pending.reference = null;
            pending.anchor = null;
            pending.refusedStatistics.clear();
        }
        if (!failures.isEmpty()) {
            List<StatisticFailedException.Failure> failed = new ArrayList<>(failures);
            failures.clear();
            failed.sort(Comparator.comparingInt(f -> requested.indexOf(f.statistic())));
            throw new StatisticFailedException(failed);
        }
    }

    private void computeOnDevice(VideoFrame frame, FrameStats out) {
        int bitDepth = frame.layout().bitDepth();
        // Before the launch: what the host knows a kernel or its host-side step does not take.
        comparable = false;
        againstAnchor = false;
        pending.reference = null;
        pending.blockPeaks = false;
        pending.anchor = null;
        step(differenceSpec, () -> {
            boolean compare = difference.comparable(frame);
            boolean peaks = compare && difference.recodeTest();
            VideoFrame anchor = peaks ? difference.separateAnchor() : null;
            if (peaks) {
                pending.peakSadAbove = difference.blockTestSadAbove(frame);
                pending.peakSadAtMost = difference.blockTestSadAtMost(frame);
            }
            comparable = compare;
            againstAnchor = anchor != null;
            pending.reference = compare ? difference.reference() : null;
            pending.blockPeaks = peaks;
            pending.anchor = anchor;
        });
        pending.blackThreshold = 0;
        step(luma, () -> pending.blackThreshold = LumaStats.blackCodeValue(luma.pixelThreshold(), bitDepth,
                frame.fullRange()));
        pending.letterboxLimit = -1;
        step(letterbox, () -> {
            Letterbox.requireMeasurable(frame.width(), frame.height());
            pending.letterboxLimit = (int) Letterbox.limitCode((float) letterbox.limit(), bitDepth);
        });
        if (!anyComputed()) {
            return;
        }
        pending.frame = frame;
        try {
            batcher.compute(pending);
        } catch (StatsBatcher.FrameRefusedException e) {
            // Nothing was launched for this frame: every statistic it asked for fails, for this stream only.
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
            for (StatisticSpec spec : List.copyOf(requested)) {
                if (computed(spec)) {
                    fail(spec, cause);
                }
            }
            return;
        }
        for (StatisticFailedException.Failure f : pending.refusedStatistics) {
            fail(f.statistic(), f.cause());
        }
        // After the launch: each statistic's figures, divided out as the CPU does.
        FrameResult r = result;
        double pixels = (double) frame.width() * frame.height();
        step(luma, () -> {
            out.darkFraction = r.darkCount() / pixels;
            out.lumaMean = r.lumaSum() / pixels;
            out.lumaMin = r.lumaMin();
            out.lumaMax = r.lumaMax();
        });
        step(letterbox, () -> {
            out.barTop = r.barTop();
            out.barBottom = r.barBottom();
            out.barLeft = r.barLeft();
            out.barRight = r.barRight();
        });
        step(blockiness, () -> {
            r.blockinessSums(sums);
            out.blockiness = Blockiness.score(sums[0], sums[1], sums[2], sums[3], bitDepth);
        });
        step(blur, () -> {
            r.blurSums(sums);
            out.blur = Blur.score(sums[0], sums[1], sums[2]);
        });
        step(colorBars, () -> {
            r.flatnessSums(sums);
            out.colorBars = r.barsMatched() / 7.0;
            out.flatShare = sums[2] == 0 ? 0 : (double) sums[0] / sums[2];
            out.edgeShare = sums[2] == 0 ? 0 : (double) sums[1] / sums[2];
        });
        step(brng, () -> out.brngFraction = r.brngCount() / pixels);
        step(differenceSpec, () -> difference.judge(frame,
                comparable ? FrameDifference.mafd(r.sad(), r.samples(), bitDepth) : Double.NaN,
                blockPeaks.of(r, bitDepth, againstAnchor), out));
    }

    /** Runs {@code statistic}'s host-side step when it is still computed; a throw fails that statistic alone. */
    private void step(StatisticSpec statistic, Step step) {
        if (statistic == null || !computed(statistic)) {
            return;
        }
        try {
            step.run();
        } catch (RuntimeException e) {
            fail(statistic, e);
        }
    }

    private boolean anyComputed() {
        return luma != null || differenceSpec != null || letterbox != null || brng != null || blockiness != null
                || colorBars != null || blur != null;
    }

    /** Whether {@code statistic} is still computed on the device for this stream. */
    private boolean computed(StatisticSpec statistic) {
        return switch (statistic) {
            case StatisticSpec.Luma x -> luma != null;
            case StatisticSpec.FrameDifference x -> differenceSpec != null;
            case StatisticSpec.Letterbox x -> letterbox != null;
            case StatisticSpec.BroadcastRange x -> brng != null;
            case StatisticSpec.Blockiness x -> blockiness != null;
            case StatisticSpec.ColorBars x -> colorBars != null;
            case StatisticSpec.Blur x -> blur != null;
        };
    }

    /** {@code statistic} failed on this frame: reported once, left out for the rest of the stream. */
    private void fail(StatisticSpec statistic, RuntimeException cause) {
        if (computed(statistic)) {
            failures.add(new StatisticFailedException.Failure(statistic, cause));
            leaveOut(statistic);
        }
    }

    /** Stops computing {@code statistic} on either path. */
    private void leaveOut(StatisticSpec statistic) {
        cpu.leaveOut(statistic);
        switch (statistic) {
            case StatisticSpec.Luma x -> luma = null;
            case StatisticSpec.FrameDifference x -> {
                differenceSpec = null;
                if (difference != null) {
                    difference.close();
                    difference = null;
                }
            }
            case StatisticSpec.Letterbox x -> letterbox = null;
            case StatisticSpec.BroadcastRange x -> brng = null;
            case StatisticSpec.Blockiness x -> blockiness = null;
            case StatisticSpec.ColorBars x -> colorBars = null;
            case StatisticSpec.Blur x -> blur = null;
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
