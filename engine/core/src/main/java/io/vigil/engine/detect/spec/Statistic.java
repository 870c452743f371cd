package io.vigil.engine.detect.spec;

/** The statistics a detector can ask for; only those some enabled detector reads are computed. */
public enum Statistic {
    /** Dark share, mean, min and max of luma ({@link io.vigil.kernels.LumaStats}). */
    LUMA,
    /** signalstats' BRNG: share of pixels outside broadcast range ({@link io.vigil.kernels.BroadcastRange}). */
    BROADCAST_RANGE,
    /** Blocking at the 8x8 coding grid ({@link io.vigil.kernels.Blockiness}). */
    BLOCKINESS,
    /** Test bars and still-graphic flatness ({@link io.vigil.kernels.ColorBars}). */
    COLOR_BARS,
    /** Mean edge width, blurdetect's meaning ({@link io.vigil.kernels.Blur}). */
    BLUR,
    /** cropdetect's black bars at the four edges ({@link io.vigil.kernels.Letterbox}). */
    LETTERBOX,
    /** freezedetect's frame difference ({@link io.vigil.kernels.FrameDifference}). */
    FRAME_DIFFERENCE,
    /** Audio peak, RMS, sums, silent runs (all channels and each), clip runs ({@link io.vigil.kernels.AudioLevels}). */
    AUDIO_LEVELS,
    /** Only each video frame's timestamp and duration (no pixels read). */
    VIDEO_TIMESTAMPS,
    /** BS.1770 loudness and true peak, each 100 ms ({@link io.vigil.kernels.LoudnessMeter}). */
    LOUDNESS,
    /** The stream's logo found on the small picture, a few frames a second ({@link io.vigil.kernels.picture.LogoMatcher}). */
    LOGO_MATCH,
    /** The best card of a library matched on the small picture ({@link io.vigil.kernels.picture.CardLibrary}). */
    CARD_MATCH;

    /** Whether this statistic is read from the picture's pixels. */
    public boolean fromPixels() {
        return switch (this) {
            case LUMA, BROADCAST_RANGE, BLOCKINESS, COLOR_BARS, BLUR, LETTERBOX, FRAME_DIFFERENCE, LOGO_MATCH,
                 CARD_MATCH -> true;
            case AUDIO_LEVELS, VIDEO_TIMESTAMPS, LOUDNESS -> false;
        };
    }
}
