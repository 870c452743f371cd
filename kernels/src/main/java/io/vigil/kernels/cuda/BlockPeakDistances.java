package io.vigil.kernels.cuda;

import io.vigil.kernels.FrameDifference;

/**
 * freeze's re-coding distances of a frame as vigil_block_peaks measured them (its result record), scaled as
 * FrameDifference scales its own: block means in code values over 2^bitDepth, the anchor's SAD over the frame's
 * samples. Reused from frame to frame ({@link #of}); asking for a distance the device did not measure is a bug in the
 * bounds the host gave it, and fails.
 */
public final class BlockPeakDistances implements FrameDifference.RecodeDistances {
    private FrameResult result;
    private int bitDepth;
    private boolean againstAnchor;

    /**
     * The distances in {@code result}, of a frame of {@code bitDepth} bits, measured against a separate anchor when
     * {@code againstAnchor} (else the reference is the anchor).
     */
    public BlockPeakDistances of(FrameResult result, int bitDepth, boolean againstAnchor) {
        this.result = result;
        this.bitDepth = bitDepth;
        this.againstAnchor = againstAnchor;
        return this;
    }

    @Override
    public double anchorBlockPeak() {
        measured();
        return (againstAnchor ? result.anchorBlockPeak() : result.referenceBlockPeak()) / (1L << bitDepth);
    }

    @Override
    public double referenceBlockPeak() {
        measured();
        return result.referenceBlockPeak() / (1L << bitDepth);
    }

    @Override
    public double anchorMafd() {
        measured();
        if (!againstAnchor) {
            throw new IllegalStateException("the block peaks were measured without the anchor");
        }
        return FrameDifference.mafd(result.anchorSad(), result.samples(), bitDepth);
    }

    private void measured() {
        if (!result.blockPeaksMeasured()) {
            throw new IllegalStateException("the re-coding test needs block peaks the device did not measure (SAD "
                    + result.sad() + " outside the bounds it was given)");
        }
    }
}
