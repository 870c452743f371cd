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
 * @param files the statistics' picture files that running detectors set (a {@link ParamType#FILES} value each)
 */
public record Lineup(List<Detector> detectors, Set<Statistic> statistics, Map<StatisticParameter, Double> parameters,
                     Map<String, Set<Statistic>> readsByDetector, Map<StatisticParameter, String> files) {
    /** A lineup whose statistics take no files. */
    public Lineup(List<Detector> detectors, Set<Statistic> statistics, Map<StatisticParameter, Double> parameters,
                  Map<String, Set<Statistic>> readsByDetector) {
        this(detectors, statistics, parameters, readsByDetector, Map.of());
    }

    public Lineup {
        files = Map.copyOf(files);
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

    /** The picture files a running detector set for {@code figure}, in order; none when it set none. */
    public List<java.nio.file.Path> files(StatisticParameter figure) {
        return ParamType.paths(files.getOrDefault(figure, ""));
    }
}
