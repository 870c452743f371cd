package io.vigil.ffi;

/** Audio blocks made in memory, for tests that feed a pipeline without a decoder. */
public final class AudioBlocks {
    private AudioBlocks() {
    }

    /** Fills {@code block} with {@code samples} samples of each channel of {@code data}, from {@code ptsSeconds}. */
    public static void fill(AudioBlock block, float[][] data, int samples, int sampleRate, double ptsSeconds) {
        block.prepare(data.length, samples);
        for (int c = 0; c < data.length; c++) {
            System.arraycopy(data[c], 0, block.channel(c), 0, samples);
        }
        block.set(samples, sampleRate, ptsSeconds);
    }
}
