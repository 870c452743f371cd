package io.vigil.kernels;

import io.vigil.ffi.AudioBlock;

/**
 * The statistics of a block of audio ({@link AudioStats}), per channel and in one pass per channel with no
 * allocation: peak, RMS, sum and sum of squares, the product of channels 0 and 1, and
 * <ul>
 *   <li>the block's silent head and tail with silencedetect's test, a sample being silent when
 *       {@code -noise < s < noise}, with all channels together (a sample instant is silent only if every channel is);
 *   <li>each channel's own silent head and tail against the per-channel threshold;
 *   <li>clip events: runs of at least {@code clipMinRun} consecutive samples at or beyond {@code clipLevel} with the
 *       same sign, which is how astats sees clipping (its peak count and flat factor: many consecutive samples at the
 *       peak value). A run may straddle blocks, so an instance keeps each channel's run in progress: use one
 *       instance per stream.
 * </ul>
 */
public final class AudioLevels {
    /**
     * What the statistics are measured against.
     *
     * @param silenceNoise silencedetect's {@code n} as an amplitude ratio (0.001 is -60 dB), for all channels together
     * @param channelNoise the same test for each channel alone
     * @param clipLevel the absolute sample value at or beyond which a sample is at full scale (0..1]
     * @param clipMinRun the fewest consecutive full-scale samples of one sign that make a clip event (at least 1)
     */
    public record Config(double silenceNoise, double channelNoise, double clipLevel, int clipMinRun) {
        public Config {
            requireRatio("noise tolerance", silenceNoise);
            requireRatio("per-channel noise tolerance", channelNoise);
            if (!(clipLevel > 0 && clipLevel <= 1)) {
                throw new IllegalArgumentException("clip level must be within (0, 1], got " + clipLevel);
            }
            if (clipMinRun < 1) {
                throw new IllegalArgumentException("clip run must be at least 1 sample, got " + clipMinRun);
            }
        }

        private static void requireRatio(String what, double v) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(what + " must be within 0..1, got " + v);
            }
        }
    }

    private final float noise;
    private final float channelNoise;
    private final float clipLevel;
    private final int clipMinRun;
    /** Per channel: length and sign (+1, -1) of the run of full-scale samples at the end of the last block. */
    private int[] runLength = new int[0];
    private int[] runSign = new int[0];

    /** Silence only: {@code noise} for all channels together and for each alone; clip events at exactly full scale. */
    public AudioLevels(double noise) {
        this(new Config(noise, noise, 1.0, 3));
    }

    public AudioLevels(Config config) {
        this.noise = (float) config.silenceNoise();
        this.channelNoise = (float) config.channelNoise();
        this.clipLevel = (float) config.clipLevel();
        this.clipMinRun = config.clipMinRun();
    }

    public void compute(AudioBlock block, AudioStats out) {
        int channels = block.channelCount();
        begin(channels, block.samples(), block.sampleRate(), block.ptsSeconds(), out);
        for (int c = 0; c < channels; c++) {
            channel(c, block.channel(c), c == 1 ? block.channel(0) : null, out);
        }
        end(out);
    }

    /** The same, on {@code samples} samples of each of {@code channels} arrays (for tests and tools). */
    public void compute(float[][] channels, int samples, int sampleRate, double ptsSeconds, AudioStats out) {
        begin(channels.length, samples, sampleRate, ptsSeconds, out);
        for (int c = 0; c < channels.length; c++) {
            channel(c, channels[c], c == 1 ? channels[0] : null, out);
        }
        end(out);
    }

    /** Forgets the clip runs in progress (the next block does not continue the last one). */
    public void reset() {
        java.util.Arrays.fill(runLength, 0);
        java.util.Arrays.fill(runSign, 0);
    }

    private void begin(int channels, int n, int sampleRate, double ptsSeconds, AudioStats out) {
        out.ensureChannels(channels);
        out.ptsSeconds = ptsSeconds;
        out.samples = n;
        out.sampleRate = sampleRate;
        out.sumProduct01 = 0;
        out.leadingSilentSamples = n;
        out.trailingSilentSamples = -1; // last loud index until end()
        if (runLength.length != channels) {
            runLength = new int[channels];
            runSign = new int[channels];
        }
    }

    private void end(AudioStats out) {
        int n = out.samples;
        int lastLoud = out.trailingSilentSamples;
        out.trailingSilentSamples = lastLoud < 0 ? n : n - 1 - lastLoud;
    }

    private void channel(int c, float[] s, float[] s0, AudioStats out) {
        final int n = out.samples;
        float peak = 0;
        double energy = 0;
        double sum = 0;
        if (s0 != null) {
            double cross = 0;
            for (int i = 0; i < n; i++) {
                float v = s[i];
                peak = Math.max(peak, Math.abs(v));
                energy += v * v;
                sum += v;
                cross += s0[i] * v;
            }
            out.sumProduct01 = cross;
        } else {
            for (int i = 0; i < n; i++) {
                float v = s[i];
                peak = Math.max(peak, Math.abs(v));
                energy += v * v;
                sum += v;
            }
        }
        out.peak[c] = peak;
        out.rms[c] = n == 0 ? 0 : Math.sqrt(energy / n);
        out.sum[c] = sum;
        out.sumSquares[c] = energy;

        // Silent head and tail: all channels together (the block's), and this channel alone.
        int first = firstLoud(s, n, noise);
        int last = lastLoud(s, n, first, noise);
        out.leadingSilentSamples = Math.min(out.leadingSilentSamples, first);
        out.trailingSilentSamples = Math.max(out.trailingSilentSamples, last);
        if (channelNoise != noise) {
            first = firstLoud(s, n, channelNoise);
            last = lastLoud(s, n, first, channelNoise);
        }
        out.channelLeadingSilentSamples[c] = first;
        out.channelTrailingSilentSamples[c] = last < 0 ? n : n - 1 - last;

        clipRuns(c, s, n, peak, out);
    }

    /** Index of the first sample that is not silent ({@code n} when there is none). */
    private static int firstLoud(float[] s, int n, float noise) {
        int i = 0;
        while (i < n && Math.abs(s[i]) < noise) {
            i++;
        }
        return i;
    }

    /** Index of the last sample that is not silent, at or after {@code first} (-1 when there is none). */
    private static int lastLoud(float[] s, int n, int first, float noise) {
        if (first == n) {
            return -1;
        }
        int i = n - 1;
        while (i > first && Math.abs(s[i]) < noise) {
            i--;
        }
        return i;
    }

    private void clipRuns(int c, float[] s, int n, float peak, AudioStats out) {
        final float level = clipLevel;
        final int minRun = clipMinRun;
        int run = runLength[c];
        int sign = runSign[c];
        int events = 0;
        int clipped = 0;
        int startOffset = 0;
        int endOffset = -1;
        if (peak >= level) {
            for (int i = 0; i < n; i++) {
                float v = s[i];
                int sg = v >= level ? 1 : v <= -level ? -1 : 0;
                if (sg == 0) {
                    run = 0;
                    continue;
                }
                if (run == 0 || sg != sign) {
                    run = 1;
                    sign = sg;
                } else {
                    run++;
                }
                if (run == minRun) {
                    if (events == 0) {
                        startOffset = i - minRun + 1;
                    }
                    events++;
                    clipped += minRun;
                    endOffset = i + 1;
                } else if (run > minRun) {
                    clipped++;
                    endOffset = i + 1;
                }
            }
        } else if (n > 0) {
            run = 0;
        }
        runLength[c] = run;
        runSign[c] = sign;
        out.clipEvents[c] = events;
        out.clippedSamples[c] = clipped;
        out.clipStartOffset[c] = startOffset;
        out.clipEndOffset[c] = endOffset;
    }
}
