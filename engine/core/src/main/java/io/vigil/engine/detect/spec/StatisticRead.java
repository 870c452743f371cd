package io.vigil.engine.detect.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A statistic a detector reads, when it reads it, and which detector parameters set how it is computed: black reads
 * {@code LUMA} with its {@code pixelThreshold} as the {@link StatisticParameter#DARK_LEVEL}; letterbox reads the same
 * statistic with black's. Only the statistics some running detector reads are computed.
 *
 * @param whenFlag a flag parameter of the reading detector without which it does not read this statistic, or null
 * @param sets the statistic's figures and the parameters they come from
 */
public record StatisticRead(Statistic statistic, String whenFlag, Map<StatisticParameter, ParamRef> sets) {
    public StatisticRead {
        for (StatisticParameter p : sets.keySet()) {
            if (p.statistic() != statistic) {
                throw new IllegalArgumentException(p + " parameterises " + p.statistic() + ", not " + statistic);
            }
        }
        sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    }

    public static StatisticRead of(Statistic statistic) {
        return new StatisticRead(statistic, null, Map.of());
    }

    /** Read only while the reading detector's flag {@code flag} is true. */
    public StatisticRead when(String flag) {
        return new StatisticRead(statistic, flag, sets);
    }

    /** The statistic's figure {@code figure} comes from {@code detector}'s parameter {@code parameter}. */
    public StatisticRead setting(StatisticParameter figure, String detector, String parameter) {
        Map<StatisticParameter, ParamRef> more = new LinkedHashMap<>(sets);
        more.put(figure, ParamRef.of(detector, parameter));
        return new StatisticRead(statistic, whenFlag, more);
    }

    /** Whether a detector with {@code settings} reads this statistic. */
    public boolean activeFor(DetectorSettings settings) {
        return whenFlag == null || settings.flag(whenFlag);
    }
}
