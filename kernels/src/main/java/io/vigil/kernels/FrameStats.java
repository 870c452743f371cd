package io.vigil.kernels;

import io.vigil.ffi.CaptionCounts;
import io.vigil.ffi.VideoFrame;

/**
 * The statistics of one video frame: a few hundred bytes that stand for the picture from here on. A reusable
 * holder, filled in place for each frame. Fields a disabled statistic does not compute stay NaN or -1.
 */
public final class FrameStats {
    /** Media time of the frame, seconds from the input's start. */
    public double ptsSeconds;
    /** How long the frame is shown, seconds. */
    public double durationSeconds;
    /** Zero-based position of the frame in its stream. */
    public long index;
    public int width;
    public int height;
    public int bitDepth;

    /** Share of luma samples at or below the black pixel threshold (blackdetect's picture_black_ratio). */
    public double darkFraction = Double.NaN;
    /** Mean, minimum and maximum luma, in code values of the frame's bit depth. */
    public double lumaMean = Double.NaN;
    public int lumaMin = -1;
    public int lumaMax = -1;

    /**
     * signalstats' BRNG: share of pixels with Y, U or V outside broadcast range (16..235 luma, 16..240 chroma,
     * scaled to the bit depth), 0..1; see {@link BroadcastRange}.
     */
    public double brngFraction = Double.NaN;

    /** Blocking at the 8x8 coding grid, 1 when there is none; NaN when not computed; see {@link Blockiness}. */
    public double blockiness = Double.NaN;

    /** Mean edge width in pixels (blurdetect's meaning); NaN when not computed or too few edges; see {@link Blur}. */
    public double blur = Double.NaN;

    /**
     * Test bars: the share (0..1) of the seven standard bars found, in order, in the upper part of the picture; NaN
     * when not computed; see {@link ColorBars}.
     */
    public double colorBars = Double.NaN;
    /** Share of sampled luma steps of at most one code value (8-bit), 0..1; NaN when not computed. */
    public double flatShare = Double.NaN;
    /** Share of sampled luma steps over 16 code values (8-bit): graphic edges, 0..1; NaN when not computed. */
    public double edgeShare = Double.NaN;

    /**
     * Logo check (a few frames a second, see {@link io.vigil.kernels.picture.PictureMatching}): the best correlation
     * (-1..1) of the stream's logo in its region of the small picture; NaN on frames not checked.
     */
    public double logoScore = Double.NaN;
    /** Card check: the best correlation (-1..1) of the best-matching card of the library; NaN on frames not checked. */
    public double cardScore = Double.NaN;
    /** Card check: that card's index in the library; -1 on frames not checked. */
    public int cardIndex = -1;

    /**
     * cropdetect's black bars: luma rows at the top and bottom, columns at the left and right, whose mean is at most
     * the limit, counted from each edge; all four as large as the picture when it is black throughout, -1 when not
     * computed; see {@link Letterbox}.
     */
    public int barTop = -1;
    public int barBottom = -1;
    public int barLeft = -1;
    public int barRight = -1;

    /** Mean absolute frame difference against the reference frame over all planes, 0..1 (freezedetect's MAFD). */
    public double mafd = Double.NaN;
    /** Media time of the reference frame {@link #mafd} compares with; NaN when there was none. */
    public double referencePtsSeconds = Double.NaN;
    /**
     * On a frame that differs from the reference by more than the noise tolerance: the largest mean absolute
     * difference of any 16x16 block, over all planes, against the anchor (the first frame of the still run, kept
     * across re-codings of the same picture), 0..1 of the range; NaN on other frames, where it is not needed (a step
     * whose MAFD alone exceeds the re-coding tolerance while the anchor is the reference).
     */
    public double anchorBlockPeak = Double.NaN;
    /**
     * Whether this frame stepped past the noise tolerance but is the still run's picture coded again (see
     * {@link FrameDifference}); false where the re-coding test is off.
     */
    public boolean recoded;
    /**
     * Media time of the first frame of the still run this frame belongs to (the anchor); the frame's own time when it
     * starts one; NaN when there was nothing to compare with. Without re-coding tolerance it is the reference's time.
     */
    public double anchorPtsSeconds = Double.NaN;

    /** Packets the stream's video decoder has rejected so far (cumulative), as of this frame. */
    public long decoderErrors;

    /**
     * On an input's first frame: how much earlier video the decoder was given and could not decode (the input began
     * between keyframes), seconds; 0 otherwise. See {@link VideoFrame#skippedBeforeSeconds()}.
     */
    public double skippedBeforeSeconds;

    /** The captions the frame came with (A/53 side data) and the subtitle packets so far; see {@link CaptionCounts}. */
    public final CaptionCounts captions = new CaptionCounts();

    /** The decoder's error flags for this frame, and whether it marked the frame corrupt. */
    public int decodeErrorFlags;
    public boolean corrupt;

    /** Media time just after this frame. */
    public double endSeconds() {
        return ptsSeconds + durationSeconds;
    }

    /**
     * Starts {@code frame}'s figures: every statistic back to "not computed", and the fields every engine copies
     * from the frame itself (time, index, size, bit depth, decoder errors) filled in.
     */
    public void begin(VideoFrame frame) {
        reset();
        ptsSeconds = frame.ptsSeconds();
        durationSeconds = frame.durationSeconds();
        index = frame.index();
        width = frame.width();
        height = frame.height();
        bitDepth = frame.layout().bitDepth();
        decodeErrorFlags = frame.decodeErrorFlags();
        corrupt = frame.corrupt();
        decoderErrors = frame.decoderErrors();
        skippedBeforeSeconds = frame.skippedBeforeSeconds();
        captions.copyFrom(frame.captions());
    }

    private void reset() {
        darkFraction = Double.NaN;
        lumaMean = Double.NaN;
        lumaMin = -1;
        lumaMax = -1;
        brngFraction = Double.NaN;
        blockiness = Double.NaN;
        colorBars = Double.NaN;
        flatShare = Double.NaN;
        edgeShare = Double.NaN;
        logoScore = Double.NaN;
        cardScore = Double.NaN;
        cardIndex = -1;
        blur = Double.NaN;
        barTop = -1;
        barBottom = -1;
        barLeft = -1;
        barRight = -1;
        mafd = Double.NaN;
        referencePtsSeconds = Double.NaN;
        anchorBlockPeak = Double.NaN;
        recoded = false;
        anchorPtsSeconds = Double.NaN;
    }
}
