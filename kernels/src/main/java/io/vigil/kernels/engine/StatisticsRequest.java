package io.vigil.kernels.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which video statistics one stream's detectors read, each with its parameters: at most one
 * {@link StatisticSpec} of each kind. Immutable; built fluently:
 * {@code StatisticsRequest.builder().luma(0.1).frameDifference(0.001).build()}.
 */
public final class StatisticsRequest {
    /** No video statistic at all. */
    public static final StatisticsRequest NONE = builder().build();

    private final Map<Class<? extends StatisticSpec>, StatisticSpec> specs;

    private StatisticsRequest(Map<Class<? extends StatisticSpec>, StatisticSpec> specs) {
        this.specs = specs;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every statistic asked for, in the order the builder was given them. */
    public List<StatisticSpec> specs() {
        return List.copyOf(specs.values());
    }

    /** The statistic of kind {@code kind}, when it is asked for. */
    public <S extends StatisticSpec> Optional<S> find(Class<S> kind) {
        return Optional.ofNullable(kind.cast(specs.get(kind)));
    }

    /** Whether any statistic is asked for (a stream without video detectors needs none). */
    public boolean any() {
        return !specs.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatisticsRequest other && specs.equals(other.specs);
    }

    @Override
    public int hashCode() {
        return specs.hashCode();
    }

    @Override
    public String toString() {
        return "StatisticsRequest" + specs.values();
    }

    /** Collects the statistics; a second one of the same kind replaces the first. */
    public static final class Builder {
        private final Map<Class<? extends StatisticSpec>, StatisticSpec> specs = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder with(StatisticSpec spec) {
            specs.put(spec.getClass(), spec);
            return this;
        }

        public Builder luma(double pixelThreshold) {
            return with(new StatisticSpec.Luma(pixelThreshold));
        }

        public Builder frameDifference(double noise) {
            return with(new StatisticSpec.FrameDifference(noise));
        }

        /** The frame difference, with a still run kept across re-codings of the same picture (see FrameDifference). */
        public Builder frameDifference(double noise, double recodeNoise) {
            return with(new StatisticSpec.FrameDifference(noise, recodeNoise));
        }

        public Builder broadcastRange() {
            return with(new StatisticSpec.BroadcastRange());
        }

        public Builder letterbox(double limit) {
            return with(new StatisticSpec.Letterbox(limit));
        }

        public Builder blockiness() {
            return with(new StatisticSpec.Blockiness());
        }

        public Builder colorBars() {
            return with(new StatisticSpec.ColorBars());
        }

        public Builder blur() {
            return with(new StatisticSpec.Blur());
        }

        public StatisticsRequest build() {
            return new StatisticsRequest(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(specs)));
        }
    }
}
