package io.vigil.kernels;

/**
 * The statistics of one block of audio: levels per channel, where the block is silent (all channels together and
 * each channel alone), to the sample, and the figures that DC offset, phase and clipping detectors sum over time.
 * A reusable holder, filled in place by {@link AudioLevels}; the per-channel arrays are valid for {@link #channels}
 * entries and are reallocated only when the channel count changes.
 */
public final class AudioStats {
    public double ptsSeconds;
    public int samples;
    public int sampleRate;
    public int channels;
    /** Samples at the start of the block in which every channel stays below the silence threshold. */
    public int leadingSilentSamples;
    /** Samples at the end of the block in which every channel stays below the silence threshold. */
    public int trailingSilentSamples;
    /** Peak absolute sample and RMS per channel (linear, full scale = 1). */
    public double[] peak = new double[0];
    public double[] rms = new double[0];
    /** Sum of the samples per channel (their mean is the block's DC offset). */
    public double[] sum = new double[0];
    /** Sum of the squared samples per channel. */
    public double[] sumSquares = new double[0];
    /** Sum of the products of channels 0 and 1, sample by sample (0 with fewer than two channels). */
    public double sumProduct01;
    /** Per channel: samples at the start of the block below the per-channel silence threshold. */
    public int[] channelLeadingSilentSamples = new int[0];
    /** Per channel: samples at the end of the block below the per-channel silence threshold. */
    public int[] channelTrailingSilentSamples = new int[0];
    /**
     * Per channel: clip events confirmed in this block, an event being a run of at least the minimum run of
     * consecutive samples at or beyond the clip level with the same sign (a run may have begun in an earlier block).
     */
    public int[] clipEvents = new int[0];
    /**
     * Per channel: clipped samples confirmed in this block (samples of runs that reached the minimum run; the
     * first samples of a run are counted in the block where it reaches the minimum).
     */
    public int[] clippedSamples = new int[0];
    /**
     * Per channel: offset in the block of the first sample of the first clip event confirmed here (negative when
     * its run began in an earlier block); meaningful when {@link #clipEvents} is positive.
     */
    public int[] clipStartOffset = new int[0];
    /** Per channel: offset just past the last clipped sample in the block, or -1 when the block has none. */
    public int[] clipEndOffset = new int[0];

    public boolean allSilent() {
        return leadingSilentSamples == samples;
    }

    /** Whether channel {@code c} stays below the per-channel silence threshold for the whole block. */
    public boolean channelSilent(int c) {
        return channelLeadingSilentSamples[c] == samples;
    }

    public double endSeconds() {
        return ptsSeconds + (double) samples / sampleRate;
    }

    /** Media time of the sample at {@code offset} in this block (offsets may be negative or equal to samples). */
    public double secondsAt(int offset) {
        return ptsSeconds + (double) offset / sampleRate;
    }

    /** Largest peak over all channels. */
    public double maxPeak() {
        double m = 0;
        for (int c = 0; c < channels; c++) {
            m = Math.max(m, peak[c]);
        }
        return m;
    }

    void ensureChannels(int n) {
        if (peak.length != n) {
            peak = new double[n];
            rms = new double[n];
            sum = new double[n];
            sumSquares = new double[n];
            channelLeadingSilentSamples = new int[n];
            channelTrailingSilentSamples = new int[n];
            clipEvents = new int[n];
            clippedSamples = new int[n];
            clipStartOffset = new int[n];
            clipEndOffset = new int[n];
        }
        channels = n;
    }
}
