package io.vigil.ffi;

/**
 * Decoded audio as float PCM, one array per channel, nominally in [-1, 1]. A reusable holder: the arrays are valid
 * for {@link #samples()} entries and only during the call that hands the block over.
 */
public final class AudioBlock {
    private float[][] channels = new float[0][];
    private int samples;
    private int sampleRate;
    private double ptsSeconds;

    /** Makes room for {@code channelCount} channels of {@code capacity} samples, keeping arrays when they fit. */
    void prepare(int channelCount, int capacity) {
        if (channels.length != channelCount) {
            channels = new float[channelCount][];
        }
        for (int c = 0; c < channelCount; c++) {
            if (channels[c] == null || channels[c].length < capacity) {
                channels[c] = new float[Math.max(capacity, 4096)];
            }
        }
    }

    void set(int samples, int sampleRate, double ptsSeconds) {
        this.samples = samples;
        this.sampleRate = sampleRate;
        this.ptsSeconds = ptsSeconds;
    }

    /** Makes this block a copy of {@code other}, to hand audio to another thread (reuses its arrays when they fit). */
    public void copyFrom(AudioBlock other) {
        prepare(other.channelCount(), other.samples());
        for (int c = 0; c < channels.length; c++) {
            System.arraycopy(other.channels[c], 0, channels[c], 0, other.samples());
        }
        set(other.samples(), other.sampleRate(), other.ptsSeconds());
    }

    /** Samples of channel {@code c}; entries past {@link #samples()} are stale. */
    public float[] channel(int c) {
        return channels[c];
    }

    public int channelCount() {
        return channels.length;
    }

    /** Samples per channel in this block. */
    public int samples() {
        return samples;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Moves this block (a copy) {@code seconds} later on the timeline. */
    public void shiftPts(double seconds) {
        ptsSeconds += seconds;
    }

    /** Media time of the first sample, in seconds, the input's first timestamp being 0. */
    public double ptsSeconds() {
        return ptsSeconds;
    }

    /** Media time just after the last sample. */
    public double endSeconds() {
        return ptsSeconds + (double) samples / sampleRate;
    }
}
