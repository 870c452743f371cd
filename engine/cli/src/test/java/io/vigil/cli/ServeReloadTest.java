package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil serve} reloads its file on SIGHUP and on {@code POST /api/reload}: an unchanged stream keeps running
 * (its frame counter goes on), a removed one stops, a new one starts; a bad file is refused and the old config kept.
 * Also {@code serve --check-config}.
 */
@Timeout(180)
class ServeReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "reload-test-token-0123456789";

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    int port;

    @Test
    void sighupKeepsUnchangedStreamsRunningAndABadFileIsRefused() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int udpA = freeUdpPort();
        int udpB = freeUdpPort();
        List<Process> sources = new ArrayList<>(List.of(source(udpA), source(udpB)));
        Path config = dir.resolve("serve.yaml");
        String head = """
                server: {bind: 127.0.0.1, port: %d, stateDir: %s, token: "${RELOAD_TEST_TOKEN}"}
                limits:
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  detectors: {black: {duration: 2s}}
                streams:
                """.formatted(port, dir.resolve("state"));
        Files.writeString(config, head + """
                  - {id: a, url: "udp://127.0.0.1:%d", detectors: [black]}
                  - {id: b, url: "udp://127.0.0.1:%d", detectors: [black]}
                """.formatted(udpA, udpB));
        Path log = dir.resolve("serve.log");
        ProcessBuilder pb = ChildVigil.builder("serve", "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("RELOAD_TEST_TOKEN", TOKEN);
        Process serve = pb.start();
        try {
            Map<String, Long> before = await(f -> f.getOrDefault("a", 0L) > 0 && f.getOrDefault("b", 0L) > 0, log);

            // a unchanged, b removed, c added on b's source.
            Files.writeString(config, head + """
                      - {id: a, url: "udp://127.0.0.1:%d", detectors: [black]}
                      - {id: c, url: "udp://127.0.0.1:%d", detectors: [black]}
                    """.formatted(udpA, udpB));
            new ProcessBuilder("kill", "-HUP", Long.toString(serve.pid())).start().waitFor();
            Map<String, Long> after = await(f -> f.containsKey("c") && !f.containsKey("b")
                    && f.getOrDefault("c", 0L) > 0, log);
            assertThat(Files.readString(log)).contains("reloaded: 1 added [c], 1 removed [b], 0 restarted [], 1 unchanged");
            assertThat(after.get("a")).as("a's frame counter went on, not from 0").isGreaterThan(before.get("a"));
            long aBefore = after.get("a");

            // A file with a syntax error: refused over HTTP with its position, the running streams untouched.
            Files.writeString(config, head + "  - {id: a, url: \"udp://127.0.0.1:1\"\n");
            HttpResponse<String> refused = reload(TOKEN);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("not reloaded").contains(config + ":8:");
            assertThat(reload("wrong-token-0123456789").statusCode()).isEqualTo(401);
            new ProcessBuilder("kill", "-HUP", Long.toString(serve.pid())).start().waitFor();
            Map<String, Long> still = await(f -> f.getOrDefault("a", 0L) > aBefore, log);
            assertThat(still.keySet()).containsExactlyInAnyOrder("a", "c");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.readString(log).contains("the config was not reloaded") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("vigil serve: the config was not reloaded (the running one stays): "
                    + config + ":8:");

            // Over HTTP with a good file: c's detectors change, so c restarts.
            Files.writeString(config, head + """
                      - {id: a, url: "udp://127.0.0.1:%d", detectors: [black]}
                      - {id: c, url: "udp://127.0.0.1:%d", detectors: [black, freeze]}
                    """.formatted(udpA, udpB));
            HttpResponse<String> ok = reload(TOKEN);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            JsonNode report = JSON.readTree(ok.body());
            assertThat(report.get("restarted").toString()).isEqualTo("[\"c\"]");
            assertThat(report.get("unchanged").toString()).isEqualTo("[\"a\"]");
        } finally {
            serve.destroy();
            serve.waitFor();
            for (Process p : sources) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void checkConfigValidatesWithoutOpeningAPort() throws Exception {
        Path config = dir.resolve("check.yaml");
        Files.writeString(config, """
                server: {port: 1, token: "${CHECK_TOKEN:-a-token-of-sixteen-chars}"}
                defaults: {decode: {ioTimeout: 2m}}
                streams:
                  - {id: news, url: "https://user:secret123@cam.example.com/live.m3u8", detectors: [black]}
                """);
        CliResult ok = CliResult.run("serve", "--check-config", config.toString());
        assertThat(ok.exit).as(ok.toString()).isZero();
        assertThat(ok.out).contains(config + ": valid").contains("127.0.0.1:1, token set").contains("ioTimeout 120.0 s")
                .contains("news: https://***@cam.example.com/live.m3u8").doesNotContain("secret123");
        Files.writeString(config, "streams:\n  - {id: news, url: udp://x\n");
        CliResult bad = CliResult.run("serve", "--check-config", config.toString());
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).startsWith("vigil: " + config + ":3:1: not valid YAML");
        CliResult missing = CliResult.run("serve", "--check-config", dir.resolve("none.yaml").toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("does not exist");
    }

    private HttpResponse<String> reload(String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/reload"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the streams' frame counters until {@code done} holds them; returns them. */
    private Map<String, Long> await(Predicate<Map<String, Long>> done, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Long> frames = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/streams")).header("Authorization", "Bearer " + TOKEN)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    frames = new TreeMap<>();
                    for (JsonNode s : JSON.readTree(r.body())) {
                        frames.put(s.get("id").asText(), s.get("frames").asLong());
                    }
                    if (done.test(frames)) {
                        return frames;
                    }
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("streams never got there: " + frames + "; log: " + Files.readString(log));
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process source(int udpPort) throws IOException {
        return new ProcessBuilder("ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25",
                "-t", "170", "-c:v", "mpeg2video", "-f", "mpegts", "udp://127.0.0.1:" + udpPort + "?pkt_size=1316")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
