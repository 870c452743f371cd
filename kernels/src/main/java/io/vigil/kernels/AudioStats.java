package io.vigil.kernels;

/**
 * The statistics of one block of audio: levels per channel and where the block is silent, to the sample.
 * A reusable holder, filled in place.
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

    public boolean allSilent() {
        return leadingSilentSamples == samples;
    }

    public double endSeconds() {
        return ptsSeconds + (double) samples / sampleRate;
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
        }
        channels = n;
    }
}
