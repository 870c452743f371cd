package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vigil detectors} lists every detector and parameter of the registry, for people and as JSON. */
class DetectorsCommandTest {
    static final List<DetectorSpec> SPECS = DetectorRegistry.standard().specs();

    @Test
    void textNamesEveryDetectorAndParameterWithDefaultRangeAndMeaning() {
        CliResult r = CliResult.run("detectors");
        assertThat(r.exit).as(r.toString()).isZero();
        for (DetectorSpec s : SPECS) {
            assertThat(r.out).contains(s.name() + ": " + s.title());
            for (ParamSpec p : s.parameters()) {
                assertThat(r.out).containsPattern("\\n    " + p.name() + " +\\Q" + p.typeForDocs() + "\\E +\\Q"
                        + p.defaultForDocs() + "\\E +\\Q" + p.rangeForDocs() + "\\E +\\Q"
                        + p.doc().split(" ")[0] + "\\E");
            }
        }
        assertThat(r.out).contains("brng: picture out of broadcast range (off unless enabled, warning, raise 2 s");
        assertThat(r.out.lines().mapToInt(String::length).max().orElse(0)).isLessThanOrEqualTo(140);
    }

    @Test
    void jsonHasEverySpecField() throws Exception {
        CliResult r = CliResult.run("detectors", "--format", "json");
        assertThat(r.exit).as(r.toString()).isZero();
        JsonNode all = new ObjectMapper().readTree(r.out);
        List<String> names = new ArrayList<>();
        all.forEach(d -> names.add(d.get("name").asText()));
        assertThat(names).containsExactlyElementsOf(DetectorRegistry.standard().names());
        JsonNode black = all.get(0);
        assertThat(black.get("severity").asText()).isEqualTo("critical");
        assertThat(black.get("durationSeconds").asDouble()).isEqualTo(2.0);
        assertThat(black.get("parameters").get(0).get("name").asText()).isEqualTo("pictureThreshold");
        assertThat(black.get("parameters").get(0).get("default").asDouble()).isEqualTo(0.98);
        assertThat(black.get("parameters").get(0).get("max").asDouble()).isEqualTo(1.0);
        assertThat(black.get("reads").get(0).get("sets").get("DARK_LEVEL").asText()).isEqualTo("black.pixelThreshold");
        assertThat(black.get("evidence").get("kind").asText()).isEqualTo("darkRun");
        assertThat(black.get("explains").get(0).asText()).isEqualTo("freeze");
        JsonNode letterbox = all.get(names.indexOf("letterbox"));
        assertThat(letterbox.get("uses").get(0).asText()).isEqualTo("black.pictureThreshold");
        JsonNode signalLoss = all.get(names.indexOf("signal_loss"));
        assertThat(signalLoss.get("combines").toString()).isEqualTo("[\"black\",\"silence\"]");
        JsonNode freeze = all.get(names.indexOf("freeze"));
        assertThat(freeze.get("parameters").get(0).get("type").asText()).isEqualTo("level");
        assertThat(freeze.get("parameters").get(0).get("default").asText()).isEqualTo("-60dB");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CliResult r = CliResult.run("detectors", "--format", "yaml");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("--format must be text or json");
    }
}
