package io.vigil.kernels;

/**
 * The loudness of every measured block (400 ms gating blocks for the integrated loudness, 3 s short-term values for
 * the loudness range) in a fixed histogram, as libebur128 keeps them, so that memory does not grow with the length
 * of the input: bins of 0.1 LU from the absolute gate (-70 LUFS) up to +30 LUFS, louder blocks in the top bin.
 * Each bin keeps the exact sum of its blocks' energies as well as their count, so that the gated mean is exact
 * except for the one bin that the relative gate cuts through, and percentiles are the mean of their bin.
 */
final class LoudnessHistogram {
    static final double ABSOLUTE_GATE_LUFS = -70.0;
    private static final double TOP_LUFS = 30.0;
    private static final int BINS_PER_LU = 10;
    private static final int BINS = (int) ((TOP_LUFS - ABSOLUTE_GATE_LUFS) * BINS_PER_LU);
    /** The mean square of a block at the absolute gate. */
    private static final double ABSOLUTE_GATE_ENERGY = LoudnessMeter.energyOf(ABSOLUTE_GATE_LUFS);

    private final long[] counts = new long[BINS];
    private final double[] energies = new double[BINS];
    private long count;
    private double energy;

    /** Adds a block of mean square (channel-weighted, K-weighted) {@code e}; those at or below -70 LUFS are gated out. */
    void add(double e) {
        if (!(e > ABSOLUTE_GATE_ENERGY)) {
            return;
        }
        int bin = binOf(LoudnessMeter.lufsOf(e));
        counts[bin]++;
        energies[bin] += e;
        count++;
        energy += e;
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        java.util.Arrays.fill(energies, 0);
        count = 0;
        energy = 0;
    }

    /** Blocks above the absolute gate. */
    long count() {
        return count;
    }

    /**
     * The mean energy of the blocks above a relative gate {@code relativeLu} (negative) below the mean of all blocks
     * above the absolute gate; 0 when there are none.
     */
    double gatedMeanEnergy(double relativeLu) {
        if (count == 0) {
            return 0;
        }
        double threshold = energy / count * Math.pow(10, relativeLu / 10);
        int first = firstBinAbove(threshold);
        long n = 0;
        double sum = 0;
        for (int b = first; b < BINS; b++) {
            n += counts[b];
            sum += energies[b];
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * EBU Tech 3342's loudness range: the distance between the 10th and the 95th percentile of the blocks above
     * a relative gate {@code relativeLu} below their absolute-gated mean; 0 when there are none.
     */
    double range(double relativeLu, double lowPercentile, double highPercentile) {
        if (count == 0) {
            return 0;
        }
        double threshold = energy / count * Math.pow(10, relativeLu / 10);
        int first = firstBinAbove(threshold);
        long n = 0;
        for (int b = first; b < BINS; b++) {
            n += counts[b];
        }
        if (n == 0) {
            return 0;
        }
        // Nearest rank among the n gated values in ascending order, as libebur128 takes it.
        long low = (long) ((n - 1) * lowPercentile + 0.5);
        long high = (long) ((n - 1) * highPercentile + 0.5);
        return binLufs(binOfRank(first, high)) - binLufs(binOfRank(first, low));
    }

    /**
     * The first bin whose blocks count as above an energy threshold: bins entirely above it, and the bin that the
     * threshold falls in when its blocks' mean is above it.
     */
    private int firstBinAbove(double threshold) {
        if (!(threshold > ABSOLUTE_GATE_ENERGY)) {
            return 0;
        }
        int bin = binOf(LoudnessMeter.lufsOf(threshold));
        if (counts[bin] > 0 && energies[bin] / counts[bin] <= threshold) {
            bin++;
        }
        return bin;
    }

    private int binOfRank(int first, long rank) {
        long seen = 0;
        for (int b = first; b < BINS; b++) {
            seen += counts[b];
            if (seen > rank) {
                return b;
            }
        }
        return BINS - 1;
    }

    /** The loudness of a bin's blocks taken together. */
    private double binLufs(int bin) {
        return LoudnessMeter.lufsOf(energies[bin] / counts[bin]);
    }

    private static int binOf(double lufs) {
        int bin = (int) Math.floor((lufs - ABSOLUTE_GATE_LUFS) * BINS_PER_LU);
        return Math.clamp(bin, 0, BINS - 1);
    }
}
