package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.alarm.Event;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.config.ServeConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil serve} and the live {@code vigil demo}: a bad config or flag is refused with one sentence (the file and
 * the line) and exit code 2; a running service wires the config's streams, the JSON-lines sink and the API; the live
 * demo's synthetic channel turns black at its scheduled time and the alarm reaches the API.
 */
@Timeout(120)
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void badConfigIsRefusedWithFileAndLine() throws Exception {
        Path cfg = dir.resolve("vigil.yaml");
        Files.writeString(cfg, "server:\n  port: 8321\nstreams:\n  - {id: a, url: \"gopher://x\"}\n");
        CliResult r = CliResult.run("serve", "--config", cfg.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains(cfg + ":4: streams[].url: The scheme 'gopher' is not allowed here");
        r.assertNoStackTrace();
        CliResult missing = CliResult.run("serve", "--config", dir.resolve("none.yaml").toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("vigil: The config file " + dir.resolve("none.yaml") + " does not exist.");
    }

    @Test
    void nonLoopbackBindWithoutTokenIsRefused() throws Exception {
        // the state folder in the test's own (serve makes its state before the API refuses the bind)
        Path cfg = Files.writeString(dir.resolve("state.yaml"), "server: {stateDir: " + dir.resolve("state") + "}\n");
        CliResult r = CliResult.run("serve", "--config", cfg.toString(), "--bind", "0.0.0.0", "--port", "0");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("needs a token");
        r.assertNoStackTrace();
        CliResult shortToken = CliResult.run("serve", "--config", cfg.toString(), "--port", "0", "--token", "abc");
        assertThat(shortToken.exit).isEqualTo(2);
        assertThat(shortToken.err).contains("at least 16 characters");
    }

    @Test
    void flagsOverrideTheFile() {
        ServeConfig c = ServeCommand.withFlags(ServeConfigLoader.parse("f", "server: {bind: 127.0.0.1, port: 1}\n"),
                "0.0.0.0", 9, "0123456789abcdef");
        assertThat(c.server()).isEqualTo(new ServeConfig.Server("0.0.0.0", 9, "0123456789abcdef", 65536));
    }

    @Test
    void liveDemoChannelGoesBlackOnScheduleAndTheApiShowsIt() throws Exception {
        Path jsonl = dir.resolve("events.jsonl");
        try (LiveDemo demo = new LiveDemo(Files.createDirectories(dir.resolve("demo")), 1)) {
            List<StreamSpec> streams = new ArrayList<>();
            for (String[] s : demo.urls()) {
                streams.add(new StreamSpec(s[0], s[1], List.of("black", "freeze", "silence", "stall"), null));
            }
            ServeConfig cfg = ServeConfigLoader.parse("serve.yaml", """
                    server: {port: 0}
                    limits: {hosts: {allow: [127.0.0.1/32]}}
                    reconnect: {initialSeconds: 0.5, maxSeconds: 1}
                    sinks: {jsonl: %s}
                    evidence: {dir: %s}
                    """.formatted(jsonl, dir.resolve("evidence"))).withStreams(streams);
            try (ServeRuntime runtime = ServeCommand.start(cfg)) {
                List<Event.Alarm> alarms = new ArrayList<>();
                runtime.hub.subscribe(p -> {
                    if (p.payload() instanceof Event.Alarm a) {
                        synchronized (alarms) {
                            alarms.add(a);
                            alarms.notifyAll();
                        }
                    }
                });
                Event.Alarm black = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                synchronized (alarms) {
                    while (black == null && System.nanoTime() < deadline) {
                        black = alarms.stream().filter(a -> a.detector().equals("black") && !a.firing())
                                .findFirst().orElse(null);
                        alarms.wait(200);
                    }
                }
                assertThat(black).as("black resolved; alarms so far: %s", alarms).isNotNull();
                LiveDemo.Defect scheduled = LiveDemo.CYCLE.getFirst();
                // On schedule (a reopening on a loaded machine may shift the timeline a little), and as long.
                assertThat(black.start()).isCloseTo(scheduled.fromSeconds(), within(0.5));
                assertThat(black.duration()).isCloseTo(scheduled.toSeconds() - scheduled.fromSeconds(), within(0.1));
                assertThat(black.wallStart()).isNotNull();

                HttpResponse<String> streamsJson = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        runtime.dashboard().resolve("/api/streams")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(streamsJson.statusCode()).isEqualTo(200);
                assertThat(streamsJson.body()).contains("\"id\":\"channel-1\"").contains("\"black\":1");
                // Running (awaited: a reopening on a loaded machine, as above, leaves it reconnecting for a moment).
                io.vigil.server.live.LiveSources.awaitTrue(Duration.ofSeconds(20), "channel-1 running", () ->
                        runtime.registry.get("channel-1").orElseThrow().state() == StreamStatus.State.RUNNING);
                StreamStatus status = runtime.registry.get("channel-1").orElseThrow();
                // Not the exact 25: on a loaded 2-core box the channel's real-time encoder itself falls behind.
                assertThat(status.fps()).isPositive();
                HttpResponse<byte[]> thumb = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        runtime.dashboard().resolve("/api/streams/channel-1/thumbnail.jpg")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(thumb.statusCode()).isEqualTo(200);
                assertThat(URI.create(runtime.dashboard().toString()).getHost()).isEqualTo("127.0.0.1");
            }
            // Closing resolved what was firing and the log holds the black alarm's two events.
            assertThat(Files.readString(jsonl)).contains("\"detector\":\"black\"").contains("\"status\":\"resolved\"");
        }
    }
    @Test
    void aWebhookGetsTheStreamsAlarmsAndTheMetricsCountThem() throws Exception {
        Path clip = dir.resolve("black.mkv");
        io.vigil.engine.Ffmpeg.run(List.of("-f", "lavfi", "-i",
                "testsrc2=s=320x240:r=25:d=6,drawbox=enable='between(t,1,4)':color=black:t=fill",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=6", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", clip.toString()));
        List<String> bodies = new ArrayList<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            synchronized (bodies) {
                bodies.add(body);
                bodies.notifyAll();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            ServeConfig cfg = ServeConfigLoader.parse("serve.yaml", """
                    server: {port: 0}
                    limits: {fileDirs: [%s]}
                    evidence: {dir: %s}
                    sinks:
                      spoolDir: %s
                      webhooks:
                        - {url: "%s?key=secret-in-query", initialBackoffSeconds: 0.1, maxBackoffSeconds: 1}
                    streams:
                      - {id: f1, url: "%s", detectors: [black]}
                    """.formatted(dir, dir.resolve("evidence"), dir.resolve("spool"), hook, clip));
            try (ServeRuntime runtime = ServeCommand.start(cfg)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                synchronized (bodies) {
                    while (bodies.size() < 2 && System.nanoTime() < deadline) {
                        bodies.wait(200);
                    }
                }
                assertThat(bodies).as("black firing then resolved").hasSize(2);
                assertThat(bodies.get(0)).contains("\"status\":\"firing\"").contains("\"detector\":\"black\"");
                assertThat(bodies.get(1)).contains("\"status\":\"resolved\"").contains("\"dedupKey\":\"f1/black\"");
                String metrics = "";
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                // The sink counts an event delivered once its POST has been answered: poll briefly.
                while (!metrics.contains("vigil_webhook_delivered_total{sink=\"" + hook + "\"} 2")
                        && System.nanoTime() < deadline) {
                    metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            runtime.dashboard().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                    Thread.sleep(100);
                }
                assertThat(metrics).contains("vigil_webhook_delivered_total{sink=\"" + hook + "\"} 2")
                        .contains("vigil_webhook_pending{sink=\"" + hook + "\"} 0")
                        .doesNotContain("secret-in-query");
            }
        } finally {
            receiver.stop(0);
        }
    }
}
