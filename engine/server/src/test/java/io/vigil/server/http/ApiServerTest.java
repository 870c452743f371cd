package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamStatus;
import io.vigil.server.metrics.MetricsEndpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The API's routing, auth, limits, metrics format, OpenAPI coverage and SSE flow control, over real HTTP on loopback
 * against {@link TinyRegistry} (no streams needed for these). The same API against the real registry and live
 * streams: {@link ApiLiveTest}.
 */
@Timeout(60)
class ApiServerTest {
    static final String TOKEN = "s3cret-token";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final TinyRegistry registry = new TinyRegistry();
    final EventHub hub = new EventHub(100);
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    ApiServer start(String token, long maxBody) {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, token, maxBody), registry, hub);
        return server;
    }

    HttpResponse<String> send(String method, String path, String body, String contentType, String auth)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertError(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        String message = (String) parse(r.body()).get("error");
        // one sentence: one line, starts with a capital, ends with a full stop
        assertThat(message).matches("[A-Z].*\\.").doesNotContain("\n");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) {
        try {
            return Json.MAPPER.readValue(json, Map.class);
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutAToken() {
        assertThatThrownBy(() -> ApiServer.start(new ApiSettings("0.0.0.0", 0, null, 65536), registry, hub))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a token");
        ApiServer open = ApiServer.start(new ApiSettings("0.0.0.0", 0, TOKEN, 65536), registry, hub);
        open.close();
        assertThat(ApiSettings.defaults()).isEqualTo(new ApiSettings("127.0.0.1", 8321, null, 65536));
    }

    @Test
    void mutatingRequestsNeedTheToken() throws Exception {
        start(TOKEN, 65536);
        String spec = "{\"id\":\"a\",\"url\":\"udp://127.0.0.1:1234\"}";
        assertError(send("POST", "api/streams", spec, "application/json", null), 401);
        assertError(send("POST", "api/streams", spec, "application/json", "Bearer wrong"), 401);
        assertError(send("POST", "api/streams", spec, "application/json", "Bearer " + TOKEN + "x"), 401);
        assertError(send("POST", "api/streams", spec, "application/json", "Basic " + TOKEN), 401);
        assertThat(registry.list()).isEmpty();
        HttpResponse<String> created = send("POST", "api/streams", spec, "application/json", "Bearer " + TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/streams/a");
        assertThat(parse(created.body())).containsEntry("id", "a").containsEntry("state", "starting")
                .containsEntry("since", "2026-11-26T10:00:00.000Z");
        // with a token configured, reading needs it too (ReadAccessTest: the viewer token, sessions, public reads)
        assertError(send("GET", "api/streams/a", null, null, null), 401);
        assertThat(send("GET", "api/streams/a", null, null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertError(send("DELETE", "api/streams/a", null, null, null), 401);
        assertThat(send("DELETE", "api/streams/a", null, null, "Bearer " + TOKEN).statusCode()).isEqualTo(204);
        assertError(send("DELETE", "api/streams/a", null, null, "Bearer " + TOKEN), 404);
    }

    @Test
    void rejectionsMapToStatusCodes() throws Exception {
        start(null, 65536);
        assertError(send("POST", "api/streams", "{\"id\":\"a\",\"url\":\"file:///etc/passwd\"}", "application/json",
                null), 400);
        assertThat(send("POST", "api/streams", "{\"id\":\"a\",\"url\":\"udp://h:1\"}", "application/json", null)
                .statusCode()).isEqualTo(201);
        assertError(send("POST", "api/streams", "{\"id\":\"a\",\"url\":\"udp://h:2\"}", "application/json", null), 409);
        send("POST", "api/streams", "{\"id\":\"b\",\"url\":\"udp://h:2\"}", "application/json", null);
        send("POST", "api/streams", "{\"id\":\"c\",\"url\":\"udp://h:3\"}", "application/json", null);
        assertError(send("POST", "api/streams", "{\"id\":\"d\",\"url\":\"udp://h:4\"}", "application/json", null), 429);
        assertError(send("POST", "api/streams", "{\"id\":\"../x\",\"url\":\"udp://h:4\"}", "application/json", null),
                400);
        assertError(send("POST", "api/streams", "{\"id\":\"..\",\"url\":\"udp://h:4\"}", "application/json", null),
                400);
        assertError(send("POST", "api/streams", "{\"id\":\".\",\"url\":\"udp://h:4\"}", "application/json", null),
                400);
        assertError(send("POST", "api/streams", "{\"id\":\"e\",\"url\":\"udp://h:4\",\"shell\":\"rm\"}",
                "application/json", null), 400);
        assertError(send("POST", "api/streams", "{\"id\":\"e\"}", "application/json", null), 400);
        assertError(send("POST", "api/streams", "not json", "application/json", null), 400);
        assertError(send("POST", "api/streams", "{\"id\":\"e\",\"url\":\"udp://h:4\"}", "text/plain", null), 415);
        assertError(send("GET", "api/streams/nope", null, null, null), 404);
        assertError(send("GET", "api/streams/a/thumbnail.jpg", null, null, null), 404);
        assertError(send("GET", "api/nothing", null, null, null), 404);
        HttpResponse<String> wrongMethod = send("PUT", "api/streams/a", "{}", "application/json", null);
        assertError(wrongMethod, 405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET, DELETE, HEAD");
        assertError(send("GET", "api/alarms?limit=0", null, null, null), 400);
        assertError(send("GET", "api/alarms?active=maybe", null, null, null), 400);
        assertThat(registry.list()).extracting(StreamStatus::id).containsExactly("a", "b", "c");
        assertThat(send("GET", "api/streams", null, null, null).body()).startsWith("[{\"id\":\"a\"");
    }

    @Test
    void bodiesOverTheLimitAre413() throws Exception {
        start(null, 1024);
        String big = "{\"id\":\"a\",\"url\":\"udp://h:1\",\"detectors\":[\"" + "x".repeat(4000) + "\"]}";
        assertError(send("POST", "api/streams", big, "application/json", null), 413);
        // without Content-Length (chunked): read one byte past the limit, then refuse
        HttpRequest chunked = HttpRequest.newBuilder(server.baseUri().resolve("api/streams"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        assertError(http.send(chunked, HttpResponse.BodyHandlers.ofString()), 413);
        assertThat(registry.list()).isEmpty();
        // just under the limit is taken
        String fits = "{\"id\":\"a\",\"url\":\"udp://h:1\",\"detectors\":[\"" + "x".repeat(900) + "\"]}";
        assertThat(send("POST", "api/streams", fits, "application/json", null).statusCode()).isEqualTo(201);
    }

    @Test
    void aForeignHostHeaderIsRefusedOnLoopback() throws Exception {
        start(null, 65536);
        assertThat(raw("GET /health/live HTTP/1.1\r\nHost: localhost:" + server.port() + "\r\n\r\n"))
                .startsWith("HTTP/1.1 200");
        assertThat(raw("GET /health/live HTTP/1.1\r\nHost: [::1]:" + server.port() + "\r\n\r\n"))
                .startsWith("HTTP/1.1 200");
        String rebound = raw("GET /api/streams HTTP/1.1\r\nHost: attacker.example:" + server.port() + "\r\n\r\n");
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("only answers requests for localhost");
    }

    String raw(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write((request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"))
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        start(null, 65536);
        assertThat(send("GET", "health/live", null, null, null).body()).isEqualTo("{\"status\":\"live\"}");
        registry.add(new io.vigil.server.StreamSpec("a", "udp://h:1", null, null));
        assertError(send("GET", "health/ready", null, null, null), 503);
        registry.put(status("a", StreamStatus.State.RECONNECTING, List.of(), Map.of()));
        assertThat(send("GET", "health/ready", null, null, null).statusCode()).isEqualTo(200);
        // a stream added later is waited for too, until its first open
        registry.add(new io.vigil.server.StreamSpec("b", "udp://h:2", null, null));
        assertError(send("GET", "health/ready", null, null, null), 503);
        registry.put(status("b", StreamStatus.State.RUNNING, List.of(), Map.of()));
        assertThat(send("GET", "health/ready", null, null, null).statusCode()).isEqualTo(200);
    }

    static StreamStatus status(String id, StreamStatus.State state, List<Event.Alarm> active,
                               Map<String, Long> byDetector) {
        return new StreamStatus(id, "udp://h:1", state, "cpu", "cpu", 25, 1000, 2, 1, 3, 0, null, Instant.now(),
                Map.of("lumaMean", 120.5), active, byDetector);
    }

    static Event.Alarm alarm(String stream, String detector, String status) {
        return new Event.Alarm(status, detector, stream, null, stream + "/" + detector, "critical", 10.0,
                status.equals("firing") ? null : 14.0, status.equals("firing") ? null : 4.0,
                "2026-11-26T10:00:10.000Z", null, "picture black for 2.0 s", Map.of("darkRatio", 0.999), null, null);
    }

    @Test
    void metricsAreValidPrometheusText() throws Exception {
        start(null, 65536);
        registry.put(status("news \"1\"", StreamStatus.State.RUNNING, List.of(alarm("news \"1\"", "black", "firing")),
                Map.of("black", 2L, "silence", 1L)));
        registry.put(status("b", StreamStatus.State.RECONNECTING, List.of(), Map.of()));
        registry.alarmFigures.fired(alarm("b", "silence", "firing"), 0.03);
        registry.alarmFigures.fired(alarm("b", "silence", "firing"), 0.2);
        HttpResponse<String> r = send("GET", "metrics", null, null, null);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.TEXT_CONTENT_TYPE);
        PrometheusParser.Parsed p = PrometheusParser.parse(r.body());
        assertThat(p.types()).containsEntry("vigil_stream_fps", "gauge")
                .containsEntry("vigil_stream_frames_total", "counter")
                .containsEntry("vigil_stream_decode_errors_total", "counter")
                .containsEntry("vigil_stream_dropped_frames_total", "counter")
                .containsEntry("vigil_stream_reconnects_total", "counter")
                .containsEntry("vigil_stream_up", "gauge")
                .containsEntry("vigil_alarms_total", "counter")
                .containsEntry("vigil_alarms_active", "gauge")
                .containsEntry("vigil_frame_to_alarm_latency_seconds", "histogram");
        String q = "news \\\"1\\\"";
        assertThat(p.value("vigil_stream_up{stream=" + q + "}")).isEqualTo(1);
        assertThat(p.value("vigil_stream_up{stream=b}")).isEqualTo(0);
        assertThat(p.value("vigil_stream_fps{stream=b}")).isEqualTo(25);
        assertThat(p.value("vigil_alarms_total{detector=black, severity=critical, stream=" + q + "}")).isEqualTo(2);
        assertThat(p.value("vigil_alarms_active{detector=black, severity=critical, stream=" + q + "}")).isEqualTo(1);
        assertThat(p.value("vigil_alarms_active{detector=silence, severity=critical, stream=" + q + "}"))
                .as("a quiet detector keeps its series, with the severity its alarms carry").isEqualTo(0);
        assertThat(p.value("vigil_frame_to_alarm_latency_seconds_bucket{le=0.05, stream=b}")).isEqualTo(1);
        assertThat(p.value("vigil_frame_to_alarm_latency_seconds_bucket{le=+Inf, stream=b}")).isEqualTo(2);
        assertThat(p.value("vigil_frame_to_alarm_latency_seconds_sum{stream=b}")).isCloseTo(0.23,
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void quarantinedStreamsAreCountedAndReleasedWithTheToken() throws Exception {
        start(TOKEN, 65536);
        registry.put(new StreamStatus("q", "udp://h:1", StreamStatus.State.QUARANTINED, "cpu", "cpu", 0, 10, 0, 0, 0,
                5, "Quarantined: the analysis failed 5 times within 10 minutes.", Instant.now(), Map.of(),
                List.of(alarm("q", "monitoring_failed", "firing")), Map.of("monitoring_failed", 5L)));
        registry.put(status("ok", StreamStatus.State.RUNNING, List.of(), Map.of()));
        PrometheusParser.Parsed p = PrometheusParser.parse(send("GET", "metrics", null, null, null).body());
        assertThat(p.types()).containsEntry("vigil_stream_failed_total", "counter")
                .containsEntry("vigil_streams_quarantined", "gauge");
        assertThat(p.value("vigil_stream_failed_total{stream=q}")).isEqualTo(5);
        assertThat(p.value("vigil_stream_failed_total{stream=ok}")).isEqualTo(0);
        assertThat(p.value("vigil_streams_quarantined{}")).isEqualTo(1);
        assertThat(send("GET", "health/ready", null, null, null).statusCode()).as("quarantine is not unreadiness")
                .isEqualTo(200);
        assertError(send("GET", "api/streams/q", null, null, null), 401);
        assertThat(parse(send("GET", "api/streams/q", null, null, "Bearer " + TOKEN).body()))
                .containsEntry("state", "quarantined")
                .containsEntry("failures", 5);

        assertError(send("POST", "api/streams/q/release", null, null, null), 401);
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/streams/q/release"))
                .header("Authorization", "Bearer " + TOKEN).header("Origin", "http://attacker.example")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertError(foreign, 403);
        assertThat(registry.get("q").orElseThrow().state()).isEqualTo(StreamStatus.State.QUARANTINED);
        HttpResponse<String> released = send("POST", "api/streams/q/release", null, null, "Bearer " + TOKEN);
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        assertThat(parse(released.body())).containsEntry("id", "q").containsEntry("state", "reconnecting");
        assertError(send("POST", "api/streams/nope/release", null, null, "Bearer " + TOKEN), 404);
    }

    @Test
    void openApiDescribesEveryRouteAndNoOther() throws Exception {
        start(null, 65536);
        HttpResponse<String> r = send("GET", "api/openapi.yaml", null, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(r.body());
        assertThat(doc.get("openapi")).isEqualTo("3.1.0");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
        Set<String> described = new TreeSet<>();
        paths.forEach((path, ops) -> ops.keySet().stream()
                .filter(k -> Set.of("get", "post", "put", "delete", "patch").contains(k))
                .forEach(m -> described.add(m.toUpperCase() + " " + path)));
        assertThat(described).isEqualTo(new TreeSet<>(server.routeKeys()));
    }

    @Test
    void dashboardFilesAreServedAndNothingElse() throws Exception {
        start(null, 65536);
        HttpResponse<String> index = send("GET", "", null, null, null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(index.body()).contains("/dashboard/app.js").contains("/dashboard/style.css")
                .doesNotContain("http://").doesNotContain("https://");
        assertThat(send("GET", "dashboard/app.js", null, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "dashboard/style.css", null, null, null).statusCode()).isEqualTo(200);
        assertError(send("GET", "dashboard/..%2Fopenapi.yaml", null, null, null), 404);
        assertError(send("GET", "dashboard/index.html", null, null, null), 404);
    }

    @Test
    void sseCarriesContractObjectsAsTheJsonLinesSinkWritesThem() throws Exception {
        start(null, 65536);
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        awaitClients(1);
        Event.Alarm firing = alarm("x", "black", "firing");
        hub.accept(firing);
        hub.accept(new StatsSample("x", Instant.parse("2026-11-26T10:00:11Z"), 11.0,
                Map.of("lumaMean", 16.0, "momentaryLufs", Double.NEGATIVE_INFINITY)));
        Event.Warning warning = new Event.Warning("x", "udp://h:1", "letterbox", "The letterbox statistic cannot be"
                + " computed on this stream's content.");
        hub.accept(warning);
        List<Map<String, String>> messages = readMessages(in, 3);
        assertThat(messages.get(0)).containsEntry("id", String.valueOf(hub.lastSequence() - 2))
                .containsEntry("event", "alarm").containsEntry("data", JsonLinesSink.toJson(firing));
        assertThat(messages.get(1)).containsEntry("event", "stats");
        assertThat(parse(messages.get(1).get("data"))).containsEntry("stream", "x")
                .containsEntry("wall", "2026-11-26T10:00:11.000Z");
        assertThat(messages.get(2)).containsEntry("event", "warning").containsEntry("data", JsonLinesSink.toJson(warning));
        // closing the server ends the feed: the client reads to the end instead of hanging
        server.close();
        while (in.readLine() != null) {
            // what was in flight
        }
        r.body().close();
    }

    static List<Map<String, String>> readMessages(BufferedReader in, int count) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> m = new HashMap<>();
        String line;
        while (out.size() < count && (line = in.readLine()) != null) {
            if (line.isEmpty()) {
                if (m.containsKey("data")) {
                    out.add(m);
                }
                m = new HashMap<>();
            } else if (!line.startsWith(":")) {
                int colon = line.indexOf(':');
                m.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return out;
    }

    void awaitClients(int n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            String metrics = send("GET", "metrics", null, null, null).body();
            if (PrometheusParser.parse(metrics).value("vigil_sse_clients{}") == n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never " + n + " SSE clients");
    }

    /**
     * A client that stops reading is cut off once its queue is full, and the hub never waits for it: a client that
     * reads gets every item meanwhile.
     */
    @Test
    void aSlowSseClientIsDisconnectedAndNeverBlocksTheHub() throws Exception {
        start(null, 65536);
        Socket stuck = new Socket();
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        OutputStream req = stuck.getOutputStream();
        req.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        req.flush();
        HttpResponse<InputStream> good = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/events"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        awaitClients(2);
        AtomicLong received = new AtomicLong();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(good.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        received.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        Map<String, Double> values = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            values.put("figure" + i, Math.PI * i);
        }
        StatsSample sample = new StatsSample("x", Instant.now(), 1.0, values);
        long worstPublishNanos = 0;
        int published = 0;
        // ~1.8 kB a message: 20 000 of them are far more than the stuck client's socket buffers and queue hold
        for (int burst = 0; burst < 40; burst++) {
            for (int i = 0; i < 500; i++) {
                long t0 = System.nanoTime();
                hub.accept(sample);
                worstPublishNanos = Math.max(worstPublishNanos, System.nanoTime() - t0);
                published++;
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (received.get() < published && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        }
        assertThat(received.get()).as("the reading client gets every message").isEqualTo(published);
        PrometheusParser.Parsed p = PrometheusParser.parse(send("GET", "metrics", null, null, null).body());
        assertThat(p.value("vigil_sse_clients_dropped_total{}")).isEqualTo(1);
        assertThat(p.value("vigil_sse_clients{}")).isEqualTo(1);
        System.out.printf("slow SSE client: %d messages published, worst hub publish %.2f ms%n", published,
                worstPublishNanos / 1e6);
        assertThat(worstPublishNanos).as("the hub never waits for a client").isLessThan(200_000_000L);
        // the stuck client's connection is closed: reading it to the end terminates
        stuck.setSoTimeout(10_000);
        InputStream in = stuck.getInputStream();
        byte[] buf = new byte[65536];
        try {
            while (in.read(buf) >= 0) {
                // drain what was in flight
            }
        } catch (java.net.SocketException reset) {
            // a reset is a disconnect too
        }
        stuck.close();
        good.body().close();
        reader.join(5000);
    }
}
