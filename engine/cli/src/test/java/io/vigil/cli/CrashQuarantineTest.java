package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.server.live.LiveSources;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison-stream quarantine across crashes, with real {@code vigil serve} processes (this JVM's class path) killed
 * with SIGKILL: a stream analysed at two unclean exits in a row starts quarantined with its monitoring_failed alarm,
 * streams analysed at only one of them do not; releasing it through the API lets it run, and after a clean shutdown
 * (SIGTERM) it starts normally.
 */
@Timeout(240)
class CrashQuarantineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String TOKEN = "crash-test-token-0123";

    @TempDir
    Path dir;
    Process vigil;
    Process source;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : new Process[] {vigil, source}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aStreamRunningAtTwoUncleanExitsInARowStartsQuarantined() throws Exception {
        Path state = dir.resolve("state");
        Path running = state.resolve("running.json");
        Map<String, String> urls = new HashMap<>();
        for (String id : List.of("poison", "first", "second")) {
            urls.put(id, "udp://127.0.0.1:" + LiveSources.freeUdpPort());
        }

        // Crash 1 while poison and first run; crash 2 while poison and second run.
        int port = start(state, urls, List.of("poison", "first"));
        awaitRunningFile(running, "[\"first\",\"poison\"]");
        kill();
        port = start(state, urls, List.of("poison", "second"));
        awaitRunningFile(running, "[\"poison\",\"second\"]");
        kill();

        port = start(state, urls, List.of("poison", "first", "second"));
        int api = port;
        // Listed at once, quarantined at once; its alarm is raised by the stream's own thread, a moment later.
        LiveSources.awaitTrue(Duration.ofSeconds(60), "three streams listed, poison's alarm firing", () -> {
            List<JsonNode> listed = streams(api);
            return listed.size() == 3 && byId(listed).get("poison").path("activeAlarms").size() > 0;
        });
        Map<String, JsonNode> byId = byId(streams(api));
        assertThat(byId.get("poison").path("state").asText()).isEqualTo("quarantined");
        assertThat(byId.get("poison").path("lastError").asText())
                .startsWith("Quarantined: vigil exited uncleanly 2 times in a row");
        assertThat(byId.get("first").path("state").asText()).isNotEqualTo("quarantined");
        assertThat(byId.get("second").path("state").asText()).isNotEqualTo("quarantined");
        JsonNode alarm = byId.get("poison").path("activeAlarms").get(0);
        assertThat(alarm.path("detector").asText()).isEqualTo("monitoring_failed");
        assertThat(alarm.path("dedupKey").asText()).isEqualTo("poison/monitoring_failed");
        assertThat(alarm.path("severity").asText()).isEqualTo("critical");
        assertThat(get(api, "/metrics")).contains("vigil_streams_quarantined 1");
        assertThat(get(api, "/health/ready")).as("quarantine does not hold readiness back").contains("ready");

        HttpResponse<String> refused = post(api, "/api/streams/poison/release", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        HttpResponse<String> released = post(api, "/api/streams/poison/release", TOKEN);
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        assertThat(JSON.readTree(released.body()).path("state").asText()).isEqualTo("reconnecting");
        // Frames flow again: its alarm resolves.
        source = new ProcessBuilder("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc2=s=160x120:r=25:d=60", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-pix_fmt", "yuv420p", "-f", "mpegts", urls.get("poison") + "?pkt_size=1316")
                .redirectErrorStream(true).redirectOutput(dir.resolve("source.log").toFile()).start();
        LiveSources.awaitTrue(Duration.ofSeconds(30), "poison running again",
                () -> byId(streams(api)).get("poison").path("state").asText().equals("running"));
        LiveSources.awaitTrue(Duration.ofSeconds(20), "its alarm resolved",
                () -> byId(streams(api)).get("poison").path("activeAlarms").isEmpty());
        source.destroyForcibly().waitFor();

        // A clean shutdown: the next start quarantines nothing.
        vigil.destroy();
        assertThat(vigil.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(running).doesNotExist();
        port = start(state, urls, List.of("poison", "first", "second"));
        int again = port;
        LiveSources.awaitTrue(Duration.ofSeconds(60), "three streams listed", () -> streams(again).size() == 3);
        assertThat(streams(again)).noneMatch(s -> s.path("state").asText().equals("quarantined"));
    }

    /** Starts {@code vigil serve} watching {@code ids}; returns its API port. */
    int start(Path state, Map<String, String> urls, List<String> ids) throws IOException {
        int port = LiveSources.freeTcpPort();
        StringBuilder yaml = new StringBuilder("""
                server:
                  bind: 127.0.0.1
                  port: %d
                  token: %s
                  stateDir: %s
                limits:
                  allowedSchemes: [udp]
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  decode:
                    ioTimeout: 1
                streams:
                """.formatted(port, TOKEN, state));
        for (String id : ids) {
            yaml.append("  - {id: ").append(id).append(", url: \"").append(urls.get(id))
                    .append("\", detectors: [stall]}\n");
        }
        Path config = dir.resolve("serve-" + port + ".yaml");
        Files.writeString(config, yaml);
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        Path args = dir.resolve("java.args");
        Files.writeString(args, "-cp\n\"" + classPath.replace("\\", "\\\\") + "\"\n");
        vigil = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "@" + args, "io.vigil.cli.Main", "serve", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("serve.log").toFile())).start();
        return port;
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        vigil.destroyForcibly().waitFor();
    }

    void awaitRunningFile(Path running, String list) throws InterruptedException {
        LiveSources.awaitTrue(Duration.ofSeconds(60), "running.json listing " + list, () -> {
            try {
                return Files.readString(running).contains("\"running\":" + list);
            } catch (IOException e) {
                return false;
            }
        });
    }

    List<JsonNode> streams(int port) {
        try {
            String body = get(port, "/api/streams");
            return body == null ? List.of() : Stream.of(JSON.readTree(body)).flatMap(n -> {
                List<JsonNode> out = new java.util.ArrayList<>();
                n.forEach(out::add);
                return out.stream();
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static Map<String, JsonNode> byId(List<JsonNode> streams) {
        Map<String, JsonNode> out = new HashMap<>();
        streams.forEach(s -> out.put(s.path("id").asText(), s));
        return out;
    }

    String get(int port, String path) {
        try {
            // With a token set, reading needs it too.
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    HttpResponse<String> post(int port, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
