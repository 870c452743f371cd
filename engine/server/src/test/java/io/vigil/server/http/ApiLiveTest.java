package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.EventHub;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.live.LocalStreamRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over real HTTP on loopback against the real {@link LocalStreamRegistry} watching a real live source
 * (ffmpeg sending MPEG-TS over UDP, black from 10 to 16 s): add, list, get and remove streams; bad token 401, bad
 * URL 400, oversized body 413, duplicate 409, limit 429; the black alarm on SSE byte for byte as the JSON-lines sink
 * writes it; stats samples on SSE; the picture; metrics that parse as Prometheus text with the stream's figures.
 */
@Timeout(120)
class ApiLiveTest {
    static final String TOKEN = "live-test-token";
    static final double BLACK_FROM = 10;
    static final double BLACK_TO = 16;

    @TempDir
    static Path dir;
    static LiveUdpSource source;
    static EventHub hub;
    static LocalStreamRegistry registry;
    static ApiServer server;
    static final ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        source = LiveUdpSource.start(BLACK_FROM, BLACK_TO, dir.resolve("ffmpeg.log"));
        hub = new EventHub(1000);
        JsonLinesSink sink = new JsonLinesSink(new PrintStream(jsonl, true, StandardCharsets.UTF_8));
        hub.subscribe(p -> {
            if (p.payload() instanceof Event e) {
                sink.accept(e);
            }
        });
        ServeConfig config = ServeConfig.standard()
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")))
                .withLimits(new ServeConfig.Limits(2, 200, List.of("udp", "http"), List.of(),
                        HostRules.allowing("127.0.0.1/32")));
        registry = new LocalStreamRegistry(config, hub);
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, TOKEN, 4096), registry, hub);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (source != null) {
            source.close();
        }
    }

    HttpResponse<String> send(String method, String path, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String spec(String id, String url) {
        return "{\"id\":\"" + id + "\",\"url\":\"" + url
                + "\",\"detectors\":[\"black\",\"freeze\",\"silence\",\"tr101290\"]}";
    }

    /** SSE messages as (event, id, data), read on their own thread. */
    record Message(String event, long id, String data) {
    }

    BlockingQueue<Message> subscribe() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/events"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        BlockingQueue<Message> out = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                String event = null;
                long id = -1;
                String data = null;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            out.add(new Message(event, id, data));
                        }
                        event = null;
                        data = null;
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("id: ")) {
                        id = Long.parseLong(line.substring(4));
                    } else if (line.startsWith("data: ")) {
                        data = line.substring(6);
                    }
                }
            } catch (IOException e) {
                // the server closed the feed
            }
        });
        return out;
    }

    static Message await(BlockingQueue<Message> q, double seconds, Predicate<Message> what) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            Message m = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m != null && what.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no such SSE message within " + seconds + " s");
    }

    @Test
    void theApiOnALiveStream() throws Exception {
        BlockingQueue<Message> sse = subscribe();

        // auth, body, URL and id checks come before anything starts
        assertThat(send("POST", "api/streams", spec("live1", source.url()), null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "api/streams", spec("live1", source.url()), "wrong").statusCode()).isEqualTo(401);
        String big = "{\"id\":\"live1\",\"url\":\"" + source.url() + "\",\"settings\":{\"black\":{\"x\":\""
                + "y".repeat(5000) + "\"}}}";
        HttpResponse<String> tooBig = send("POST", "api/streams", big, TOKEN);
        assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(413);
        for (String bad : List.of("file:///etc/passwd", "/etc/passwd", "gopher://127.0.0.1/x",
                "rtmp://127.0.0.1/live/x", "udp://127.0.0.1:1?" + "x".repeat(300))) {
            HttpResponse<String> r = send("POST", "api/streams", spec("bad", bad), TOKEN);
            assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
            assertThat(r.body()).startsWith("{\"error\":\"").doesNotContain("\\n");
        }
        assertThat(registry.list()).isEmpty();

        HttpResponse<String> created = send("POST", "api/streams", spec("live1", source.url()), TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/streams/live1");
        assertThat(ApiServerTest.parse(created.body())).containsEntry("id", "live1").containsEntry("url", source.url());
        assertThat(send("POST", "api/streams", spec("live1", source.url()), TOKEN).statusCode()).isEqualTo(409);
        // the limit is two: a second stream (nothing sends to its port) fits, a third does not
        int deadPort = source.port == 65535 ? source.port - 1 : source.port + 1;
        assertThat(send("POST", "api/streams", spec("dead", "udp://127.0.0.1:" + deadPort), TOKEN).statusCode())
                .isEqualTo(201);
        HttpResponse<String> third = send("POST", "api/streams", spec("third", source.url()), TOKEN);
        assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
        assertThat(send("GET", "api/streams", null, TOKEN).body()).contains("\"id\":\"live1\"")
                .contains("\"id\":\"dead\"");
        assertThat(send("DELETE", "api/streams/dead", null, null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "api/streams/dead", null, TOKEN).statusCode()).isEqualTo(204);
        assertThat(send("GET", "api/streams/dead", null, TOKEN).statusCode()).isEqualTo(404);

        // the live stream runs, its figures come on SSE as stats
        Message stats = await(sse, 20, m -> "stats".equals(m.event()) && m.data().contains("\"stream\":\"live1\"")
                && m.data().contains("\"lumaMean\""));
        assertThat(ApiServerTest.parse(stats.data())).containsKeys("wall", "mediaSeconds", "values");
        long runningBy = System.nanoTime() + 10_000_000_000L;
        while (!send("GET", "api/streams/live1", null, TOKEN).body().contains("\"state\":\"running\"")) {
            assertThat(System.nanoTime()).as("live1 running").isLessThan(runningBy);
            Thread.sleep(100);
        }

        // the black stretch: the SSE alarm is the JSON-lines object, byte for byte
        double waitSeconds = BLACK_FROM - source.elapsedSeconds() + 10;
        Message firing = await(sse, waitSeconds, m -> "alarm".equals(m.event())
                && m.data().contains("\"detector\":\"black\"") && m.data().contains("\"status\":\"firing\""));
        double firedAt = source.elapsedSeconds();
        System.out.printf("black fired on SSE at %.2f s of the source (black from %.1f s)%n", firedAt, BLACK_FROM);
        List<String> lines = jsonl.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).contains(firing.data());
        Map<String, Object> alarm = ApiServerTest.parse(firing.data());
        assertThat(alarm).containsEntry("stream", "live1").containsEntry("dedupKey", "live1/black")
                .containsKey("wallStart");
        assertThat(send("GET", "api/alarms?active=true", null, TOKEN).body()).contains(firing.data());
        assertThat(send("GET", "api/alarms?stream=live1&limit=5", null, TOKEN).body()).contains(firing.data());

        HttpResponse<byte[]> jpeg = http.send(HttpRequest.newBuilder(server.baseUri()
                .resolve("api/streams/live1/thumbnail.jpg")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(jpeg.statusCode()).isEqualTo(200);
        assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(jpeg.body()).startsWith((byte) 0xFF, (byte) 0xD8);

        PrometheusParser.Parsed metrics = PrometheusParser.parse(send("GET", "metrics", null, null).body());
        assertThat(metrics.value("vigil_stream_up{stream=live1}")).isEqualTo(1);
        assertThat(metrics.value("vigil_stream_frames_total{stream=live1}")).isGreaterThan(100);
        assertThat(metrics.value("vigil_stream_fps{stream=live1}")).isBetween(15.0, 35.0);
        assertThat(metrics.value("vigil_stream_decode_errors_total{stream=live1}")).isGreaterThanOrEqualTo(0);
        assertThat(metrics.value("vigil_stream_dropped_frames_total{stream=live1}")).isGreaterThanOrEqualTo(0);
        assertThat(metrics.value("vigil_stream_reconnects_total{stream=live1}")).isGreaterThanOrEqualTo(0);
        assertThat(metrics.value("vigil_alarms_total{detector=black, severity=critical, stream=live1}")).isEqualTo(1);
        assertThat(metrics.value("vigil_alarms_active{detector=black, severity=critical, stream=live1}")).isEqualTo(1);
        assertThat(metrics.value("vigil_frame_to_alarm_latency_seconds_count{stream=live1}")).isGreaterThanOrEqualTo(1);
        // MPEG-TS over UDP: its bytes went through tr101290's analyser before the demuxer.
        assertThat(metrics.value("vigil_ts_packets_total{stream=live1}")).isGreaterThan(1000);
        assertThat(send("GET", "api/streams/live1", null, TOKEN).body()).contains("\"transport\":{\"packets\":");
        assertThat(metrics.types()).containsKeys("vigil_stream_fps", "vigil_stream_frames_total",
                "vigil_stream_decode_errors_total", "vigil_stream_dropped_frames_total",
                "vigil_stream_reconnects_total", "vigil_stream_up", "vigil_alarms_total", "vigil_alarms_active",
                "vigil_frame_to_alarm_latency_seconds");
        assertThat(send("GET", "health/ready", null, null).statusCode()).isEqualTo(200);

        // removing the stream resolves its alarm, on SSE too, again as the JSON-lines sink writes it
        assertThat(send("DELETE", "api/streams/live1", null, TOKEN).statusCode()).isEqualTo(204);
        Message resolved = await(sse, 10, m -> "alarm".equals(m.event()) && m.data().contains("\"detector\":\"black\"")
                && m.data().contains("\"status\":\"resolved\""));
        assertThat(resolved.id()).isGreaterThan(firing.id());
        assertThat(jsonl.toString(StandardCharsets.UTF_8).lines().toList()).contains(resolved.data());
        assertThat(send("GET", "api/streams", null, TOKEN).body()).isEqualTo("[]");
    }
}
