package io.vigil.kernels;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * freezedetect's mean absolute frame difference: the SAD over all planes against a reference frame, divided by
 * the sample count and by 2^bitDepth. The reference is the last frame that differed from its own reference by
 * more than the noise tolerance, exactly as freezedetect keeps it, so a slow drift is not mistaken for motion.
 *
 * <p>Beyond freezedetect, with a re-coding tolerance: a frame that steps past the noise tolerance is also compared,
 * block by block, with the anchor (the first frame of the still run) and with the reference. It is the same picture
 * coded again ({@link #sameCodedPicture}) when no 16x16 block differs from the anchor by more than the tolerance (an
 * encoder that codes a held picture again at each keyframe changes every block by about a code value; a picture
 * that changed moves structure and puts more in some block, tens of times the mean difference where a re-coding's
 * worst block is a few times it), and its distance from the anchor does not keep growing:
 * at most {@link #RECODE_GROWTH} times the larger of its distance from the reference and the farthest re-coding the
 * run has seen (codings of one picture scatter about a bound; a picture that moves drifts away from where it began,
 * so a slow pan or zoom, whose steps each stay small on a smooth picture, grows against the anchor step by step).
 * Such a step keeps the anchor, so the still run goes on across keyframes; any other step starts a new run.
 * Holds the reference and the anchor (second references to the decoder's buffers, not copies).
 *
 * <p>The one place the still run is judged, whoever measures: {@link #compute} measures a frame in host memory here
 * (the CPU providers), {@link #judge} takes what a device measured with the frame difference in one go (the CUDA
 * provider: it asks for the block differences against {@link #reference()} and {@link #separateAnchor()} on the
 * frames whose frame-difference SAD lies in ({@link #blockTestSadAbove}, {@link #blockTestSadAtMost}]).
 */
public final class FrameDifference implements AutoCloseable {
    /**
     * A frame's distances from the still run's frames that the re-coding test weighs, asked for only when the test
     * needs them: measured then (the CPU), or read from what the device measured with the frame difference.
     */
    public interface RecodeDistances {
        /** The largest 16x16 block mean difference from the anchor, 0..1 of the range. */
        double anchorBlockPeak();

        /** The same from the reference; asked only while the anchor is a frame other than the reference. */
        double referenceBlockPeak();

        /** The MAFD from the anchor; asked only while the anchor is a frame other than the reference. */
        double anchorMafd();
    }

    private final double noise;
    private final double recodeNoise;
    /** Who runs the block test's per-plane loops: the Java loops or libvigilpixels' C pass. */
    private final Loops loops;
    private final VideoFrame reference = new VideoFrame();
    private final VideoFrame anchor = new VideoFrame();
    /** Whether the anchor is the reference frame itself (the run has crossed no re-coding yet). */
    private boolean anchorIsReference;
    /** The largest block peak against the anchor of the re-codings this run has crossed (0 before the first). */
    private double runPeak;
    /** {@link #compute}'s distances, measured here; reused from frame to frame. */
    private final MeasuredHere measuredHere = new MeasuredHere();

    /**
     * How much farther from the anchor a re-coded frame may be than from the reference, or than the farthest
     * re-coding before it, block peak against block peak: codings of one picture scatter by a few tenths about one
     * distance; a drift doubles it from the first step to the second.
     */
    static final double RECODE_GROWTH = 1.5;
    /**
     * How much the worst block may exceed the mean difference against the anchor: a re-coding moves every block by
     * about the same (a few times the mean where the picture has texture), a local change (a face, a caption) puts
     * its difference in a few blocks, tens of times the mean.
     */
    static final double RECODE_SPREAD = 10;

    /** @param noise freezedetect's {@code n} as an amplitude ratio (0.001 is -60 dB) */
    public FrameDifference(double noise) {
        this(noise, 0);
    }

    /**
     * @param noise       freezedetect's {@code n} as an amplitude ratio (0.001 is -60 dB)
     * @param recodeNoise the largest 16x16 block mean difference (a ratio of the range) against the anchor that is
     *                    still the same picture coded again; 0 turns the re-coding test off (freezedetect's rule)
     */
    public FrameDifference(double noise, double recodeNoise) {
        this(noise, recodeNoise, Loops.JAVA);
    }

    /**
     * @param noise       freezedetect's {@code n} as an amplitude ratio (0.001 is -60 dB)
     * @param recodeNoise the largest 16x16 block mean difference (a ratio of the range) against the anchor that is
     *                    still the same picture coded again; 0 turns the re-coding test off (freezedetect's rule)
     * @param loops       the block test's loops: Java, or libvigilpixels' C pass (the same integers)
     */
    public FrameDifference(double noise, double recodeNoise, Loops loops) {
        this.loops = Loops.require(loops);
        if (!(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("noise tolerance must be within 0..1, got " + noise);
        }
        if (!(recodeNoise >= 0 && recodeNoise <= 1)) {
            throw new IllegalArgumentException("re-coding tolerance must be within 0..1, got " + recodeNoise);
        }
        this.noise = noise;
        this.recodeNoise = recodeNoise;
    }

    /** Measures {@code frame} (in host memory) against the reference and the anchor, and judges it. */
    public void compute(VideoFrame frame, FrameStats out) {
        judge(frame, comparable(frame) ? mafd(frame, reference) : Double.NaN, measuredHere.of(frame), out);
    }

    /**
     * Judges {@code frame} from its MAFD against {@link #reference()} (ignored when the frame is not
     * {@link #comparable}) and, where the re-coding test needs them, its {@code distances}; fills the frame
     * difference's fields of {@code out} and moves the reference and the anchor on.
     */
    public void judge(VideoFrame frame, double mafd, RecodeDistances distances, FrameStats out) {
        boolean comparable = comparable(frame);
        out.anchorBlockPeak = Double.NaN;
        out.recoded = false;
        out.mafd = comparable ? mafd : Double.NaN;
        out.referencePtsSeconds = comparable ? reference.ptsSeconds() : Double.NaN;
        boolean moved = !comparable || out.mafd > noise;
        if (recodeNoise == 0) {
            out.anchorPtsSeconds = moved ? frame.ptsSeconds() : out.referencePtsSeconds;
        } else if (!moved) {
            out.anchorPtsSeconds = anchor.ptsSeconds();
        } else if (comparable && !(anchorIsReference && out.mafd > recodeNoise)) {
            // (A block peak is at least the MAFD: against the reference, a step past recodeNoise in MAFD is motion
            // without measuring it, which spares real motion the pass.) The anchor has the reference's size and
            // format: both restart together on a frame that is not comparable.
            out.anchorBlockPeak = distances.anchorBlockPeak();
            double referencePeak = anchorIsReference ? out.anchorBlockPeak : distances.referenceBlockPeak();
            double anchorMafd = anchorIsReference ? out.mafd : distances.anchorMafd();
            out.recoded = sameCodedPicture(out.anchorBlockPeak, referencePeak, runPeak, anchorMafd, recodeNoise);
            if (out.recoded) {
                out.anchorPtsSeconds = anchor.ptsSeconds();
                anchorIsReference = false;
                runPeak = Math.max(runPeak, out.anchorBlockPeak);
            } else {
                startRun(frame, out);
            }
        } else {
            startRun(frame, out);
        }
        if (moved) {
            reference.refFrom(frame);
        }
    }

    private void startRun(VideoFrame frame, FrameStats out) {
        anchor.refFrom(frame);
        out.anchorPtsSeconds = frame.ptsSeconds();
        anchorIsReference = true;
        runPeak = 0;
    }

    /** Whether {@code frame} is compared with the reference: there is one, of the same size and pixel format. */
    public boolean comparable(VideoFrame frame) {
        return reference.isFilled() && reference.width() == frame.width() && reference.height() == frame.height()
                && reference.layout().format() == frame.layout().format();
    }

    /** The frame the next frame is compared with, when it is {@link #comparable}. */
    public VideoFrame reference() {
        return reference;
    }

    /** Whether the re-coding test is on (a re-coding tolerance above 0). */
    public boolean recodeTest() {
        return recodeNoise > 0;
    }

    /**
     * The anchor, when the re-coding test is on and the anchor is a frame other than {@link #reference()} (the still
     * run has crossed a re-coding): the next frame's block differences are measured against both. Null otherwise.
     */
    public VideoFrame separateAnchor() {
        return recodeNoise > 0 && !anchorIsReference && anchor.isFilled() ? anchor : null;
    }

    /**
     * The largest frame-difference SAD of the next frame (against {@link #reference()}, over all planes) at which
     * {@link #judge} does not ask for its distances: its MAFD is within the noise tolerance.
     */
    public long blockTestSadAbove(VideoFrame frame) {
        return largestSadWithMafdAtMost(noise, samples(frame), frame.layout().bitDepth());
    }

    /**
     * The largest frame-difference SAD of the next frame at which {@link #judge} asks for its distances: while the
     * anchor is the reference, a step whose MAFD alone exceeds the re-coding tolerance is motion without them;
     * {@link Long#MAX_VALUE} once the run has crossed a re-coding.
     */
    public long blockTestSadAtMost(VideoFrame frame) {
        return anchorIsReference ? largestSadWithMafdAtMost(recodeNoise, samples(frame), frame.layout().bitDepth())
                : Long.MAX_VALUE;
    }

    /** The largest SAD over {@code samples} samples whose {@link #mafd(long, long, int)} is at most {@code level}. */
    static long largestSadWithMafdAtMost(double level, long samples, int bitDepth) {
        if (samples <= 0) {
            return Long.MAX_VALUE; // an empty picture's MAFD is NaN: never past any tolerance
        }
        long sad = Math.max(-1, (long) Math.floor(level * samples * (1L << bitDepth)));
        while (sad >= 0 && mafd(sad, samples, bitDepth) > level) {
            sad--;
        }
        while (mafd(sad + 1, samples, bitDepth) <= level) {
            sad++;
        }
        return sad;
    }

    private static long samples(VideoFrame frame) {
        long samples = 0;
        for (int p = 0; p < frame.layout().planes(); p++) {
            samples += (long) frame.planeWidth(p) * frame.planeHeight(p);
        }
        return samples;
    }

    /**
     * Whether a frame that stepped past the noise tolerance is the still run's picture coded again: no block farther
     * than {@code recodeNoise} from the anchor, nor farther than {@link #RECODE_GROWTH} times the larger of its
     * distance from the reference and {@code runPeak}, nor more than {@link #RECODE_SPREAD} times the mean difference
     * (spread over the picture, not local). False with {@code recodeNoise} 0.
     *
     * @param anchorBlockPeak    the largest 16x16 block difference against the anchor (0..1)
     * @param referenceBlockPeak the same against the reference
     * @param runPeak            the largest anchor peak of the re-codings the run has crossed, 0 before the first
     * @param anchorMafd         the MAFD against the anchor
     */
    static boolean sameCodedPicture(double anchorBlockPeak, double referenceBlockPeak, double runPeak,
                                    double anchorMafd, double recodeNoise) {
        return anchorBlockPeak <= recodeNoise
                && anchorBlockPeak <= RECODE_GROWTH * Math.max(referenceBlockPeak, runPeak)
                && anchorBlockPeak <= RECODE_SPREAD * anchorMafd;
    }

    /** MAFD of two frames of the same size and layout. */
    public static double mafd(VideoFrame a, VideoFrame b) {
        PixelLayout layout = a.layout();
        long sad = 0;
        long count = 0;
        for (int p = 0; p < layout.planes(); p++) {
            int w = a.planeWidth(p);
            int h = a.planeHeight(p);
            sad += layout.bytesPerSample() == 1
                    ? BlockSad.sad8(a.plane(p), a.linesize(p), b.plane(p), b.linesize(p), w, h)
                    : BlockSad.sad16(a.plane(p), a.linesize(p), b.plane(p), b.linesize(p), w, h, layout.shift());
            count += (long) w * h;
        }
        return mafd(sad, count, layout.bitDepth());
    }

    /** MAFD from its integers: a SAD over {@code samples} samples of {@code bitDepth} bits. */
    public static double mafd(long sad, long samples, int bitDepth) {
        return (double) sad / samples / (1L << bitDepth);
    }

    /**
     * The largest mean absolute difference of any 16x16 block of any plane (each plane in its own samples) of two
     * frames of the same size and layout, 0..1 of the range.
     */
    public static double peakBlockDifference(VideoFrame a, VideoFrame b, Loops loops) {
        return blockDifference(a, b, Loops.require(loops), new long[3]);
    }

    /**
     * {@link #peakBlockDifference}, returned, and the SAD over all planes (the sum of the blocks'), into {@code
     * scratch[2]}; {@code scratch} holds three longs.
     */
    static double blockDifference(VideoFrame a, VideoFrame b, Loops loops, long[] scratch) {
        PixelLayout layout = a.layout();
        double peak = 0;
        long sad = 0;
        for (int p = 0; p < layout.planes(); p++) {
            planeBlockDifference(loops, a.plane(p), a.linesize(p), b.plane(p), b.linesize(p), a.planeWidth(p),
                    a.planeHeight(p), layout.bytesPerSample(), layout.shift(), scratch);
            peak = Math.max(peak, (double) scratch[0] / scratch[1]);
            sad += scratch[2];
        }
        scratch[2] = sad;
        return peak / (1L << layout.bitDepth());
    }

    /** One plane's blocks ({@link BlockSad#blockDifference}'s {@code out}), by {@code loops}. */
    static void planeBlockDifference(Loops loops, MemorySegment a, int strideA, MemorySegment b, int strideB,
                                     int width, int height, int bytesPerSample, int shift, long[] out) {
        if (loops == Loops.C) {
            VigilPixels.blockDifference(a.address(), strideA, b.address(), strideB, width, height, bytesPerSample,
                    shift, out);
        } else {
            BlockSad.blockDifference(a, strideA, b, strideB, width, height, bytesPerSample, shift, out);
        }
    }

    /** The distances of a frame in host memory, measured when first asked: one pass over frame and anchor. */
    private final class MeasuredHere implements RecodeDistances {
        private final long[] scratch = new long[3];
        private VideoFrame frame;
        private double anchorPeak;
        private long anchorSad;

        MeasuredHere of(VideoFrame frame) {
            this.frame = frame;
            this.anchorPeak = Double.NaN;
            return this;
        }

        private void measureAgainstAnchor() {
            if (Double.isNaN(anchorPeak)) {
                anchorPeak = blockDifference(frame, anchor, loops, scratch);
                anchorSad = scratch[2];
            }
        }

        @Override
        public double anchorBlockPeak() {
            measureAgainstAnchor();
            return anchorPeak;
        }

        @Override
        public double referenceBlockPeak() {
            return blockDifference(frame, reference, loops, scratch);
        }

        @Override
        public double anchorMafd() {
            measureAgainstAnchor();
            return mafd(anchorSad, samples(frame), frame.layout().bitDepth());
        }
    }

    /** Forgets the reference and the anchor, as after a discontinuity. */
    public void reset() {
        reference.release();
        anchor.release();
        anchorIsReference = false;
        runPeak = 0;
    }

    @Override
    public void close() {
        reference.close();
        anchor.close();
    }
}
