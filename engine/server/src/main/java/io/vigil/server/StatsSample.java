package io.vigil.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stream's key statistics at one moment, for the dashboard's live charts (about one a second per stream; not part
 * of the alarm contract, so never sent to webhooks or the JSON-lines log).
 *
 * @param values by name: lumaMean, darkFraction, mafd, momentaryLufs, shortTermLufs, ... (absent when not measured)
 * @param levels the audio level meters' frames since the previous sample, oldest first (about ten a second; empty
 *        without audio)
 */
public record StatsSample(String stream, Instant wall, double mediaSeconds, Map<String, Double> values,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Levels> levels) {
    public StatsSample {
        values = Map.copyOf(values);
        levels = List.copyOf(levels);
    }

    public StatsSample(String stream, Instant wall, double mediaSeconds, Map<String, Double> values) {
        this(stream, wall, mediaSeconds, values, List.of());
    }

    /**
     * One frame of the level meters: per channel, the peak and the RMS level of the audio since the frame before, in
     * dBFS (-100: silence), and the channel's own momentary loudness (BS.1770, K-weighted, the last 400 ms, in LUFS
     * with the channel weighted 1: the loudness it would have as a mono programme; -100: silence), null when
     * loudness is not measured (the {@code loudness} detector is off).
     */
    public record Levels(double[] peakDbfs, double[] levelDbfs,
                         @JsonInclude(JsonInclude.Include.NON_NULL) double[] momentaryLufs) {
        public Levels(double[] peakDbfs, double[] levelDbfs) {
            this(peakDbfs, levelDbfs, null);
        }

        /**
         * Takes the meter figures ({@code peakDbfs.N}, {@code levelDbfs.N}, {@code momentaryLufs.N}, see the
         * analyser's sample) out of {@code figures}; null when it has none.
         */
        public static Levels take(Map<String, Double> figures) {
            int channels = 0;
            while (figures.containsKey("peakDbfs." + channels)) {
                channels++;
            }
            if (channels == 0) {
                return null;
            }
            double[] peak = new double[channels];
            double[] level = new double[channels];
            double[] loudness = new double[channels];
            boolean loudnessComplete = true;
            for (int c = 0; c < channels; c++) {
                peak[c] = figures.remove("peakDbfs." + c);
                Double l = figures.remove("levelDbfs." + c);
                level[c] = l == null ? peak[c] : l;
                Double m = figures.remove("momentaryLufs." + c);
                loudnessComplete &= m != null;
                loudness[c] = m == null ? Double.NaN : m;
            }
            return new Levels(peak, level, loudnessComplete ? loudness : null);
        }
    }
}
