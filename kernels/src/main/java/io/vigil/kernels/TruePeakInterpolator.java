package io.vigil.kernels;

/**
 * True peak after ITU-R BS.1770-4 Annex 2: 4x oversampling through the recommendation's 48-tap interpolating FIR
 * (four phases of 12 taps), the largest absolute value of the oversampled signal. The sample values themselves also
 * count: the filter's phases fall between the input samples, and a true peak is never below the sample peak. In
 * floating point there is no need for the Annex's 12.04 dB attenuation. One history of 12 samples per channel.
 */
final class TruePeakInterpolator {
    static final int TAPS = 12;

    /** Phase p gives the oversampled value y[4n + p] = sum over k of PHASES[p][k] * x[n - k]. */
    private static final double[][] PHASES = {
            {0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
                    0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250,
                    -0.0083007812500},
            {-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
                    0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875,
                    -0.0189208984375},
            {-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125, 0.7797851562500,
                    0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000, 0.0292968750000,
                    -0.0291748046875},
            {-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750, 0.9721679687500,
                    0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125, 0.0109863281250,
                    0.0017089843750}};

    /**
     * Per channel, the last {@link #TAPS} samples twice over ({@code history[c][pos + k] == history[c][pos + k +
     * TAPS]}), newest at {@code pos}: the window x[n], x[n-1] ... x[n-11] is always contiguous.
     */
    private final double[][] history;
    private final int[] position;

    TruePeakInterpolator(int channels) {
        history = new double[channels][2 * TAPS];
        position = new int[channels];
    }

    /** Feeds {@code x[from..to)} of channel {@code c}; returns the largest absolute value, oversampled, among them. */
    double peak(int c, float[] x, int from, int to) {
        final double[] h = history[c];
        final double[] p0 = PHASES[0];
        final double[] p1 = PHASES[1];
        final double[] p2 = PHASES[2];
        final double[] p3 = PHASES[3];
        int pos = position[c];
        double max = 0;
        for (int i = from; i < to; i++) {
            double in = x[i];
            pos = pos == 0 ? TAPS - 1 : pos - 1;
            h[pos] = in;
            h[pos + TAPS] = in;
            double y0 = 0;
            double y1 = 0;
            double y2 = 0;
            double y3 = 0;
            for (int k = 0; k < TAPS; k++) {
                double v = h[pos + k];
                y0 += p0[k] * v;
                y1 += p1[k] * v;
                y2 += p2[k] * v;
                y3 += p3[k] * v;
            }
            double m = Math.max(Math.max(Math.abs(y0), Math.abs(y1)), Math.max(Math.abs(y2), Math.abs(y3)));
            max = Math.max(max, Math.max(m, Math.abs(in)));
        }
        position[c] = pos;
        return max;
    }
}
