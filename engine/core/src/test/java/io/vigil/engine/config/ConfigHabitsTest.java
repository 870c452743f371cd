package io.vigil.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What operators expect of a config file: error positions, plain messages, ${VAR}, durations with units. */
class ConfigHabitsTest {
    @TempDir
    Path dir;

    @Test
    void yamlSyntaxErrorsGiveFileLineAndColumn() {
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  black: {duration: 2\n  freeze: {}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("v\\.yaml:3:\\d+: not valid YAML: .*");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode:\n  threads: 1\n   ioTimeout: 2\n"))
                .hasMessageStartingWith("v.yaml:3:13: not valid YAML: mapping values are not allowed here");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode:\n\tthreads: 1\n"))
                .hasMessageStartingWith("v.yaml:2:1: not valid YAML");
    }

    @Test
    void aMissingFileSaysSoPlainly() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .hasMessage("The config file " + missing + " does not exist.");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).hasMessage("The config file " + dir + " is a directory.");
    }

    @Test
    void variablesAreReplacedInValuesFromTheEnvironment() {
        Map<String, String> env = Map.of("BLACK_SECONDS", "3", "EMPTY", "", "THREADS", "4");
        VigilConfig c = ConfigLoader.parse("v.yaml", """
                detectors:
                  black: {duration: "${BLACK_SECONDS}"}
                  freeze: {duration: "${FREEZE_SECONDS:-5}", clearDelay: "${EMPTY:-1}"}
                decode: {threads: "${THREADS}", ioTimeout: "${TIMEOUT:-2}s"}
                """, env);
        assertThat(c.detectors().get("black").durationSeconds()).isEqualTo(3);
        assertThat(c.detectors().get("freeze").durationSeconds()).isEqualTo(5);
        assertThat(c.detectors().get("freeze").clearDelaySeconds()).isEqualTo(1);
        assertThat(c.decodeThreads()).isEqualTo(4);
        assertThat(c.ioTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anUnsetVariableWithoutDefaultIsAnErrorNamingItAndItsLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode:\n  threads: 1\n  ioTimeout: ${IO_TIMEOUT}\n",
                Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("v.yaml:3: decode.ioTimeout: the environment variable IO_TIMEOUT is not set");
    }

    @Test
    void withoutAnEnvironmentNothingIsReplacedAndDollarDollarEscapes() {
        // parse without an environment (as the API's settings are read): the text stays as written.
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode: {threads: \"${THREADS}\"}\n"))
                .hasMessageContaining("must be a number, got '${THREADS}'");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode: {threads: \"$${THREADS}\"}\n",
                Map.of("THREADS", "2")))
                .hasMessageContaining("got '${THREADS}'");
    }

    @Test
    void durationsTakeUnitsAndBareNumbersStaySeconds() {
        VigilConfig c = ConfigLoader.parse("v.yaml", """
                detectors:
                  black: {duration: 500ms, clearDelay: 2}
                  freeze: {duration: 1m}
                  loudness: {quietWindowSeconds: 2m}
                decode: {ioTimeout: 1h}
                gpu: {maxLatencyMs: 0.02s}
                """);
        assertThat(c.detectors().get("black").durationSeconds()).isEqualTo(0.5);
        assertThat(c.detectors().get("black").clearDelaySeconds()).isEqualTo(2);
        assertThat(c.detectors().get("freeze").durationSeconds()).isEqualTo(60);
        assertThat(c.detectors().get("loudness").number("quietWindowSeconds")).isEqualTo(120);
        assertThat(c.ioTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.gpu().maxLatency()).isEqualTo(Duration.ofMillis(20));   // a bare number there stays ms
        assertThat(ConfigLoader.parse("v.yaml", "gpu: {maxLatencyMs: 15}\n").gpu().maxLatency())
                .isEqualTo(Duration.ofMillis(15));
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  black: {duration: 5 days}\n"))
                .hasMessage("v.yaml:2: detectors.black.duration: must be a duration such as 500ms, 5s, 2m or 1h "
                        + "(a bare number is in s), got '5 days'");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "decode: {ioTimeout: 2h}\n"))
                .hasMessageContaining("v.yaml:1: decode.ioTimeout: must be between 0.1s and 3600s, got 2h");
    }

    @Test
    void aRequestsSettingsErrorsNameTheLabelWithoutALine() {
        YamlNodes request = YamlNodes.request("settings of stream cam1");
        var node = request.compose("black:\n  duration: -1\n");
        assertThatThrownBy(() -> ConfigLoader.readDetectors(request, node, VigilConfig.defaults().detectors()))
                .hasMessageStartingWith("settings of stream cam1: detectors.black.duration: must be between");
    }

    @Test
    void environmentCamelCaseMapping() {
        assertThat(YamlNodes.camelCase("HEADER_TIMEOUT_SECONDS")).isEqualTo("headerTimeoutSeconds");
        assertThat(YamlNodes.camelCase("PORT")).isEqualTo("port");
    }

    @Test
    void aFileWithAVariableIsReadThroughLoad() throws Exception {
        Path f = dir.resolve("v.yaml");
        Files.writeString(f, "decode: {threads: \"${VIGIL_TEST_SURELY_UNSET:-3}\"}\n");
        assertThat(ConfigLoader.load(f).decodeThreads()).isEqualTo(3);
    }
}
