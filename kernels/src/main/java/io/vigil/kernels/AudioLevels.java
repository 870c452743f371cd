package io.vigil.kernels;

import io.vigil.ffi.AudioBlock;

/**
 * Per-channel peak and RMS of a block, and its silent head and tail: silencedetect's test, a sample being silent
 * when {@code -noise < s < noise}, with all channels together (a sample instant is silent only if every channel is).
 */
public final class AudioLevels {
    private final float noise;

    /** @param noise silencedetect's {@code n} as an amplitude ratio (0.001 is -60 dB) */
    public AudioLevels(double noise) {
        if (!(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("noise tolerance must be within 0..1, got " + noise);
        }
        this.noise = (float) noise;
    }

    public void compute(AudioBlock block, AudioStats out) {
        int n = block.samples();
        int channels = block.channelCount();
        out.ensureChannels(channels);
        out.ptsSeconds = block.ptsSeconds();
        out.samples = n;
        out.sampleRate = block.sampleRate();
        int firstLoud = n;
        int lastLoud = -1;
        for (int c = 0; c < channels; c++) {
            float[] s = block.channel(c);
            float peak = 0;
            double energy = 0;
            int first = n;
            int last = -1;
            for (int i = 0; i < n; i++) {
                float v = s[i];
                float a = Math.abs(v);
                peak = Math.max(peak, a);
                energy += v * v;
                if (!(a < noise)) {
                    first = Math.min(first, i);
                    last = i;
                }
            }
            out.peak[c] = peak;
            out.rms[c] = n == 0 ? 0 : Math.sqrt(energy / n);
            firstLoud = Math.min(firstLoud, first);
            lastLoud = Math.max(lastLoud, last);
        }
        out.leadingSilentSamples = firstLoud;
        out.trailingSilentSamples = lastLoud < 0 ? n : n - 1 - lastLoud;
    }
}
