package io.vigil.server;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Frame-to-alarm latency of one stream: the wall time from the arrival of the frame (or audio block) that made an
 * alarm fire to the moment its event was published. Prometheus histogram buckets; thread-safe, no allocation.
 */
public final class LatencyHistogram {
    /** Upper bounds of the buckets, seconds (the last, +Inf, is implicit). */
    public static final double[] BOUNDS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_SECONDS.length + 1);
    private final DoubleAdder sumSeconds = new DoubleAdder();

    public void observe(double seconds) {
        int i = 0;
        while (i < BOUNDS_SECONDS.length && seconds > BOUNDS_SECONDS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumSeconds.add(seconds);
    }

    /** Observations at or below {@code BOUNDS_SECONDS[i]} (cumulative, as Prometheus wants); i = length for +Inf. */
    public long cumulativeCount(int i) {
        long n = 0;
        for (int k = 0; k <= i; k++) {
            n += counts.get(k);
        }
        return n;
    }

    public long count() {
        return cumulativeCount(BOUNDS_SECONDS.length);
    }

    public double sumSeconds() {
        return sumSeconds.sum();
    }

    /** The bucket bound below which a share {@code q} (0..1) of observations fall; NaN when there are none. */
    public double quantileUpperBound(double q) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long need = (long) Math.ceil(q * total);
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            if (cumulativeCount(i) >= need) {
                return BOUNDS_SECONDS[i];
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
