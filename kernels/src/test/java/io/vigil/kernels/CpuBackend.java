package io.vigil.kernels;

import io.vigil.ffi.VideoFrame;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU twins as the engine calls them: LumaStats' 8- and 16-bit passes and the per-plane BlockSad sums that
 * FrameDifference.mafd adds up. LumaStats hands back a fraction and a mean; the integers are recovered from them
 * and checked to reproduce them exactly. With {@link Loops#C}, LumaStats, BroadcastRange, Blockiness, Letterbox,
 * Blur, ColorBars and FrameDifference's block peaks run libvigilpixels' C passes instead of their Java loops (it must
 * be loaded).
 */
final class CpuBackend implements StatisticsBackend {
    private final Loops loops;
    private final boolean nativePasses;

    /** The Java loops, the reference. */
    CpuBackend() {
        this(Loops.JAVA);
    }

    CpuBackend(Loops loops) {
        this.loops = Loops.require(loops);
        this.nativePasses = loops == Loops.C;
    }

    @Override
    public String name() {
        return nativePasses ? "cpu-native" : "cpu";
    }

    @Override
    public List<FrameResult> batch(List<Frame> frames) {
        List<FrameResult> results = new ArrayList<>();
        for (Frame frame : frames) {
            results.add(new FrameResult(luma(frame.planes(), frame.threshold()),
                    frame.referenceOrNull() == null ? SadResult.NONE : sadOf(frame.planes(), frame.referenceOrNull())));
        }
        return results;
    }

    @Override
    public LumaResult luma(HostPlanes f, int threshold) {
        FrameStats out = new FrameStats();
        MemorySegment base = f.planes[0];
        if (nativePasses) {
            LumaStats.computeNative(base, f.pitches[0], f.planeWidths[0], f.planeHeights[0], f.format.bytesPerSample,
                    threshold, f.format.shift, new long[4], out);
        } else if (f.format.bytesPerSample == 1) {
            LumaStats.compute8(base, f.pitches[0], f.planeWidths[0], f.planeHeights[0], threshold, out);
        } else {
            LumaStats.compute16(base, f.pitches[0], f.planeWidths[0], f.planeHeights[0], threshold, f.format.shift,
                    out);
        }
        long count = f.samples(0);
        long dark = Math.round(out.darkFraction * count);
        long sum = Math.round(out.lumaMean * count);
        if ((double) dark / count != out.darkFraction || (double) sum / count != out.lumaMean) {
            throw new AssertionError("LumaStats' fraction and mean are not whole counts over " + count + " samples");
        }
        return new LumaResult(dark, sum, out.lumaMin, out.lumaMax);
    }

    @Override
    public long[] blockinessSums(HostPlanes f) {
        long[] out = new long[4];
        (nativePasses ? Blockiness.NATIVE : Blockiness.JAVA).sums(f.planes[0], f.pitches[0], f.width, f.height,
                f.format.bytesPerSample, f.format.shift, f.format.bitDepth, out);
        return out;
    }

    @Override
    public long brngCount(HostPlanes f) {
        int log2 = 1; // HostPlanes' layouts are all 4:2:0
        boolean interleaved = f.format.interleaved;
        long count = (nativePasses ? BroadcastRange.NATIVE : BroadcastRange.JAVA).count(f.planes[0], f.pitches[0],
                f.planes[1], f.pitches[1], interleaved ? MemorySegment.NULL : f.planes[2], interleaved ? 0 : f.pitches[2],
                f.width, f.height, f.format.bytesPerSample, f.format.shift, f.format.bitDepth, log2, log2, true,
                interleaved);
        return count;
    }

    @Override
    public int[] letterbox(HostPlanes f, double limit) {
        long bars = new Letterbox(limit, loops).bars(f.planes[0], f.pitches[0], f.width, f.height,
                f.format.bytesPerSample, f.format.shift, f.format.bitDepth);
        return new int[] {Letterbox.top(bars), Letterbox.bottom(bars), Letterbox.left(bars), Letterbox.right(bars)};
    }

    @Override
    public List<long[]> blurSums(List<HostPlanes> pictures) {
        List<long[]> out = new ArrayList<>();
        for (HostPlanes f : pictures) {
            long[] sums = new long[3];
            (nativePasses ? Blur.NATIVE : Blur.JAVA).sums(f.planes[0], f.pitches[0], f.width, f.height,
                    f.format.bytesPerSample, f.format.shift, f.format.bitDepth, sums);
            out.add(sums);
        }
        return out;
    }

    @Override
    public List<ColorBarsResult> colorBars(List<HostPlanes> pictures) {
        List<ColorBarsResult> out = new ArrayList<>();
        ColorBars bars = new ColorBars(loops);
        for (HostPlanes f : pictures) {
            boolean il = f.format.interleaved;
            double score = bars.barsScore(f.planes[0], f.pitches[0], f.planes[1], f.pitches[1],
                    il ? MemorySegment.NULL : f.planes[2], il ? 0 : f.pitches[2], f.width, f.height,
                    f.format.bytesPerSample, f.format.shift, f.format.bitDepth, 1, 1, il); // HostPlanes: all 4:2:0
            long[] flat = new long[3];
            bars.flatness(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample, f.format.shift,
                    f.format.bitDepth, flat);
            out.add(new ColorBarsResult(score, flat[0], flat[1], flat[2]));
        }
        return out;
    }

    @Override
    public BlockPeaks blockPeaks(HostPlanes frame, HostPlanes reference, HostPlanes anchorOrNull) {
        double[] againstReference = blockDifference(frame, reference);
        double[] againstAnchor = anchorOrNull == null ? new double[2] : blockDifference(frame, anchorOrNull);
        return new BlockPeaks(againstReference[0], againstAnchor[0], (long) againstAnchor[1]);
    }

    /** {peak block mean, SAD} over the planes, as FrameDifference.blockDifference adds them up. */
    private double[] blockDifference(HostPlanes a, HostPlanes b) {
        long[] out = new long[3];
        double peak = 0;
        long sad = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            FrameDifference.planeBlockDifference(loops, a.planes[p], a.pitches[p], b.planes[p], b.pitches[p],
                    a.planeWidths[p], a.planeHeights[p], a.format.bytesPerSample, a.format.shift, out);
            peak = Math.max(peak, (double) out[0] / out[1]);
            sad += out[2];
        }
        return new double[] {peak, sad};
    }

    @Override
    public List<StillStep> stillRun(List<VideoFrame> frames, double noise, double recodeNoise) {
        List<StillStep> steps = new ArrayList<>();
        try (FrameDifference difference = new FrameDifference(noise, recodeNoise, loops)) {
            FrameStats out = new FrameStats();
            for (VideoFrame frame : frames) {
                out.begin(frame);
                difference.compute(frame, out);
                steps.add(StillStep.of(out));
            }
        }
        return steps;
    }

    private static SadResult sadOf(HostPlanes a, HostPlanes b) {
        long sad = 0;
        long samples = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            MemorySegment pa = a.planes[p];
            MemorySegment pb = b.planes[p];
            int w = a.planeWidths[p];
            int h = a.planeHeights[p];
            sad += a.format.bytesPerSample == 1
                    ? BlockSad.sad8(pa, a.pitches[p], pb, b.pitches[p], w, h)
                    : BlockSad.sad16(pa, a.pitches[p], pb, b.pitches[p], w, h, a.format.shift);
            samples += (long) w * h;
        }
        return new SadResult(sad, samples);
    }

    @Override
    public void close() {
    }
}
