package io.vigil.server;

import java.time.Instant;
import java.util.Map;

/**
 * A stream's key statistics at one moment, for the dashboard's live charts (about one a second per stream; not part
 * of the alarm contract, so never sent to webhooks or the JSON-lines log).
 *
 * @param values by name: lumaMean, darkFraction, mafd, momentaryLufs, shortTermLufs, ... (absent when not measured)
 */
public record StatsSample(String stream, Instant wall, double mediaSeconds, Map<String, Double> values) {
    public StatsSample {
        values = Map.copyOf(values);
    }
}
