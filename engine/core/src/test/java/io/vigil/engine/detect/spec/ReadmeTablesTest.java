package io.vigil.engine.detect.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's detector table and detector parameter table are generated from the specs: this test fails when they
 * differ, and with {@code -Dvigil.docs.update=true} writes the generated tables into the README (between their
 * marker comments) for review.
 */
class ReadmeTablesTest {
    /** Tests run in engine/core; the README is the repository's. */
    static final Path README = Path.of("../../README.md");

    @Test
    void theReadmeTablesAreTheSpecs() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String generated = replace(replace(readme, "detector table", detectorTable(DetectorRegistry.standard())),
                "detector parameter table", parameterTable(DetectorRegistry.standard()));
        if (Boolean.getBoolean("vigil.docs.update")) {
            Files.writeString(README, generated, StandardCharsets.UTF_8);
        }
        assertThat(readme).as("README.md's tables differ from the detector specs; rerun this test with"
                + " -Dvigil.docs.update=true to write them, and review the diff").isEqualTo(generated);
    }

    /**
     * {@code text} with the lines between {@code <!-- NAME: ... -->} and {@code <!-- end of NAME -->} replaced by
     * {@code table}, set off by blank lines (so that Markdown ends the table before the closing comment).
     */
    static String replace(String text, String name, String table) {
        String begin = "<!-- " + name + ":";
        String end = "<!-- end of " + name + " -->";
        int from = text.indexOf('\n', text.indexOf(begin)) + 1;
        int to = text.indexOf(end);
        assertThat(text.indexOf(begin)).as("README.md has the marker " + begin).isNotNegative();
        assertThat(to).as("README.md has the marker " + end).isGreaterThanOrEqualTo(from);
        return text.substring(0, from) + "\n" + table + "\n" + text.substring(to);
    }

    /** One row per detector: when it fires, its parameters' defaults, its raise delay and severity. */
    static String detectorTable(DetectorRegistry registry) {
        StringBuilder out = new StringBuilder("| detector | fires when | parameters (default) | raise delay `duration` |"
                + " severity |\n| --- | --- | --- | --- | --- |\n");
        for (DetectorSpec s : registry.specs()) {
            List<String> parameters = new ArrayList<>();
            for (ParamSpec p : s.parameters()) {
                String unit = p.unit().isEmpty() || p.type() == ParamType.LEVEL ? "" : " " + p.unit();
                parameters.add("`" + p.name() + "` " + p.defaultForDocs() + unit
                        + (p.note().isEmpty() ? "" : " (" + p.note() + ")"));
            }
            String raise = !s.raiseNote().isEmpty() ? s.raiseNote()
                    : s.durationSeconds() == 0 ? "0" : ParamSpec.plain(s.durationSeconds()) + " s";
            out.append("| `").append(s.name()).append('`').append(s.enabled() ? "" : " (off unless enabled)")
                    .append(" | ").append(s.fires())
                    .append(" | ").append(parameters.isEmpty() ? "none" : String.join(", ", parameters))
                    .append(" | ").append(raise)
                    .append(" | ").append(s.severity().wireName()).append(" |\n");
        }
        return out.toString();
    }

    /** One row per detector parameter: its config key, type and unit, default, range and meaning. */
    static String parameterTable(DetectorRegistry registry) {
        StringBuilder out = new StringBuilder("| key | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n");
        for (DetectorSpec s : registry.specs()) {
            for (ParamSpec p : s.parameters()) {
                out.append("| `detectors.").append(s.name()).append('.').append(p.name()).append("` | ")
                        .append(p.typeForDocs()).append(" | ").append(p.defaultForDocs()).append(" | ")
                        .append(p.rangeForDocs()).append(" | ").append(p.doc()).append(" |\n");
            }
        }
        return out.toString();
    }
}
