package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.config.ServeConfigLoader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running {@code vigil serve} keeps its acknowledgements and mutes in server.stateDir across a restart, and writes
 * the ack and mute events to the JSON-lines log.
 */
@Timeout(120)
class AlarmHandlingRestartTest {
    static final String TOKEN = "restart-token-0123456789";
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static Event.Alarm firing(String stream, String detector) {
        return new Event.Alarm(Event.Alarm.FIRING, detector, stream, null, stream + "/" + detector, "critical", 1.0,
                null, null, Instant.now().toString(), null, "test", Map.of(), null, null);
    }

    HttpResponse<String> send(ServeRuntime runtime, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(runtime.dashboard().resolve(path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acksAndMutesSurviveARestart() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = dir.resolve("events.jsonl");
        ServeConfig cfg = ServeConfigLoader.parse("serve.yaml", """
                server: {port: 0, token: %s, stateDir: %s}
                limits: {hosts: {allow: [127.0.0.1/32]}}
                defaults: {decode: {ioTimeout: 1}}
                sinks: {jsonl: %s, spoolDir: %s}
                streams:
                  - {id: quiet, url: "udp://127.0.0.1:%d", detectors: [black]}
                """.formatted(TOKEN, dir.resolve("state"), log, dir.resolve("spool"), port));
        String muteId;
        try (ServeRuntime runtime = ServeCommand.start(cfg)) {
            runtime.hub.accept(firing("quiet", "black"));
            HttpResponse<String> ack = send(runtime, "POST", "/api/acks",
                    "{\"dedupKey\":\"quiet/black\",\"by\":\"ana\",\"note\":\"looking\"}");
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(201);
            HttpResponse<String> mute = send(runtime, "POST", "/api/mutes",
                    "{\"stream\":\"quiet\",\"minutes\":60,\"by\":\"ana\"}");
            assertThat(mute.statusCode()).as(mute.body()).isEqualTo(201);
            muteId = mute.headers().firstValue("Location").orElseThrow().replace("/api/mutes/", "");
        }
        assertThat(Files.readString(log)).contains("{\"type\":\"ack\",\"stream\":\"quiet\"")
                .contains("{\"type\":\"mute\",\"id\":\"" + muteId + "\"");
        assertThat(dir.resolve("state").resolve("handling.json")).exists();

        try (ServeRuntime again = ServeCommand.start(cfg)) {
            assertThat(send(again, "GET", "/api/mutes", null).body()).contains("\"id\":\"" + muteId + "\"");
            // The alarm fires again after the restart: still acknowledged, and muted.
            again.hub.accept(firing("quiet", "black"));
            String active = send(again, "GET", "/api/alarms?active=true", null).body();
            assertThat(active).contains("\"suppressed\":true").contains("\"ack\":{\"by\":\"ana\",\"note\":\"looking\"");
            assertThat(send(again, "DELETE", "/api/mutes/" + muteId, null).statusCode()).isEqualTo(200);
        }
        try (ServeRuntime third = ServeCommand.start(cfg)) {
            assertThat(send(third, "GET", "/api/mutes", null).body()).isEqualTo("[]");
        }
    }
}
