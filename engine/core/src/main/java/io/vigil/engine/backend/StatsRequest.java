package io.vigil.engine.backend;

/**
 * Which video statistics a stream's detectors read, with the parameters that change how they are computed.
 *
 * @param luma whether the luma statistics (dark share, mean, min, max) are needed
 * @param pixelThreshold blackdetect's {@code pix_th} for the dark share
 * @param difference whether freezedetect's frame difference is needed
 * @param freezeNoise freezedetect's noise tolerance, which decides when the reference frame moves on
 * @param brng whether signalstats' BRNG (share of pixels outside broadcast range) is needed
 * @param letterbox whether cropdetect's black bars are needed
 * @param letterboxLimit cropdetect's {@code limit}, a ratio of the largest code value
 * @param blockiness whether blocking at the coding grid is needed
 * @param colorBars whether test bars and flatness (still slates) are needed
 * @param blur whether the mean edge width is needed
 */
public record StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise, boolean brng,
                           boolean letterbox, double letterboxLimit, boolean blockiness, boolean colorBars,
                           boolean blur) {
    public StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise, boolean brng,
                        boolean letterbox, double letterboxLimit, boolean blockiness, boolean colorBars) {
        this(luma, pixelThreshold, difference, freezeNoise, brng, letterbox, letterboxLimit, blockiness, colorBars,
                false);
    }

    public StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise, boolean brng,
                        boolean letterbox, double letterboxLimit, boolean blockiness) {
        this(luma, pixelThreshold, difference, freezeNoise, brng, letterbox, letterboxLimit, blockiness, false);
    }

    public StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise, boolean brng,
                        boolean letterbox, double letterboxLimit) {
        this(luma, pixelThreshold, difference, freezeNoise, brng, letterbox, letterboxLimit, false);
    }

    public StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise) {
        this(luma, pixelThreshold, difference, freezeNoise, false);
    }

    public StatsRequest(boolean luma, double pixelThreshold, boolean difference, double freezeNoise, boolean brng) {
        this(luma, pixelThreshold, difference, freezeNoise, brng, false, 0);
    }

    public boolean any() {
        return luma || difference || brng || letterbox || blockiness || colorBars || blur;
    }
}
