package io.vigil.kernels;

import io.vigil.ffi.AudioBlock;
import java.util.Arrays;

/**
 * Loudness after ITU-R BS.1770-4 and EBU R 128 (EBU Tech 3341 "EBU mode", Tech 3342 loudness range) of one stream,
 * fed every block of its audio: momentary (400 ms), short-term (3 s), integrated (gated: -70 LUFS absolute, -10 LU
 * relative), loudness range (short-term values gated at -70 LUFS and -20 LU, 10th to 95th percentile) and true
 * peak (4x oversampled, Annex 2). Any sample rate from 4 kHz to 1 MHz ({@link #unmeasurableReason}), any number of
 * channels.
 *
 * <p>The signal is K-weighted per channel and its energy summed per 100 ms sub-block with BS.1770's channel weights
 * (1.0 for front channels, 1.41 for surround channels, 0 for LFE, by position in FFmpeg's default layout for the
 * channel count, as FFmpeg's ebur128 weighs them; {@link #channelWeights(double...)} overrides them). Each 100 ms
 * step updates the momentary value (the last 4 sub-blocks) and the short-term value (the last 30); the momentary
 * blocks are the 75%-overlapping gating blocks of the integrated loudness, and the short-term values, every 100 ms,
 * feed the loudness range. Both go into fixed histograms ({@link LoudnessHistogram}), so the memory of a meter does
 * not grow with the input; nothing is allocated per block once the format is known.
 *
 * <p>Every channel is K-weighted (the LFE too, though its weight is 0) and its own energy kept per sub-block, for a
 * level meter per channel: {@link #channelMomentaryLufs} is BS.1770's loudness of one channel alone over the
 * momentary window, -0.691 + 10 log10 of its mean square, with a weight of 1 whatever its weight in the sum (the
 * loudness it would have as a mono programme). The same filtering serves both: the audio is filtered once.
 *
 * <p>A sliding window ({@link #slidingWindowSeconds}, off unless set) keeps the gating blocks of the last few tens of
 * seconds for a gated integrated loudness of that window alone ({@link #slidingIntegratedLufs}): the programme's
 * loudness lately, for a monitor that judges programme, not passages.
 *
 * <p>Listeners hear of each step, with the media time at its end; a step's values are the meter's current ones.
 * Until the first 400 ms (3 s) have been measured, the momentary (short-term) value is that of what has been
 * measured so far; only complete windows count towards the integrated loudness and the loudness range.
 *
 * <p>The audio's format may change mid-stream (a reconnected source, a new programme: another sample rate or
 * channel count). The meter then starts its windows again, as at the start: no window mixes blocks of two formats,
 * and listeners hear {@link StepListener#onRestart}; the integrated loudness, range and peak go on over both. A
 * format it cannot measure (a sample rate outside 4 kHz to 1 MHz) is skipped, never thrown at: listeners hear
 * {@link StepListener#onUnmeasurable} once when it begins, and nothing more until a measurable format comes.
 */
public final class LoudnessMeter {
    /** Hears the meter's steps, and where its measurement starts again or stops. */
    @FunctionalInterface
    public interface StepListener {
        /** A 100 ms step has been measured; {@code endSeconds} is the media time at its end. */
        void onStep(LoudnessMeter meter, double endSeconds);

        /**
         * The audio's format changed at {@code atSeconds} (or came back to one the meter can measure): the momentary,
         * short-term and sliding windows start again empty, as at the start of a stream.
         */
        default void onRestart(LoudnessMeter meter, double atSeconds) {
        }

        /**
         * From {@code atSeconds} the audio cannot be measured, for the reason {@code why}: no steps come until a
         * format the meter can measure, and the windows are empty.
         */
        default void onUnmeasurable(LoudnessMeter meter, double atSeconds, String why) {
        }
    }

    /** BS.1770's weight of a surround channel (about +1.5 dB). */
    public static final double SURROUND_WEIGHT = 1.41;
    public static final double ABSOLUTE_GATE_LUFS = LoudnessHistogram.ABSOLUTE_GATE_LUFS;
    public static final double RELATIVE_GATE_LU = -10.0;
    public static final double RANGE_RELATIVE_GATE_LU = -20.0;
    /** The shelf of the K-weighting sits at 1.68 kHz: below twice that, there is nothing to weigh. */
    private static final int MIN_SAMPLE_RATE = 4000;
    /** Above this the high-pass at 38 Hz sits within 1e-4 of the sampling rate's unit circle: not trusted. */
    private static final int MAX_SAMPLE_RATE = 1_000_000;
    private static final int MOMENTARY_SUB_BLOCKS = 4;
    private static final int SHORT_TERM_SUB_BLOCKS = 30;
    private static final double[] NO_WEIGHTS = new double[0];
    private static final StepListener[] NO_LISTENERS = new StepListener[0];

    private StepListener[] listeners = NO_LISTENERS;
    private double[] weightsOverride;

    // The format of the last block (0: none yet); changes (rare) rebuild the filters.
    private int sampleRate;
    private int channels;
    /** Whether that format can be measured (the filters are built for it). */
    private boolean measurable;
    /** The channel weights were set anew: the next block rebuilds the filters. */
    private boolean reweigh;
    private double[] weights = NO_WEIGHTS;
    private KWeighting kWeighting;
    private TruePeakInterpolator truePeak;
    /** The planes of the block being measured (reused). */
    private float[][] planes = new float[0][];

    /** Samples per channel measured since the format was set, and where the current sub-block ends. */
    private long samplesSeen;
    private long subBlockEnd;
    private long subBlocksDone;
    private double subBlockEnergy;
    private double subBlockPeak;
    /** Per channel, the K-weighted sum of squares of the current sub-block (unweighted). */
    private double[] subBlockChannelEnergy = NO_WEIGHTS;

    /** The last {@link #SHORT_TERM_SUB_BLOCKS} sub-blocks: weighted sums of squares and sample counts. */
    private final double[] ringEnergy = new double[SHORT_TERM_SUB_BLOCKS];
    private final long[] ringSamples = new long[SHORT_TERM_SUB_BLOCKS];
    /**
     * Per channel, the last {@link #MOMENTARY_SUB_BLOCKS} sub-blocks' sums of squares: channel c's sub-block k at
     * c * 4 + k % 4.
     */
    private double[] ringChannelEnergy = NO_WEIGHTS;
    private int ringNext;

    private final LoudnessHistogram gatingBlocks = new LoudnessHistogram();
    /** The gating blocks of the sliding window; null when there is none. */
    private SlidingGatedLoudness sliding;
    private final LoudnessHistogram shortTermValues = new LoudnessHistogram();

    private double momentaryEnergy = Double.NaN;
    private double shortTermEnergy = Double.NaN;
    private double maxMomentaryEnergy;
    private double maxShortTermEnergy;
    private double stepPeak;
    private double maxPeak;
    private long steps;

    /** Adds a listener told of each 100 ms step (at configuration time, not in the hot path). */
    public void addListener(StepListener listener) {
        listeners = Arrays.copyOf(listeners, listeners.length + 1);
        listeners[listeners.length - 1] = listener;
    }

    /**
     * Keeps a sliding window of the last {@code seconds} (1 s to 1 hour; 0: none) for {@link #slidingIntegratedLufs}
     * (at configuration time).
     */
    public void slidingWindowSeconds(double seconds) {
        if (seconds == 0) {
            sliding = null;
            return;
        }
        if (!(seconds >= 1 && seconds <= 3600)) {
            throw new IllegalArgumentException("a sliding loudness window of " + seconds + " s");
        }
        sliding = new SlidingGatedLoudness((int) Math.round(seconds * 10) - (MOMENTARY_SUB_BLOCKS - 1));
    }

    /**
     * Sets the weight of each channel, for a layout that differs from FFmpeg's default for its channel count; null
     * goes back to the defaults. Takes effect at the next block.
     */
    public void channelWeights(double... perChannel) {
        weightsOverride = perChannel == null ? null : perChannel.clone();
        reweigh = true;
    }

    /**
     * BS.1770's channel weights for FFmpeg's default layout of {@code channels} channels: mono, stereo, 2.1
     * (FL FR LFE), 4.0 (FL FR FC BC), 5.0 (FL FR FC BL BR), 5.1 (FL FR FC LFE BL BR), 6.1 (FL FR FC LFE BC SL SR),
     * 7.1 (FL FR FC LFE BL BR SL SR); beyond eight channels, 1.0 each.
     */
    public static double[] defaultChannelWeights(int channels) {
        double s = SURROUND_WEIGHT;
        return switch (channels) {
            case 3 -> new double[] {1, 1, 0};
            case 4 -> new double[] {1, 1, 1, s};
            case 5 -> new double[] {1, 1, 1, s, s};
            case 6 -> new double[] {1, 1, 1, 0, s, s};
            case 7 -> new double[] {1, 1, 1, 0, s, s, s};
            case 8 -> new double[] {1, 1, 1, 0, s, s, s, s};
            default -> {
                double[] w = new double[Math.max(channels, 0)];
                Arrays.fill(w, 1.0);
                yield w;
            }
        };
    }

    /**
     * Measures a block of decoded audio; a block without samples, or in a format the meter cannot measure
     * ({@link #unmeasurableReason}), is skipped.
     */
    public void process(AudioBlock block) {
        int n = block.channelCount();
        if (n == 0 || block.samples() <= 0 || !ready(block.sampleRate(), n, block.ptsSeconds())) {
            return;
        }
        for (int c = 0; c < n; c++) {
            planes[c] = block.channel(c);
        }
        measure(planes, block.samples(), block.ptsSeconds());
    }

    /**
     * Measures {@code samples} samples of each of {@code planes} (float, full scale 1), the first at {@code ptsSeconds};
     * skipped as {@link #process(AudioBlock)} skips.
     */
    public void process(float[][] planes, int samples, int sampleRate, double ptsSeconds) {
        if (planes.length == 0 || samples <= 0 || !ready(sampleRate, planes.length, ptsSeconds)) {
            return;
        }
        measure(planes, samples, ptsSeconds);
    }

    /**
     * Why audio at {@code sampleRate} Hz cannot be measured, in words; null when it can. BS.1770's K-weighting is
     * defined from a few kHz up (its shelf sits at 1.68 kHz); past 1 MHz its 38 Hz high-pass is not trusted.
     */
    public static String unmeasurableReason(int sampleRate) {
        if (sampleRate < MIN_SAMPLE_RATE) {
            return "its sample rate, " + sampleRate + " Hz, is below the " + MIN_SAMPLE_RATE
                    + " Hz that BS.1770's K-weighting needs";
        }
        if (sampleRate > MAX_SAMPLE_RATE) {
            return "its sample rate, " + sampleRate + " Hz, is above the " + MAX_SAMPLE_RATE
                    + " Hz the loudness meter measures";
        }
        return null;
    }

    /**
     * Makes the meter ready for a block of {@code rate} Hz and {@code channelCount} channels at {@code atSeconds}:
     * a new format starts the windows again (or stops the measurement); returns whether the block is measured.
     */
    private boolean ready(int rate, int channelCount, double atSeconds) {
        if (rate == sampleRate && channelCount == channels && !reweigh) {
            return measurable;
        }
        boolean restart = sampleRate != 0;
        sampleRate = rate;
        channels = channelCount;
        reweigh = false;
        String why = unmeasurableReason(rate);
        if (why != null) {
            measurable = false;
            emptyWindows();
            for (StepListener l : listeners) {
                l.onUnmeasurable(this, atSeconds, why);
            }
            return false;
        }
        configure(rate, channelCount);
        measurable = true;
        if (restart) {
            for (StepListener l : listeners) {
                l.onRestart(this, atSeconds);
            }
        }
        return true;
    }

    private void configure(int rate, int channelCount) {
        double[] w = weightsOverride != null && weightsOverride.length == channelCount
                ? weightsOverride : defaultChannelWeights(channelCount);
        sampleRate = rate;
        channels = channelCount;
        weights = w.clone();
        kWeighting = new KWeighting(rate, channelCount);
        truePeak = new TruePeakInterpolator(channelCount);
        planes = new float[channelCount][];
        subBlockChannelEnergy = new double[channelCount];
        ringChannelEnergy = new double[channelCount * MOMENTARY_SUB_BLOCKS];
        emptyWindows();
    }

    /** Empties the windows: what was measured before still counts towards I, LRA and the peak, never in a window. */
    private void emptyWindows() {
        samplesSeen = 0;
        subBlocksDone = 0;
        subBlockEnd = subBlockBoundary(0);
        subBlockEnergy = 0;
        subBlockPeak = 0;
        Arrays.fill(ringEnergy, 0);
        Arrays.fill(ringSamples, 0);
        Arrays.fill(subBlockChannelEnergy, 0);
        Arrays.fill(ringChannelEnergy, 0);
        ringNext = 0;
        momentaryEnergy = Double.NaN;
        shortTermEnergy = Double.NaN;
        if (sliding != null) {
            sliding.clear();
        }
    }

    /** The sample index at which sub-block {@code k} ends: 100 ms steps rounded to the sample, without drift. */
    private long subBlockBoundary(long k) {
        return ((k + 1) * sampleRate + 5) / 10;
    }

    private void measure(float[][] in, int samples, double ptsSeconds) {
        final KWeighting k = kWeighting;
        final TruePeakInterpolator tp = truePeak;
        final double[] w = weights;
        final double[] perChannel = subBlockChannelEnergy;
        final int n = channels;
        int i = 0;
        while (i < samples) {
            int end = (int) Math.min(samples, i + (subBlockEnd - samplesSeen));
            double energy = 0;
            double peak = 0;
            for (int c = 0; c < n; c++) {
                float[] x = in[c];
                double channelEnergy = k.sumOfSquares(c, x, i, end);
                perChannel[c] += channelEnergy;
                if (w[c] != 0) {
                    energy += w[c] * channelEnergy;
                }
                peak = Math.max(peak, tp.peak(c, x, i, end));
            }
            subBlockEnergy += energy;
            subBlockPeak = Math.max(subBlockPeak, peak);
            samplesSeen += end - i;
            i = end;
            if (samplesSeen == subBlockEnd) {
                completeSubBlock(ptsSeconds + (double) i / sampleRate);
            }
        }
        k.flushTinyStates();
    }

    private void completeSubBlock(double endSeconds) {
        long length = subBlockEnd - (subBlocksDone == 0 ? 0 : subBlockBoundary(subBlocksDone - 1));
        ringEnergy[ringNext] = subBlockEnergy;
        ringSamples[ringNext] = length;
        int channelSlot = (int) (subBlocksDone % MOMENTARY_SUB_BLOCKS);
        for (int c = 0; c < channels; c++) {
            ringChannelEnergy[c * MOMENTARY_SUB_BLOCKS + channelSlot] = subBlockChannelEnergy[c];
            subBlockChannelEnergy[c] = 0;
        }
        ringNext = (ringNext + 1) % SHORT_TERM_SUB_BLOCKS;
        subBlocksDone++;
        subBlockEnd = subBlockBoundary(subBlocksDone);
        subBlockEnergy = 0;
        stepPeak = subBlockPeak;
        maxPeak = Math.max(maxPeak, subBlockPeak);
        subBlockPeak = 0;

        momentaryEnergy = windowEnergy(MOMENTARY_SUB_BLOCKS);
        shortTermEnergy = windowEnergy(SHORT_TERM_SUB_BLOCKS);
        if (subBlocksDone >= MOMENTARY_SUB_BLOCKS) {
            gatingBlocks.add(momentaryEnergy);
            if (sliding != null) {
                sliding.add(momentaryEnergy);
            }
            maxMomentaryEnergy = Math.max(maxMomentaryEnergy, momentaryEnergy);
        }
        if (subBlocksDone >= SHORT_TERM_SUB_BLOCKS) {
            shortTermValues.add(shortTermEnergy);
            maxShortTermEnergy = Math.max(maxShortTermEnergy, shortTermEnergy);
        }
        steps++;
        for (StepListener l : listeners) {
            l.onStep(this, endSeconds);
        }
    }

    /** Mean square of the last {@code subBlocks} sub-blocks (fewer at the start). */
    private double windowEnergy(int subBlocks) {
        int available = (int) Math.min(subBlocks, subBlocksDone);
        double energy = 0;
        long samples = 0;
        for (int j = 1; j <= available; j++) {
            int slot = Math.floorMod(ringNext - j, SHORT_TERM_SUB_BLOCKS);
            energy += ringEnergy[slot];
            samples += ringSamples[slot];
        }
        return samples == 0 ? 0 : energy / samples;
    }

    /** Loudness of the last 400 ms, LUFS; -infinity in digital silence, NaN before the first step. */
    public double momentaryLufs() {
        return lufsOf(momentaryEnergy);
    }

    /**
     * Loudness of channel {@code channel} alone over the last 400 ms, LUFS: -0.691 + 10 log10 of the mean square of
     * its K-weighted samples, with a weight of 1 whatever its BS.1770 weight (a surround channel's +1.5 dB and the
     * LFE's exclusion are those of the sum, not of one channel); -infinity in digital silence, NaN before the first
     * step, while the audio is unmeasurable, or for a channel the audio does not have.
     */
    public double channelMomentaryLufs(int channel) {
        if (!measurable || subBlocksDone == 0 || channel < 0 || channel >= channels) {
            return Double.NaN;
        }
        int available = (int) Math.min(MOMENTARY_SUB_BLOCKS, subBlocksDone);
        double energy = 0;
        long samples = 0;
        for (int j = 1; j <= available; j++) {
            int slot = Math.floorMod(ringNext - j, SHORT_TERM_SUB_BLOCKS);
            energy += ringChannelEnergy[channel * MOMENTARY_SUB_BLOCKS
                    + (int) Math.floorMod(subBlocksDone - j, (long) MOMENTARY_SUB_BLOCKS)];
            samples += ringSamples[slot];
        }
        return samples == 0 ? Double.NaN : lufsOf(energy / samples);
    }

    /** Channels of the audio measured now (0 before any). */
    public int channels() {
        return measurable ? channels : 0;
    }

    /** Loudness of the last 3 s, LUFS; -infinity in digital silence, NaN before the first step. */
    public double shortTermLufs() {
        return lufsOf(shortTermEnergy);
    }

    /** Whether the short-term value covers a full 3 s window (it covers less at the start of the stream). */
    public boolean shortTermComplete() {
        return subBlocksDone >= SHORT_TERM_SUB_BLOCKS;
    }

    /** Integrated (programme) loudness so far, LUFS; -infinity while no block is above the gates. */
    public double integratedLufs() {
        return lufsOf(gatingBlocks.gatedMeanEnergy(RELATIVE_GATE_LU));
    }

    /**
     * Gated integrated loudness (-70 LUFS absolute, -10 LU relative) of the sliding window alone, LUFS; -infinity
     * while no block in it is above the gates; NaN without a sliding window. Before the window is
     * {@linkplain #slidingWindowFull() full}, that of the blocks so far.
     */
    public double slidingIntegratedLufs() {
        return sliding == null ? Double.NaN : lufsOf(sliding.gatedMeanEnergy());
    }

    /** Whether the sliding window covers its whole length (false without one). */
    public boolean slidingWindowFull() {
        return sliding != null && sliding.full();
    }

    /** EBU Tech 3342 loudness range so far, LU; 0 while no short-term value is above the gates. */
    public double loudnessRangeLu() {
        return shortTermValues.range(RANGE_RELATIVE_GATE_LU, 0.10, 0.95);
    }

    /** Largest true peak so far, dBTP; -infinity in digital silence. */
    public double truePeakDbtp() {
        return dbOf(maxPeak);
    }

    /** Largest true peak of the latest 100 ms step, dBTP. */
    public double stepTruePeakDbtp() {
        return dbOf(stepPeak);
    }

    /** Largest momentary value over complete 400 ms windows, LUFS. */
    public double maxMomentaryLufs() {
        return lufsOf(maxMomentaryEnergy);
    }

    /** Largest short-term value over complete 3 s windows, LUFS. */
    public double maxShortTermLufs() {
        return lufsOf(maxShortTermEnergy);
    }

    /** 100 ms steps measured so far; 0 when no audio has been measured. */
    public long steps() {
        return steps;
    }

    /** Forgets everything measured: for a new programme on the same stream. */
    public void reset() {
        gatingBlocks.clear();
        shortTermValues.clear();
        momentaryEnergy = Double.NaN;
        shortTermEnergy = Double.NaN;
        maxMomentaryEnergy = 0;
        maxShortTermEnergy = 0;
        stepPeak = 0;
        maxPeak = 0;
        steps = 0;
        sampleRate = 0;
        channels = 0;
        measurable = false;
        if (sliding != null) {
            sliding.clear();
        }
    }

    /** BS.1770's loudness of a channel-weighted mean square of K-weighted samples. */
    static double lufsOf(double meanSquare) {
        return -0.691 + 10 * Math.log10(meanSquare);
    }

    static double energyOf(double lufs) {
        return Math.pow(10, (lufs + 0.691) / 10);
    }

    private static double dbOf(double amplitude) {
        return 20 * Math.log10(amplitude);
    }
}
