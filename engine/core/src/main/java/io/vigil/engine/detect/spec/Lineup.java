package io.vigil.engine.detect.spec;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One stream's detectors, as {@link DetectorRegistry#build} made them from the config, and the statistics they read
 * with the figures that parameterise them: everything the pipeline needs to compute and hand over.
 *
 * @param detectors the running detectors, in the config's order
 * @param statistics the statistics some running detector reads
 * @param parameters the statistics' figures that running detectors set
 * @param readsByDetector the statistics each running detector reads, by its name
 */
public record Lineup(List<Detector> detectors, Set<Statistic> statistics, Map<StatisticParameter, Double> parameters,
                     Map<String, Set<Statistic>> readsByDetector) {
    public Lineup {
        detectors = List.copyOf(detectors);
        statistics = Collections.unmodifiableSet(statistics.isEmpty() ? EnumSet.noneOf(Statistic.class)
                : EnumSet.copyOf(statistics));
        parameters = Map.copyOf(parameters);
        readsByDetector = Map.copyOf(readsByDetector);
    }

    /** Whether the detector named {@code detector} reads {@code statistic}. */
    public boolean reads(String detector, Statistic statistic) {
        return readsByDetector.getOrDefault(detector, Set.of()).contains(statistic);
    }

    public boolean reads(Statistic statistic) {
        return statistics.contains(statistic);
    }

    /** The figure as a running detector set it, or its {@link StatisticParameter#unset() unset} value. */
    public double parameter(StatisticParameter figure) {
        return parameters.getOrDefault(figure, figure.unset());
    }
}
