package io.vigil.engine.detect.spec;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.CorrelationRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Every detector this build has, from their specs, in display order; found through {@link DetectorProvider}
 * services, so that adding a detector edits no list. Checks on loading that the specs fit together (names, the
 * parameters they name, one source per statistic figure) and builds a stream's {@link Lineup} from a config.
 */
public final class DetectorRegistry {
    /** Names the output contract reserves for detectors that later versions add. */
    private static final List<String> CONTRACT_NAMES = List.of("tr101290", "captions", "scte35", "logo_missing", "slate");

    private final List<DetectorSpec> specs;
    private final Map<String, DetectorSpec> byName = new HashMap<>();

    private DetectorRegistry(Collection<DetectorSpec> specs) {
        this.specs = specs.stream().sorted(Comparator.comparingInt(DetectorSpec::order)).toList();
        for (DetectorSpec s : this.specs) {
            if (byName.put(s.name(), s) != null) {
                throw new IllegalStateException("two detectors are named " + s.name());
            }
        }
        check();
    }

    /** The detectors on the class path (loaded once, on first use). */
    public static DetectorRegistry standard() {
        return Standard.REGISTRY;
    }

    private static final class Standard {
        static final DetectorRegistry REGISTRY = of(ServiceLoader.load(DetectorProvider.class,
                DetectorRegistry.class.getClassLoader()).stream().map(p -> p.get().spec()).toList());
    }

    /** A registry of exactly {@code specs} (checked as the standard one is). */
    public static DetectorRegistry of(Collection<DetectorSpec> specs) {
        return new DetectorRegistry(specs);
    }

    public List<DetectorSpec> specs() {
        return specs;
    }

    public List<String> names() {
        return specs.stream().map(DetectorSpec::name).toList();
    }

    public Optional<DetectorSpec> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public DetectorSpec spec(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no detector named " + name));
    }

    /** Names the contract reserves for detectors this version does not have. */
    public List<String> reserved() {
        return CONTRACT_NAMES.stream().filter(n -> !byName.containsKey(n)).toList();
    }

    /** Every detector's default settings, in display order. */
    public SequencedMap<String, DetectorSettings> defaults() {
        SequencedMap<String, DetectorSettings> out = new LinkedHashMap<>();
        specs.forEach(s -> out.put(s.name(), s.defaults()));
        return out;
    }

    /** {@code name}'s settings in {@code config}, or its defaults when the config leaves it out. */
    public DetectorSettings settingsOf(SequencedMap<String, DetectorSettings> config, String name) {
        DetectorSettings s = config.get(name);
        return s != null ? s : spec(name).defaults();
    }

    /** The value of {@code ref} in {@code config} as a number (a level's ratio). */
    public double number(SequencedMap<String, DetectorSettings> config, ParamRef ref) {
        return spec(ref.detector()).parameter(ref.parameter()).numberIn(settingsOf(config, ref.detector()));
    }

    /** Whether {@code name} runs under {@code config} (a detector the config leaves out does not). */
    public static boolean enabled(SequencedMap<String, DetectorSettings> config, String name) {
        DetectorSettings s = config.get(name);
        return s != null && s.enabled();
    }

    /** How the alarms of a stream configured by {@code config} explain each other, from the specs. */
    public CorrelationRules correlationRules(SequencedMap<String, DetectorSettings> config) {
        Map<String, List<String>> explainedBy = new HashMap<>();
        List<CorrelationRules.Combined> combined = new ArrayList<>();
        for (DetectorSpec s : specs) {
            for (String explained : s.explains()) {
                explainedBy.computeIfAbsent(explained, k -> new ArrayList<>()).add(s.name());
            }
            if (!s.combines().isEmpty() && enabled(config, s.name())) {
                combined.add(new CorrelationRules.Combined(s.name(), s.combines().get(0), s.combines().get(1),
                        config.get(s.name()).severity(), s.title()));
            }
        }
        return new CorrelationRules(explainedBy, combined);
    }

    /**
     * Makes the detectors that {@code config} enables (in its order) for the stream of {@code tracker}, after setting
     * the tracker's correlation rules, and collects the statistics they read with the figures they set.
     */
    public Lineup build(SequencedMap<String, DetectorSettings> config, AlarmTracker tracker) {
        tracker.correlate(correlationRules(config));
        List<Detector> detectors = new ArrayList<>();
        Set<Statistic> statistics = EnumSet.noneOf(Statistic.class);
        Map<StatisticParameter, Double> figures = new EnumMap<>(StatisticParameter.class);
        Map<String, Set<Statistic>> readsByDetector = new HashMap<>();
        Map<StatisticParameter, String> files = new EnumMap<>(StatisticParameter.class);
        for (DetectorSettings s : config.values()) {
            if (!s.enabled()) {
                continue;
            }
            DetectorSpec spec = spec(s.detector());
            if (spec.factory() == null) {
                continue;   // a combined alarm: the tracker raises it from its parts
            }
            detectors.add(spec.factory().create(new DetectorContext(spec, s, tracker, ref -> number(config, ref),
                    name -> enabled(config, name))));
            Set<Statistic> reads = EnumSet.noneOf(Statistic.class);
            for (StatisticRead read : spec.readsWith(s)) {
                reads.add(read.statistic());
                statistics.add(read.statistic());
                read.sets().forEach((figure, ref) -> {
                    if (spec(ref.detector()).parameter(ref.parameter()).type() == ParamType.FILES) {
                        files.put(figure, String.join(", ", settingsOf(config, ref.detector()).files(ref.parameter())
                                .stream().map(java.nio.file.Path::toString).toList()));
                    } else {
                        figures.put(figure, number(config, ref));
                    }
                });
            }
            readsByDetector.put(spec.name(), reads);
        }
        return new Lineup(detectors, statistics, figures, readsByDetector, files);
    }

    /** The specs fit together: what they name exists, and each statistic figure has one source. */
    private void check() {
        Map<StatisticParameter, ParamRef> sources = new EnumMap<>(StatisticParameter.class);
        Set<Integer> orders = new HashSet<>();
        Set<String> combinedParts = new HashSet<>();
        int darkRuns = 0;
        int stillReferences = 0;
        for (DetectorSpec s : specs) {
            String where = "detector " + s.name() + ": ";
            require(orders.add(s.order()), where + "its order " + s.order() + " is another detector's too");
            require((s.factory() == null) == !s.combines().isEmpty(),
                    where + "needs a factory, or two detectors it combines (and not both)");
            for (StatisticRead r : s.reads()) {
                if (r.whenFlag() != null) {
                    requireParameter(where, ParamRef.of(s.name(), r.whenFlag()), ParamType.FLAG);
                }
                r.sets().forEach((figure, ref) -> {
                    requireParameter(where, ref, null);
                    ParamRef before = sources.putIfAbsent(figure, ref);
                    require(before == null || before.equals(ref), where + figure + " is set from " + ref
                            + " here and from " + before + " elsewhere");
                });
            }
            s.uses().forEach(ref -> requireParameter(where, ref, null));
            s.explains().forEach(n -> require(byName.containsKey(n), where + "explains unknown detector " + n));
            for (String part : s.combines()) {
                require(byName.containsKey(part), where + "combines unknown detector " + part);
                require(combinedParts.add(part), where + part + " is already part of another combined alarm");
            }
            switch (s.evidence()) {
                case Evidence.DarkRun d -> {
                    darkRuns++;
                    requireParameter(where, ParamRef.of(s.name(), d.parameter()), ParamType.NUMBER);
                }
                case Evidence.StillReference r -> {
                    stillReferences++;
                    requireParameter(where, ParamRef.of(s.name(), r.parameter()), ParamType.LEVEL);
                }
                case Evidence.SameAs a -> require(byName.containsKey(a.detector()),
                        where + "shows the picture of unknown detector " + a.detector());
                case Evidence.None n -> {
                }
                case Evidence.ConditionStart c -> {
                }
            }
        }
        // The thumbnail keeper holds one dark run and one still reference per stream.
        require(darkRuns <= 1 && stillReferences <= 1, "at most one detector may show a dark run or a still reference");
    }

    private void requireParameter(String where, ParamRef ref, ParamType type) {
        DetectorSpec owner = byName.get(ref.detector());
        ParamSpec p = owner == null ? null : owner.parameter(ref.parameter());
        require(p != null, where + "names " + ref + ", which no detector declares");
        require(type == null || p.type() == type, where + ref + " must be a " + (type == null ? "" : type.wireName()));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
