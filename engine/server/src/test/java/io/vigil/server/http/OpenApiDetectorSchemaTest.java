package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The OpenAPI schemas of detector names and settings ({@code DetectorName}, {@code DetectorSettings}: what
 * {@code POST /api/streams} takes in {@code detectors} and {@code settings}) are generated from the detector specs:
 * this test fails when openapi.yaml differs, and with {@code -Dvigil.docs.update=true} writes them in for review.
 */
class OpenApiDetectorSchemaTest {
    static final Path OPENAPI = Path.of("src/main/resources/io/vigil/server/openapi.yaml");
    static final String BEGIN = "    # detector schemas:";
    static final String END = "    # end of detector schemas";

    @Test
    void theDetectorSchemasAreTheSpecs() throws IOException {
        String text = Files.readString(OPENAPI, StandardCharsets.UTF_8);
        int from = text.indexOf('\n', text.indexOf(BEGIN)) + 1;
        int to = text.indexOf(END);
        assertThat(text.indexOf(BEGIN)).as("openapi.yaml has the marker " + BEGIN).isNotNegative();
        assertThat(to).as("openapi.yaml has the marker " + END).isGreaterThanOrEqualTo(from);
        String generated = text.substring(0, from) + schemas(DetectorRegistry.standard()) + text.substring(to);
        if (Boolean.getBoolean("vigil.docs.update")) {
            Files.writeString(OPENAPI, generated, StandardCharsets.UTF_8);
        }
        assertThat(text).as("openapi.yaml's detector schemas differ from the specs; rerun this test with"
                + " -Dvigil.docs.update=true to write them, and review the diff").isEqualTo(generated);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemasDescribeEveryDetectorAndParameter() throws IOException {
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(OPENAPI, StandardCharsets.UTF_8));
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        assertThat((Iterable<Object>) ((Map<String, Object>) schemas.get("DetectorName")).get("enum"))
                .containsExactlyElementsOf(DetectorRegistry.standard().names());
        Map<String, Object> settings = (Map<String, Object>) ((Map<String, Object>) schemas.get("DetectorSettings"))
                .get("properties");
        for (DetectorSpec s : DetectorRegistry.standard().specs()) {
            Map<String, Object> keys = (Map<String, Object>) ((Map<String, Object>) settings.get(s.name())).get("properties");
            assertThat(keys).containsKeys("enabled", "duration", "clearDelay", "severity");
            s.parameters().forEach(p -> assertThat(keys).as(s.name()).containsKey(p.name()));
        }
    }

    /** The two schemas, as YAML lines indented for components/schemas. */
    static String schemas(DetectorRegistry registry) {
        StringBuilder out = new StringBuilder();
        out.append("    DetectorName:\n      type: string\n      enum: [")
                .append(String.join(", ", registry.names())).append("]\n");
        out.append("    DetectorSettings:\n      type: object\n")
                .append("      description: Per-detector overrides, detector -> key -> value, as in the config file's")
                .append(" detectors section (vigil detectors lists them).\n")
                .append("      additionalProperties: false\n      properties:\n");
        String severities = String.join(", ", Arrays.stream(Severity.values()).map(Severity::wireName).toList());
        for (DetectorSpec s : registry.specs()) {
            out.append("        ").append(s.name()).append(":\n")
                    .append("          type: object\n")
                    .append("          description: ").append(quote(s.title() + (s.enabled() ? "" : " (off unless enabled)")))
                    .append("\n          additionalProperties: false\n          properties:\n");
            property(out, "enabled", "type: boolean, default: " + s.enabled(), "whether the detector runs");
            property(out, "duration", DURATION + ", minimum: 0, maximum: " + ParamSpec.bound(ParamSpec.MAX_SECONDS)
                    + ", default: " + ParamSpec.bound(s.durationSeconds()), "raise delay, seconds (or 500ms, 2m)");
            property(out, "clearDelay", DURATION + ", minimum: 0, maximum: " + ParamSpec.bound(ParamSpec.MAX_SECONDS)
                    + ", default: " + ParamSpec.bound(s.clearDelaySeconds()), "clear delay, seconds (or 500ms, 2m)");
            property(out, "severity", "type: string, enum: [" + severities + "], default: "
                    + s.severity().wireName(), "the alarm's severity");
            for (ParamSpec p : s.parameters()) {
                property(out, p.name(), type(p), p.doc() + (p.unit().isEmpty() ? "" : " (" + p.unit() + ")"));
            }
        }
        return out.toString();
    }

    private static void property(StringBuilder out, String name, String schema, String description) {
        out.append("            ").append(name).append(": {").append(schema).append(", description: ")
                .append(quote(description)).append("}\n");
    }

    /** A duration: a number in its unit, or text with a unit of its own (500ms, 5s, 2m, 1h). */
    private static final String DURATION = "type: [number, string], pattern: \"^ *[-+]?[0-9.]+ *(ms|s|m|h)? *$\"";

    /** A parameter's JSON Schema: a level is a ratio or text in dB, a duration a number or text with a unit. */
    private static String type(ParamSpec p) {
        String range = "minimum: " + ParamSpec.bound(p.min()) + ", maximum: " + ParamSpec.bound(p.max());
        if (p.isDuration()) {
            return DURATION + ", " + range + ", default: " + ParamSpec.bound((Double) p.defaultValue());
        }
        return switch (p.type()) {
            case FLAG -> "type: boolean, default: " + p.defaultValue();
            case NUMBER -> "type: number, " + range + ", default: " + ParamSpec.bound((Double) p.defaultValue());
            case INTEGER -> "type: integer, " + range + ", default: " + ParamSpec.bound((Double) p.defaultValue());
            case LEVEL -> "type: [number, string], " + range + ", pattern: \"^ *[-+]?[0-9.]+ *[dD][bB] *$\", default: "
                    + (p.defaultValue() instanceof String text ? quote(text) : p.defaultText());
            case FILES -> "type: string, default: \"\"";
        };
    }

    /** A YAML double-quoted scalar. */
    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
