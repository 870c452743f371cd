package io.vigil.kernels;

import java.util.Arrays;

/**
 * BS.1770's gated integrated loudness over the last {@code seconds} of gating blocks only (a sliding programme
 * loudness, as EBU Tech 3341's "integrated" over a window instead of since the start): the 400 ms blocks that lie
 * wholly in the window, one every 100 ms, gated at -70 LUFS absolute and -10 LU under the mean of the blocks above
 * that. A ring of block energies: fixed memory, two passes over it per value (a few hundred additions).
 */
final class SlidingGatedLoudness {
    private static final double ABSOLUTE_GATE_ENERGY = LoudnessMeter.energyOf(LoudnessMeter.ABSOLUTE_GATE_LUFS);
    private static final double RELATIVE_GATE_RATIO = Math.pow(10, LoudnessMeter.RELATIVE_GATE_LU / 10);

    private final double[] ring;
    private int next;
    private int held;

    /**
     * @param blocks gating blocks in the window: for a window of {@code s} seconds, {@code 10 s - 3} (the 400 ms
     *               blocks, 100 ms apart, that fit in it)
     */
    SlidingGatedLoudness(int blocks) {
        ring = new double[blocks];
    }

    void add(double energy) {
        ring[next] = energy;
        next = (next + 1) % ring.length;
        held = Math.min(held + 1, ring.length);
    }

    /** Whether the window is covered: as many blocks as it holds have been added since it was cleared. */
    boolean full() {
        return held == ring.length;
    }

    void clear() {
        Arrays.fill(ring, 0);
        next = 0;
        held = 0;
    }

    /** The gated mean energy of the blocks held; 0 when none is above the absolute gate. */
    double gatedMeanEnergy() {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < held; i++) {
            if (ring[i] > ABSOLUTE_GATE_ENERGY) {
                sum += ring[i];
                n++;
            }
        }
        if (n == 0) {
            return 0;
        }
        double threshold = Math.max(ABSOLUTE_GATE_ENERGY, sum / n * RELATIVE_GATE_RATIO);
        double gated = 0;
        int m = 0;
        for (int i = 0; i < held; i++) {
            if (ring[i] > threshold) {
                gated += ring[i];
                m++;
            }
        }
        return m == 0 ? 0 : gated / m;
    }
}
