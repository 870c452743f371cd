package io.vigil.kernels;

import io.vigil.ffi.VideoFrame;

/**
 * The statistics one stream's detectors asked for, computed on the CPU for each frame: the reference backend.
 * One instance per stream (it holds freeze's reference frame); not thread-safe.
 */
public final class VideoStatistics implements FrameStatistics {
    private final LumaStats luma;
    private final FrameDifference difference;
    private final BroadcastRange brng;
    private final Letterbox letterbox;
    private final Blockiness blockiness;
    private final ColorBars colorBars;
    private final Blur blur;

    /**
     * @param luma the luma statistic, or null when no detector reads it
     * @param difference the frame difference, or null when no detector reads it
     */
    public VideoStatistics(LumaStats luma, FrameDifference difference) {
        this(luma, difference, null);
    }

    /** @param brng signalstats' BRNG, or null when no detector reads it */
    public VideoStatistics(LumaStats luma, FrameDifference difference, BroadcastRange brng) {
        this(luma, difference, brng, null);
    }

    /** @param letterbox cropdetect's bars, or null when no detector reads them */
    public VideoStatistics(LumaStats luma, FrameDifference difference, BroadcastRange brng, Letterbox letterbox) {
        this(luma, difference, brng, letterbox, null);
    }

    /** @param blockiness blocking at the coding grid, or null when no detector reads it */
    public VideoStatistics(LumaStats luma, FrameDifference difference, BroadcastRange brng, Letterbox letterbox,
                           Blockiness blockiness) {
        this(luma, difference, brng, letterbox, blockiness, null);
    }

    /** @param colorBars test bars and flatness (still slates), or null when no detector reads them */
    public VideoStatistics(LumaStats luma, FrameDifference difference, BroadcastRange brng, Letterbox letterbox,
                           Blockiness blockiness, ColorBars colorBars) {
        this(luma, difference, brng, letterbox, blockiness, colorBars, null);
    }

    /** @param blur mean edge width, or null when no detector reads it */
    public VideoStatistics(LumaStats luma, FrameDifference difference, BroadcastRange brng, Letterbox letterbox,
                           Blockiness blockiness, ColorBars colorBars, Blur blur) {
        this.blur = blur;
        this.colorBars = colorBars;
        this.blockiness = blockiness;
        this.luma = luma;
        this.difference = difference;
        this.brng = brng;
        this.letterbox = letterbox;
    }

    @Override
    public void compute(VideoFrame frame, FrameStats out) {
        if (frame.onDevice()) {
            throw new IllegalStateException("a frame in CUDA memory was handed to the CPU statistics");
        }
        fillCommon(frame, out);
        if (luma != null) {
            luma.compute(frame, out);
        }
        if (difference != null) {
            difference.compute(frame, out);
        }
        if (brng != null) {
            brng.compute(frame, out);
        }
        if (letterbox != null) {
            letterbox.compute(frame, out);
        }
        if (blockiness != null) {
            blockiness.compute(frame, out);
        }
        if (colorBars != null) {
            colorBars.compute(frame, out);
        }
        if (blur != null) {
            blur.compute(frame, out);
        }
    }

    /** The fields every backend copies from the frame itself. */
    public static void fillCommon(VideoFrame frame, FrameStats out) {
        out.reset();
        out.ptsSeconds = frame.ptsSeconds();
        out.durationSeconds = frame.durationSeconds();
        out.index = frame.index();
        out.width = frame.width();
        out.height = frame.height();
        out.bitDepth = frame.layout().bitDepth();
        out.decodeErrorFlags = frame.decodeErrorFlags();
        out.corrupt = frame.corrupt();
        out.decoderErrors = frame.decoderErrors();
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public void close() {
        if (difference != null) {
            difference.close();
        }
    }
}
