package io.vigil.engine.detect.spec;

/**
 * The figures that change how a statistic is computed, each set from one detector parameter that a
 * {@link StatisticRead} names; a statistic that no running detector parameterises uses {@link #unset()}.
 */
public enum StatisticParameter {
    /** blackdetect's {@code pix_th}: the luma level, as a share of the range above black, at or below which a sample is dark. */
    DARK_LEVEL(Statistic.LUMA, 0),
    /** freezedetect's {@code noise}: the frame difference up to which a frame is still (the reference frame stays). */
    STILL_NOISE(Statistic.FRAME_DIFFERENCE, 0),
    /** The largest 16x16 block difference from a still run's first frame that is the same picture coded again (0: off). */
    RECODE_NOISE(Statistic.FRAME_DIFFERENCE, 0),
    /** cropdetect's {@code limit}: the largest mean of a black row or column, a ratio of the largest code value. */
    BAR_LIMIT(Statistic.LETTERBOX, 0),
    /** The amplitude below which every channel together is silent (silencedetect's {@code noise}). */
    SILENCE_NOISE(Statistic.AUDIO_LEVELS, 0),
    /** The amplitude below which one channel alone is silent. */
    CHANNEL_SILENCE_NOISE(Statistic.AUDIO_LEVELS, 0),
    /** The absolute sample value at or beyond which a sample is at full scale. */
    CLIP_LEVEL(Statistic.AUDIO_LEVELS, 1),
    /** The fewest consecutive full-scale samples of one sign that make a clip event. */
    CLIP_MIN_RUN(Statistic.AUDIO_LEVELS, 1),
    /** The length, in seconds, of the loudness meter's sliding window of gated integrated loudness (0: none). */
    LOUDNESS_WINDOW(Statistic.LOUDNESS, 0),
    /** The logo's picture file (a {@link ParamType#FILES} value: read with {@link Lineup#files}). */
    LOGO_FILE(Statistic.LOGO_MATCH, Double.NaN),
    /** Width of the picture the logo file was drawn for, in pixels; 0: the stream's own. */
    LOGO_REFERENCE_WIDTH(Statistic.LOGO_MATCH, 0),
    /** The region the logo lies within, as shares of the picture: left, top, width, height. */
    LOGO_REGION_X(Statistic.LOGO_MATCH, 0),
    LOGO_REGION_Y(Statistic.LOGO_MATCH, 0),
    LOGO_REGION_WIDTH(Statistic.LOGO_MATCH, 1),
    LOGO_REGION_HEIGHT(Statistic.LOGO_MATCH, 1),
    /** Frames checked for the logo per second of media. */
    LOGO_CHECKS_PER_SECOND(Statistic.LOGO_MATCH, 2),
    /** The card library's picture files (a {@link ParamType#FILES} value: read with {@link Lineup#files}). */
    CARD_FILES(Statistic.CARD_MATCH, Double.NaN),
    /** Frames checked against the card library per second of media. */
    CARD_CHECKS_PER_SECOND(Statistic.CARD_MATCH, 1);

    private final Statistic statistic;
    private final double unset;

    StatisticParameter(Statistic statistic, double unset) {
        this.statistic = statistic;
        this.unset = unset;
    }

    /** The statistic this figure parameterises. */
    public Statistic statistic() {
        return statistic;
    }

    /** The value used when no running detector sets it. */
    public double unset() {
        return unset;
    }
}
