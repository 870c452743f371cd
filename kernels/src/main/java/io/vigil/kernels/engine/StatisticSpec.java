package io.vigil.kernels.engine;

/**
 * One video statistic a stream's detectors read, with the parameters that change how it is computed: a small
 * immutable value, composed into a {@link StatisticsRequest}. Sealed, so that every provider's switch over the
 * statistics is checked by the compiler: adding a statistic adds a record here and a case to each provider.
 */
public sealed interface StatisticSpec {
    /**
     * The luma statistics: the share of dark samples, the mean, minimum and maximum (io.vigil.kernels.LumaStats).
     *
     * @param pixelThreshold blackdetect's {@code pix_th}: a sample is dark at or below this share of the luma range
     */
    record Luma(double pixelThreshold) implements StatisticSpec {
        public Luma {
            requireRatio(pixelThreshold, "pixel threshold");
        }
    }

    /**
     * freezedetect's mean absolute frame difference against a reference frame (io.vigil.kernels.FrameDifference).
     *
     * @param noise       freezedetect's noise tolerance (an amplitude ratio), which decides when the reference moves on
     * @param recodeNoise the largest 16x16 block difference against the still run's first frame that is still the
     *                    same picture coded again (a ratio of the range); 0 is freezedetect's rule alone
     */
    record FrameDifference(double noise, double recodeNoise) implements StatisticSpec {
        public FrameDifference {
            requireRatio(noise, "noise tolerance");
            requireRatio(recodeNoise, "re-coding tolerance");
        }

        /** freezedetect's rule alone. */
        public FrameDifference(double noise) {
            this(noise, 0);
        }
    }

    /** signalstats' BRNG: the share of pixels outside broadcast range (io.vigil.kernels.BroadcastRange). */
    record BroadcastRange() implements StatisticSpec {
    }

    /**
     * cropdetect's black bars (io.vigil.kernels.Letterbox).
     *
     * @param limit cropdetect's {@code limit}: a line is black when its mean is at most this share of the range
     */
    record Letterbox(double limit) implements StatisticSpec {
        public Letterbox {
            requireRatio(limit, "letterbox limit");
        }
    }

    /** Blocking at the 8x8 coding grid (io.vigil.kernels.Blockiness). */
    record Blockiness() implements StatisticSpec {
    }

    /** Test bars and flatness, for still slates (io.vigil.kernels.ColorBars). */
    record ColorBars() implements StatisticSpec {
    }

    /** The mean edge width, blurdetect's meaning (io.vigil.kernels.Blur). */
    record Blur() implements StatisticSpec {
    }

    private static void requireRatio(double value, String what) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(what + " must be within 0..1, got " + value);
        }
    }
}
