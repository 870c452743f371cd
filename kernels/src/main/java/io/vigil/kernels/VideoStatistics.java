package io.vigil.kernels;

import io.vigil.ffi.VideoFrame;

/**
 * The statistics one stream's detectors asked for, computed on the CPU for each frame. One instance per stream
 * (it holds freeze's reference frame); not thread-safe.
 */
public final class VideoStatistics implements AutoCloseable {
    private final LumaStats luma;
    private final FrameDifference difference;

    /**
     * @param luma the luma statistic, or null when no detector reads it
     * @param difference the frame difference, or null when no detector reads it
     */
    public VideoStatistics(LumaStats luma, FrameDifference difference) {
        this.luma = luma;
        this.difference = difference;
    }

    /** Fills {@code out} for {@code frame}. */
    public void compute(VideoFrame frame, FrameStats out) {
        out.reset();
        out.ptsSeconds = frame.ptsSeconds();
        out.durationSeconds = frame.durationSeconds();
        out.index = frame.index();
        out.width = frame.width();
        out.height = frame.height();
        out.bitDepth = frame.layout().bitDepth();
        out.decodeErrorFlags = frame.decodeErrorFlags();
        out.corrupt = frame.corrupt();
        if (luma != null) {
            luma.compute(frame, out);
        }
        if (difference != null) {
            difference.compute(frame, out);
        }
    }

    /** Which backend computes these statistics. */
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
