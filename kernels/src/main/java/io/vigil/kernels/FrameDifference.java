package io.vigil.kernels;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;

/**
 * freezedetect's mean absolute frame difference: the SAD over all planes against a reference frame, divided by
 * the sample count and by 2^bitDepth. The reference is the last frame that differed from its own reference by
 * more than the noise tolerance, exactly as freezedetect keeps it, so a slow drift is not mistaken for motion.
 * Holds one reference frame per stream (a second reference to the decoder's buffer, not a copy).
 */
public final class FrameDifference implements AutoCloseable {
    private final double noise;
    private final VideoFrame reference = new VideoFrame();

    /** @param noise freezedetect's {@code n} as an amplitude ratio (0.001 is -60 dB) */
    public FrameDifference(double noise) {
        if (!(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("noise tolerance must be within 0..1, got " + noise);
        }
        this.noise = noise;
    }

    public void compute(VideoFrame frame, FrameStats out) {
        boolean comparable = reference.isFilled() && reference.width() == frame.width()
                && reference.height() == frame.height() && reference.layout().format() == frame.layout().format();
        if (comparable) {
            out.mafd = mafd(frame, reference);
            out.referencePtsSeconds = reference.ptsSeconds();
        } else {
            out.mafd = Double.NaN;
            out.referencePtsSeconds = Double.NaN;
        }
        if (!comparable || out.mafd > noise) {
            reference.refFrom(frame);
        }
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
        return (double) sad / count / (1L << layout.bitDepth());
    }

    /** Forgets the reference, as after a discontinuity. */
    public void reset() {
        reference.release();
    }

    @Override
    public void close() {
        reference.close();
    }
}
