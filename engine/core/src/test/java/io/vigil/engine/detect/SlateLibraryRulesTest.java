package io.vigil.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.Lineup;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.kernels.FrameStats;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules around the picture references, without pictures: where the slate detector runs with its library,
 * colorbars' flat-still slate rule is off; the files reach the lineup as the statistics' figures; a files key that
 * names a missing file is a config error.
 */
class SlateLibraryRulesTest {
    @TempDir
    Path dir;

    /** A still, flat graphic with a few edges: a slate by colorbars' flat-still rule. */
    private static FrameStats stillFlatGraphic() {
        FrameStats s = new FrameStats();
        s.ptsSeconds = 1;
        s.colorBars = 0;
        s.mafd = 0;
        s.flatShare = 0.99;
        s.edgeShare = 0.01;
        return s;
    }

    private ColorBarsDetector colorBarsOf(Lineup lineup) {
        return lineup.detectors().stream().filter(d -> d instanceof ColorBarsDetector)
                .map(d -> (ColorBarsDetector) d).findFirst().orElseThrow();
    }

    @Test
    void theLibraryReplacesTheFlatStillRule() throws Exception {
        Path card = Files.write(dir.resolve("no-signal.png"), new byte[] {1});
        Path logo = Files.write(dir.resolve("logo.png"), new byte[] {1});
        VigilConfig alone = ConfigLoader.parse("a.yaml", "detectors:\n  colorbars: {slate: true}\n");
        VigilConfig library = ConfigLoader.parse("b.yaml", "detectors:\n  colorbars: {slate: true}\n"
                + "  slate: {enabled: true, cards: [" + card + "]}\n"
                + "  logo_missing: {enabled: true, logo: " + logo + ", regionX: 0.75}\n");
        DetectorRegistry registry = DetectorRegistry.standard();
        Lineup before = registry.build(alone.detectors(), new AlarmTracker("s", e -> { }, false));
        Lineup after = registry.build(library.detectors(), new AlarmTracker("s", e -> { }, false));
        assertThat(colorBarsOf(before).holds(stillFlatGraphic())).isTrue();
        assertThat(colorBarsOf(after).holds(stillFlatGraphic())).isFalse();
        assertThat(after.reads(Statistic.CARD_MATCH)).isTrue();
        assertThat(after.files(StatisticParameter.CARD_FILES)).containsExactly(card);
        assertThat(after.files(StatisticParameter.LOGO_FILE)).containsExactly(logo);
        assertThat(after.parameter(StatisticParameter.LOGO_REGION_X)).isEqualTo(0.75);
        assertThat(after.parameter(StatisticParameter.LOGO_CHECKS_PER_SECOND)).isEqualTo(2.0);
    }

    @Test
    void aMissingPictureFileIsAConfigError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.parse("c.yaml",
                        "detectors:\n  slate:\n    cards: " + dir.resolve("gone.png") + "\n"))
                .hasMessageContaining("c.yaml:3").hasMessageContaining("detectors.slate.cards")
                .hasMessageContaining("gone.png");
    }
}
