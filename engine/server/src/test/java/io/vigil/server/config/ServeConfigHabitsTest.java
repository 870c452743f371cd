package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.config.ConfigException;
import io.vigil.server.StreamSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** serve's file as operators write it: ${VAR}, VIGIL_SERVER_* overrides, durations with units, API errors. */
class ServeConfigHabitsTest {
    @Test
    void vigilServerVariablesOverrideTheFilesServerKeys() {
        ServeConfig c = ServeConfigLoader.parse("v.yaml", "server: {port: 8000, bind: 127.0.0.1}\n",
                Map.of("VIGIL_SERVER_PORT", "9100", "VIGIL_SERVER_HEADER_TIMEOUT_SECONDS", "250ms",
                        "VIGIL_STDERR_TTY", "1"));
        assertThat(c.server().port()).isEqualTo(9100);
        assertThat(c.server().bind()).isEqualTo("127.0.0.1");
        assertThat(c.server().api().limits().headerTimeoutSeconds()).isEqualTo(0.25);
        // Without a file, and without a server section, too.
        assertThat(ServeConfigLoader.standard(Map.of("VIGIL_SERVER_PORT", "9200")).server().port()).isEqualTo(9200);
        assertThat(ServeConfigLoader.parse("v.yaml", "streams: []\n", Map.of("VIGIL_SERVER_PORT", "9300"))
                .server().port()).isEqualTo(9300);
    }

    @Test
    void aBadOverrideNamesItsVariable() {
        assertThatThrownBy(() -> ServeConfigLoader.parse("v.yaml", "server: {port: 8000}\n",
                Map.of("VIGIL_SERVER_PORT", "http")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment variable VIGIL_SERVER_PORT: server.port: must be a number");
        assertThatThrownBy(() -> ServeConfigLoader.parse("v.yaml", "", Map.of("VIGIL_SERVER_PROT", "1")))
                .hasMessageStartingWith("environment variable VIGIL_SERVER_PROT: server.prot: unknown key");
    }

    @Test
    void variablesAndUnitsInTheServeFile() {
        ServeConfig c = ServeConfigLoader.parse("v.yaml", """
                server: {port: "${PORT:-8400}", idleTimeoutSeconds: 2m}
                reconnect: {initialSeconds: 500ms, maxSeconds: 1m, quarantineWithinMinutes: 1h}
                sinks:
                  webhooks: [{url: "http://127.0.0.1:9/${HOOK_PATH}", timeoutSeconds: 1500ms}]
                defaults: {detectors: {black: {duration: 250ms}}}
                """, Map.of("HOOK_PATH", "alerts"));
        assertThat(c.server().port()).isEqualTo(8400);
        assertThat(c.server().api().limits().idleTimeoutSeconds()).isEqualTo(120);
        assertThat(c.reconnect().initialSeconds()).isEqualTo(0.5);
        assertThat(c.reconnect().maxSeconds()).isEqualTo(60);
        assertThat(c.reconnect().quarantineWithinMinutes()).isEqualTo(60);   // a bare number there stays minutes
        assertThat(c.sinks().webhooks().getFirst().url().toString()).isEqualTo("http://127.0.0.1:9/alerts");
        assertThat(c.sinks().webhooks().getFirst().timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.defaults().detectors().get("black").durationSeconds()).isEqualTo(0.25);
        assertThatThrownBy(() -> ServeConfigLoader.parse("v.yaml", "server:\n  token: ${VIGIL_SECRET}\n", Map.of()))
                .hasMessageStartingWith("v.yaml:2: server.token: the environment variable VIGIL_SECRET is not set");
    }

    @Test
    void anApiStreamsBadSettingGivesNoInternalLineAndReadsNoVariable() {
        ServeConfig c = ServeConfig.standard();
        StreamSpec spec = new StreamSpec("cam1", "udp://239.0.0.1:1234", null,
                Map.of("freeze", Map.of("enabled", true), "black", Map.of("duration", "-1")));
        assertThatThrownBy(() -> ServeConfigLoader.streamConfig(c.defaults(), spec))
                .hasMessageStartingWith("settings of stream cam1: detectors.black.duration: must be between")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContainPattern("cam1:\\d"));
        StreamSpec secret = new StreamSpec("cam2", "udp://239.0.0.1:1234", null,
                Map.of("black", Map.of("duration", "${HOME}")));
        assertThatThrownBy(() -> ServeConfigLoader.streamConfig(c.defaults(), secret))
                .hasMessageContaining("got '${HOME}'");
        assertThat(ServeConfigLoader.streamConfig(c.defaults(), new StreamSpec("cam3", "udp://239.0.0.1:1234", null,
                Map.of("black", Map.of("duration", "1500ms")))).detectors().get("black").durationSeconds())
                .isEqualTo(1.5);
    }
}
