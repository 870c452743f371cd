package io.vigil.kernels;

/**
 * The K-weighting of ITU-R BS.1770-4 (a high shelf of about +4 dB above 1.5 kHz, then the RLB high-pass at 38 Hz)
 * for any sample rate, with one filter state per channel. The coefficients come from the analog prototype through
 * the bilinear transform as libebur128 derives them (the same parameters FFmpeg's ebur128 was fitted to), so that
 * at 48 kHz they are the recommendation's published coefficients and at other rates the same filter.
 */
final class KWeighting {
    /** Below this a filter state is flushed to zero, before it could decay into subnormals (slow on most CPUs). */
    private static final double FLUSH = 1e-30;

    // Stage 1, the shelf: y = b0 x + z1; z1 = b1 x - a1 y + z2; z2 = b2 x - a2 y (transposed direct form II).
    private final double b0;
    private final double b1;
    private final double b2;
    private final double a1;
    private final double a2;
    // Stage 2, the high-pass: numerator 1, -2, 1 (as the recommendation gives it), denominator 1, c1, c2.
    private final double c1;
    private final double c2;
    private final double[] shelf1;
    private final double[] shelf2;
    private final double[] pass1;
    private final double[] pass2;

    KWeighting(int sampleRate, int channels) {
        double f0 = 1681.974450955533;
        double gainDb = 3.999843853973347;
        double q = 0.7071752369554196;
        double k = Math.tan(Math.PI * f0 / sampleRate);
        double vh = Math.pow(10.0, gainDb / 20.0);
        double vb = Math.pow(vh, 0.4996667741545416);
        double a0 = 1.0 + k / q + k * k;
        b0 = (vh + vb * k / q + k * k) / a0;
        b1 = 2.0 * (k * k - vh) / a0;
        b2 = (vh - vb * k / q + k * k) / a0;
        a1 = 2.0 * (k * k - 1.0) / a0;
        a2 = (1.0 - k / q + k * k) / a0;

        f0 = 38.13547087602444;
        q = 0.5003270373238773;
        k = Math.tan(Math.PI * f0 / sampleRate);
        double d0 = 1.0 + k / q + k * k;
        c1 = 2.0 * (k * k - 1.0) / d0;
        c2 = (1.0 - k / q + k * k) / d0;

        shelf1 = new double[channels];
        shelf2 = new double[channels];
        pass1 = new double[channels];
        pass2 = new double[channels];
    }

    /** Filters {@code x[from..to)} of channel {@code c} and returns the sum of the squares of the filtered samples. */
    double sumOfSquares(int c, float[] x, int from, int to) {
        final double b0 = this.b0;
        final double b1 = this.b1;
        final double b2 = this.b2;
        final double a1 = this.a1;
        final double a2 = this.a2;
        final double c1 = this.c1;
        final double c2 = this.c2;
        double s1 = shelf1[c];
        double s2 = shelf2[c];
        double p1 = pass1[c];
        double p2 = pass2[c];
        double sum = 0;
        for (int i = from; i < to; i++) {
            double in = x[i];
            double shelved = b0 * in + s1;
            s1 = b1 * in - a1 * shelved + s2;
            s2 = b2 * in - a2 * shelved;
            double out = shelved + p1;
            p1 = -2.0 * shelved - c1 * out + p2;
            p2 = shelved - c2 * out;
            sum += out * out;
        }
        shelf1[c] = s1;
        shelf2[c] = s2;
        pass1[c] = p1;
        pass2[c] = p2;
        return sum;
    }

    /** Zeroes states too small to matter, so that silence never drives the filters into subnormal numbers. */
    void flushTinyStates() {
        flush(shelf1);
        flush(shelf2);
        flush(pass1);
        flush(pass2);
    }

    private static void flush(double[] states) {
        for (int c = 0; c < states.length; c++) {
            if (Math.abs(states[c]) < FLUSH) {
                states[c] = 0;
            }
        }
    }
}
