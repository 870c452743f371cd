package io.vigil.engine.detect.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.CorrelationRules;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.config.VigilConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The registry finds every detector through its provider, and the specs give exactly what the hand-written defaults,
 * the construction switch and the correlation fields gave before them.
 */
class DetectorRegistryTest {
    static final DetectorRegistry REGISTRY = DetectorRegistry.standard();
    /** The display order before the specs (Defaults.DETECTORS). */
    static final List<String> ORDER = List.of("black", "freeze", "silence", "discontinuity", "signal_loss", "loudness",
            "channel_loss", "clipping", "phase", "dc_offset", "stall", "av_drift", "corruption", "flash", "brng",
            "letterbox", "blockiness", "colorbars", "blur");

    /** The defaults as Defaults.detectors() wrote them out by hand. */
    static Map<String, DetectorSettings> handWritten() {
        Map<String, DetectorSettings> d = new LinkedHashMap<>();
        d.put("black", settings("black", true, 2, 0, Severity.CRITICAL, Map.of("pictureThreshold", 0.98, "pixelThreshold", 0.10)));
        d.put("freeze", settings("freeze", true, 2, 0, Severity.CRITICAL, Map.of("noise", "-60dB", "recodeNoise", "-40dB",
                "ignoreWithSound", false)));
        d.put("silence", settings("silence", true, 2, 0, Severity.ERROR, Map.of("noise", "-60dB")));
        d.put("discontinuity", settings("discontinuity", true, 0, 2, Severity.WARNING, Map.of("toleranceSeconds", 0.5)));
        d.put("signal_loss", settings("signal_loss", true, 0, 0, Severity.CRITICAL, Map.of()));
        d.put("loudness", settings("loudness", true, 10, 3, Severity.WARNING,
                Map.of("target", -23.0, "tolerance", 5.0, "truePeakCeiling", -1.0, "quietWindowSeconds", 30.0)));
        d.put("channel_loss", settings("channel_loss", true, 2, 0, Severity.ERROR, Map.of("noise", "-60dB", "everyChannel", false)));
        d.put("clipping", settings("clipping", true, 0, 5, Severity.WARNING,
                Map.of("level", "-0.01dB", "minRun", 3.0, "eventsPerSecond", 1.0, "minEvents", 5.0)));
        d.put("phase", settings("phase", true, 2, 0, Severity.WARNING, Map.of("correlation", -0.3, "level", "-50dB")));
        d.put("dc_offset", settings("dc_offset", true, 2, 0, Severity.WARNING, Map.of("level", "-40dB")));
        d.put("stall", settings("stall", true, 0, 0, Severity.CRITICAL, Map.of("timeoutSeconds", 5.0)));
        d.put("corruption", settings("corruption", true, 0, 2, Severity.ERROR, Map.of()));
        d.put("flash", settings("flash", true, 0, 1, Severity.WARNING, Map.of("changeCdm2", 20.0, "maxOpposingChanges", 3.0)));
        d.put("brng", settings("brng", false, 2, 0, Severity.WARNING, Map.of("threshold", 0.1)));
        d.put("letterbox", settings("letterbox", true, 2, 0, Severity.WARNING,
                Map.of("toleranceRows", 8.0, "establishSeconds", 2.0, "limit", 24.0 / 255)));
        d.put("blockiness", settings("blockiness", true, 2, 0, Severity.WARNING, Map.of("threshold", 1.15)));
        d.put("colorbars", settings("colorbars", true, 2, 0, Severity.ERROR,
                Map.of("threshold", 0.85, "slate", false, "slateFlatness", 0.9, "slateEdges", 0.0002)));
        d.put("blur", settings("blur", true, 2, 0, Severity.WARNING, Map.of("threshold", 10.0)));
        d.put("av_drift", settings("av_drift", true, 2, 0, Severity.ERROR, Map.of("toleranceSeconds", 0.1)));
        return d;
    }

    static DetectorSettings settings(String name, boolean on, double duration, double clear, Severity severity,
                                     Map<String, Object> parameters) {
        return new DetectorSettings(name, on, duration, clear, severity, parameters);
    }

    @Test
    void everyDetectorIsFoundInDisplayOrder() {
        // New detectors may come in between; the ones there were keep their order.
        assertThat(REGISTRY.names()).containsSubsequence(ORDER);
        assertThat(REGISTRY.names()).doesNotHaveDuplicates();
        assertThat(VigilConfig.defaults().detectors().keySet()).containsExactlyElementsOf(REGISTRY.names());
    }

    @Test
    void theDefaultsAreTheOnesWrittenOutByHandBefore() {
        SequencedMap<String, DetectorSettings> defaults = REGISTRY.defaults();
        handWritten().forEach((name, expected) -> assertThat(defaults.get(name)).as(name).isEqualTo(expected));
    }

    @Test
    void correlationComesFromTheSpecs() {
        CorrelationRules rules = REGISTRY.correlationRules(REGISTRY.defaults());
        assertThat(rules.explainedBy()).containsEntry("freeze", List.of("black", "colorbars", "slate"));
        assertThat(rules.combined()).containsExactly(new CorrelationRules.Combined("signal_loss", "black", "silence",
                Severity.CRITICAL, "picture black and audio silent"));
        // signal_loss off: no combined alarm; its severity follows its settings.
        SequencedMap<String, DetectorSettings> off = REGISTRY.defaults();
        off.put("signal_loss", off.get("signal_loss").withEnabled(false));
        assertThat(REGISTRY.correlationRules(off).combined()).isEmpty();
    }

    static Lineup lineup(SequencedMap<String, DetectorSettings> config) {
        return REGISTRY.build(config, new AlarmTracker("s", e -> { }, false));
    }

    /** Only {@code names} on, the rest as the defaults have them but off. */
    static SequencedMap<String, DetectorSettings> only(String... names) {
        SequencedMap<String, DetectorSettings> d = REGISTRY.defaults();
        d.replaceAll((n, s) -> s.withEnabled(List.of(names).contains(n)));
        return d;
    }

    @Test
    void theLineupHasTheStatisticsAndFiguresTheSwitchGave() {
        Lineup all = lineup(VigilConfig.defaults().detectors());
        assertThat(all.detectors()).extracting(Detector::name).containsSubsequence("black", "freeze", "silence",
                "discontinuity", "loudness", "channel_loss", "clipping", "phase", "dc_offset", "stall", "av_drift",
                "corruption", "flash", "letterbox", "blockiness", "colorbars", "blur");
        assertThat(all.statistics()).containsExactlyInAnyOrder(Statistic.LUMA, Statistic.FRAME_DIFFERENCE,
                Statistic.AUDIO_LEVELS, Statistic.VIDEO_TIMESTAMPS, Statistic.LOUDNESS, Statistic.LETTERBOX,
                Statistic.BLOCKINESS, Statistic.COLOR_BARS, Statistic.BLUR);
        assertThat(all.parameter(StatisticParameter.DARK_LEVEL)).isEqualTo(0.10);
        assertThat(all.parameter(StatisticParameter.STILL_NOISE)).isCloseTo(0.001, offset(1e-12));
        assertThat(all.parameter(StatisticParameter.BAR_LIMIT)).isEqualTo(24.0 / 255);
        assertThat(all.parameter(StatisticParameter.SILENCE_NOISE)).isCloseTo(0.001, offset(1e-12));
        assertThat(all.parameter(StatisticParameter.CHANNEL_SILENCE_NOISE)).isCloseTo(0.001, offset(1e-12));
        assertThat(all.parameter(StatisticParameter.CLIP_LEVEL)).isCloseTo(Math.pow(10, -0.01 / 20), offset(1e-12));
        assertThat(all.parameter(StatisticParameter.CLIP_MIN_RUN)).isEqualTo(3.0);
    }

    @Test
    void crossDetectorParametersAreTheirOwners() {
        // Letterbox judges black frames by black's thresholds, even with black off.
        SequencedMap<String, DetectorSettings> letterbox = only("letterbox");
        letterbox.put("black", letterbox.get("black").with("pixelThreshold", 0.2));
        assertThat(lineup(letterbox).parameter(StatisticParameter.DARK_LEVEL)).isEqualTo(0.2);
        // Flash reads luma without setting its dark level.
        assertThat(lineup(only("flash")).parameter(StatisticParameter.DARK_LEVEL)).isZero();
        // A slate is still by freeze's noise, even with freeze off; without slates no frame difference is read.
        SequencedMap<String, DetectorSettings> slates = only("colorbars");
        assertThat(lineup(slates).reads(Statistic.FRAME_DIFFERENCE)).isFalse();
        slates.put("colorbars", slates.get("colorbars").with("slate", true));
        slates.put("freeze", slates.get("freeze").with("noise", "-40dB"));
        assertThat(lineup(slates).reads(Statistic.FRAME_DIFFERENCE)).isTrue();
        assertThat(lineup(slates).parameter(StatisticParameter.STILL_NOISE)).isCloseTo(0.01, offset(1e-12));
        // Nothing running: every figure unset.
        assertThat(lineup(only()).parameters()).isEmpty();
        assertThat(lineup(only()).detectors()).isEmpty();
    }

    @Test
    void picturesGoWithPixelStatisticsAndTheDecodersDamage() {
        for (DetectorSpec s : REGISTRY.specs()) {
            boolean pixels = s.statistics().stream().anyMatch(Statistic::fromPixels);
            boolean decoder = s.name().equals("corruption") || s.name().equals("signal_loss");
            assertThat(s.evidence().picture()).as(s.name()).isEqualTo(pixels || decoder);
        }
    }

    @Test
    void everyParameterHasADocAndADefaultInItsRange() {
        for (DetectorSpec s : REGISTRY.specs()) {
            assertThat(s.title()).as(s.name()).isNotBlank();
            assertThat(s.fires()).as(s.name()).isNotBlank().doesNotContain("\n").doesNotContain("|");
            for (ParamSpec p : s.parameters()) {
                assertThat(p.doc()).as(s.name() + "." + p.name()).isNotBlank().doesNotContain("|");
                String written = p.defaultValue() instanceof Double d ? Double.toString(d) : p.defaultText();
                assertThat(p.parse(written)).as(s.name() + "." + p.name()).isEqualTo(p.defaultValue());
            }
        }
    }

    @Test
    void parametersAreCheckedByTheirSpec() {
        ParamSpec ratio = ParamSpec.number("t", 0.5, 0, 1, "", "a ratio");
        assertThatThrownBy(() -> ratio.parse("2")).hasMessage("must be between 0 and 1, got 2");
        assertThatThrownBy(() -> ratio.parse("x")).hasMessage("must be a number, got 'x'");
        ParamSpec count = ParamSpec.integer("n", 3, 1, 1000, "samples", "a count");
        assertThat(count.parse("4")).isEqualTo(4.0);
        assertThatThrownBy(() -> count.parse("3.5")).hasMessage("must be a whole number, got 3.5");
        ParamSpec level = ParamSpec.level("noise", "-60dB", "a level");
        assertThat(level.parse("-50dB")).isEqualTo("-50dB");
        assertThat(level.parse("0.01")).isEqualTo(0.01);
        assertThatThrownBy(() -> level.parse("+6dB")).hasMessageStartingWith("must be between 0 and 1 (0 dB)");
        assertThatThrownBy(() -> level.parse("loud")).hasMessageStartingWith("must be a ratio such as 0.001");
        assertThatThrownBy(() -> level.parse("1e")).hasMessageStartingWith("must be a ratio such as 0.001");
        ParamSpec flag = ParamSpec.flag("on", false, "a flag");
        assertThat(flag.parse("yes")).isEqualTo(true);
        assertThatThrownBy(() -> flag.parse("maybe")).hasMessage("must be true or false, got 'maybe'");
    }

    static DetectorSpec.Builder spec(String name, int order) {
        return DetectorSpec.builder(name, order).describe(name, "fires").factory(c -> null);
    }

    @Test
    void specsThatDoNotFitTogetherAreRefused() {
        List<DetectorSpec> specs = new ArrayList<>();
        specs.add(spec("a", 1).parameter(ParamSpec.number("x", 0, 0, 1, "", "x")).build());
        specs.add(spec("a", 2).build());
        assertThatThrownBy(() -> DetectorRegistry.of(specs)).hasMessageContaining("two detectors are named a");
        assertThatThrownBy(() -> DetectorRegistry.of(List.of(spec("a", 1).uses("b", "x").build())))
                .hasMessageContaining("names b.x, which no detector declares");
        assertThatThrownBy(() -> DetectorRegistry.of(List.of(
                spec("a", 1).parameter(ParamSpec.number("x", 0, 0, 1, "", "x"))
                        .reads(StatisticRead.of(Statistic.LUMA).setting(StatisticParameter.DARK_LEVEL, "a", "x")).build(),
                spec("b", 2).parameter(ParamSpec.number("y", 0, 0, 1, "", "y"))
                        .reads(StatisticRead.of(Statistic.LUMA).setting(StatisticParameter.DARK_LEVEL, "b", "y")).build())))
                .hasMessageContaining("DARK_LEVEL is set from b.y here and from a.x elsewhere");
        assertThatThrownBy(() -> DetectorRegistry.of(List.of(spec("a", 1).explains("nobody").build())))
                .hasMessageContaining("explains unknown detector nobody");
        assertThatThrownBy(() -> DetectorRegistry.of(List.of(spec("a", 1).build(), spec("b", 1).build())))
                .hasMessageContaining("its order 1 is another detector's too");
        assertThatThrownBy(() -> StatisticRead.of(Statistic.BLUR).setting(StatisticParameter.DARK_LEVEL, "a", "x"))
                .hasMessageContaining("DARK_LEVEL parameterises LUMA, not BLUR");
    }

    @Test
    void aFactoryReadsOnlyTheParametersItsSpecUses() {
        DetectorSpec reader = spec("reader", 2).uses("owner", "x")
                .factory(c -> {
                    c.number("owner", "y");
                    return null;
                }).build();
        DetectorSpec owner = spec("owner", 1).parameter(ParamSpec.number("x", 0.5, 0, 1, "", "x"))
                .parameter(ParamSpec.number("y", 0.5, 0, 1, "", "y")).build();
        DetectorRegistry registry = DetectorRegistry.of(List.of(reader, owner));
        assertThatThrownBy(() -> registry.build(registry.defaults(), new AlarmTracker("s", e -> { }, false)))
                .hasMessageContaining("reader reads owner.y without declaring it in its spec's uses");
        assertThat(Set.copyOf(registry.names())).containsExactlyInAnyOrder("reader", "owner");
        assertThat(registry.names()).containsExactly("owner", "reader");
    }
}
