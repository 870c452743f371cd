package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import io.vigil.server.delivery.WebhookSettings;
import io.vigil.server.delivery.WebhookSink;
import io.vigil.server.handling.AlarmHandling;
import io.vigil.server.handling.MaintenanceWindow;
import io.vigil.server.handling.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledge, mute, unmute and maintenance through the HTTP API, with a real webhook to a receiver on loopback: a
 * suppressed alarm is shown (API, SSE) and never POSTed; ack and mute events are.
 */
@Timeout(60)
class AlarmHandlingApiTest {
    static final String TOKEN = "s3cret-token-0123456789";
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final TinyRegistry registry = new TinyRegistry();
    final EventHub hub = new EventHub(100);
    final MutableClock clock = new MutableClock(T0);
    final List<String> received = new CopyOnWriteArrayList<>();
    HttpServer receiver;
    WebhookSink webhook;
    ApiServer server;

    @TempDir
    Path spool;

    @BeforeEach
    void start() throws Exception {
        registry.add(new StreamSpec("e1", "udp://239.0.0.1:1", null, Map.of()));
        registry.add(new StreamSpec("e2", "udp://239.0.0.1:2", null, Map.of()));
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        webhook = new WebhookSink(new WebhookSettings(url, null, Duration.ofSeconds(2), Duration.ofMillis(50),
                Duration.ofMillis(200), 1 << 20), spool);
        hub.subscribe(p -> {
            if (p.local() && p.payload() instanceof Event e) {
                webhook.accept(e);
            }
        });
        // e2 is in maintenance from 09:00 to 11:00.
        MaintenanceWindow works = MaintenanceWindow.once("works", List.of(), List.of("studio-b"),
                T0.minusSeconds(3600), T0.plusSeconds(3600));
        AlarmHandling handling = new AlarmHandling(clock, List.of(works), new AlarmHandling.Streams() {
            @Override
            public boolean exists(String id) {
                return registry.get(id).isPresent();
            }

            @Override
            public List<String> groups(String id) {
                return id.equals("e2") ? List.of("studio-b") : List.of();
            }
        }, null).attach(hub);
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536), registry, hub, handling);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        webhook.close();
        receiver.stop(0);
    }

    HttpResponse<String> send(String method, String path, String body, boolean token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    static Event.Alarm alarm(String stream, String detector, boolean firing) {
        return new Event.Alarm(firing ? Event.Alarm.FIRING : Event.Alarm.RESOLVED, detector, stream, null,
                stream + "/" + detector, "critical", 10.0, firing ? null : 14.0, firing ? null : 4.0,
                "2026-12-07T10:00:00Z", null, "picture " + detector, Map.of(), null, null);
    }

    /** Waits until the receiver has {@code n} events. */
    void awaitReceived(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void acknowledgeAFiringAlarm() throws Exception {
        hub.accept(alarm("e1", "black", true));
        assertThat(send("POST", "/api/acks", "{\"dedupKey\":\"e1/black\",\"by\":\"ana\",\"note\":\"looking\"}",
                false).statusCode()).isEqualTo(401);
        HttpResponse<String> r = send("POST", "/api/acks",
                "{\"dedupKey\":\"e1/black\",\"by\":\"ana\",\"note\":\"looking\"}", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("{\"type\":\"ack\",\"stream\":\"e1\",\"detector\":\"black\","
                + "\"dedupKey\":\"e1/black\",\"by\":\"ana\",\"note\":\"looking\",\"wall\":\"2026-12-07T10:00:00.000Z\"}");

        JsonNode active = json(send("GET", "/api/alarms?active=true", null, true));
        assertThat(active).hasSize(1);
        assertThat(active.get(0).get("ack").get("by").asText()).isEqualTo("ana");
        assertThat(active.get(0).get("ack").get("note").asText()).isEqualTo("looking");
        assertThat(active.get(0).get("ack").get("wall").asText()).isEqualTo("2026-12-07T10:00:00.000Z");

        HttpResponse<String> notFiring = send("POST", "/api/acks", "{\"dedupKey\":\"e1/freeze\",\"by\":\"ana\"}", true);
        assertThat(notFiring.statusCode()).isEqualTo(409);
        assertThat(json(notFiring).get("error").asText()).isEqualTo(
                "The alarm e1/freeze is not firing; only a firing alarm can be acknowledged.");
        assertThat(send("POST", "/api/acks", "{\"dedupKey\":\"zz/black\",\"by\":\"ana\"}", true).statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/acks", "{\"dedupKey\":\"e1/black\"}", true).statusCode()).isEqualTo(400);
        HttpResponse<String> unknownField = send("POST", "/api/acks", "{\"dedupKey\":\"e1/black\",\"who\":\"x\"}",
                true);
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(json(unknownField).get("error").asText()).contains("\"who\"");

        // The ack reached the webhook after the alarm; it ends with the alarm.
        awaitReceived(2);
        assertThat(received.get(0)).contains("\"type\":\"alarm\"", "e1/black");
        assertThat(received.get(1)).startsWith("{\"type\":\"ack\"");
        hub.accept(alarm("e1", "black", false));
        assertThat(send("GET", "/api/alarms", null, true).body()).doesNotContain("\"ack\"");
    }

    @Test
    void muteListAndUnmute() throws Exception {
        HttpResponse<String> r = send("POST", "/api/mutes",
                "{\"stream\":\"e1\",\"detector\":\"freeze\",\"minutes\":30,\"by\":\"ana\",\"note\":\"swap\"}", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode mute = json(r);
        String id = mute.get("id").asText();
        assertThat(mute.get("type").asText()).isEqualTo("mute");
        assertThat(mute.get("until").asText()).isEqualTo("2026-12-07T10:30:00.000Z");
        assertThat(r.headers().firstValue("Location")).hasValue("/api/mutes/" + id);

        JsonNode list = json(send("GET", "/api/mutes", null, true));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.get(0).get("detector").asText()).isEqualTo("freeze");
        assertThat(list.get(0).get("until").asText()).isEqualTo("2026-12-07T10:30:00.000Z");

        hub.accept(alarm("e1", "freeze", true));
        JsonNode active = json(send("GET", "/api/alarms?active=true", null, true));
        assertThat(active.get(0).get("suppressed").asBoolean()).isTrue();

        assertThat(send("DELETE", "/api/mutes/" + id, null, false).statusCode()).isEqualTo(401);
        HttpResponse<String> ended = send("DELETE", "/api/mutes/" + id + "?by=bo", null, true);
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        assertThat(json(ended).get("ended").asBoolean()).isTrue();
        assertThat(json(ended).get("by").asText()).isEqualTo("bo");
        assertThat(json(send("GET", "/api/mutes", null, true))).isEmpty();
        assertThat(send("DELETE", "/api/mutes/" + id, null, true).statusCode()).isEqualTo(404);

        assertThat(send("POST", "/api/mutes", "{\"stream\":\"nope\",\"minutes\":5,\"by\":\"ana\"}", true)
                .statusCode()).isEqualTo(404);
        assertThat(send("POST", "/api/mutes", "{\"stream\":\"e1\",\"by\":\"ana\"}", true).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/mutes", "{\"stream\":\"e1\",\"minutes\":\"soon\",\"by\":\"ana\"}", true)
                .statusCode()).isEqualTo(400);

        // The webhook got the mute and its end, never the suppressed alarm; then the next alarm, not muted.
        hub.accept(alarm("e1", "freeze", false));
        hub.accept(alarm("e1", "black", true));
        awaitReceived(3);
        assertThat(received).hasSize(3);
        assertThat(received.get(0)).startsWith("{\"type\":\"mute\"").doesNotContain("ended");
        assertThat(received.get(1)).startsWith("{\"type\":\"mute\"").contains("\"ended\":true");
        assertThat(received.get(2)).contains("e1/black").doesNotContain("suppressed");
    }

    @Test
    void aMaintenanceWindowSuppressesWebhookDeliveryButTheApiAndSseShowTheAlarm() throws Exception {
        HttpRequest sse = HttpRequest.newBuilder(server.baseUri().resolve("/api/events"))
                .header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<java.io.InputStream> feed = http.send(sse, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(feed.statusCode()).isEqualTo(200);

        hub.accept(alarm("e2", "black", true));
        hub.accept(alarm("e2", "black", false));
        hub.accept(alarm("e1", "black", true));   // not in maintenance: the webhook's next event

        try (BufferedReader lines = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
            List<String> data = Stream.generate(() -> {
                try {
                    return lines.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).filter(l -> l.startsWith("data: ")).limit(3).toList();
            assertThat(data.get(0)).contains("e2/black", "\"status\":\"firing\"", "\"suppressed\":true");
            assertThat(data.get(1)).contains("e2/black", "\"status\":\"resolved\"", "\"suppressed\":true");
            assertThat(data.get(2)).contains("e1/black").doesNotContain("suppressed");
        }
        JsonNode recent = json(send("GET", "/api/alarms?stream=e2", null, true));
        assertThat(recent).hasSize(2);
        assertThat(recent.get(0).get("suppressed").asBoolean()).isTrue();
        assertThat(recent.get(1).get("suppressed").asBoolean()).isTrue();

        awaitReceived(1);
        Thread.sleep(200);
        assertThat(received).singleElement().asString().contains("e1/black");

        JsonNode windows = json(send("GET", "/api/maintenance", null, true));
        assertThat(windows).hasSize(1);
        assertThat(windows.get(0).get("name").asText()).isEqualTo("works");
        assertThat(windows.get(0).get("active").asBoolean()).isTrue();
        assertThat(windows.get(0).get("activeUntil").asText()).isEqualTo("2026-12-07T11:00:00.000Z");
        assertThat(windows.get(0).get("groups").get(0).asText()).isEqualTo("studio-b");
        clock.advance(Duration.ofHours(2));
        assertThat(json(send("GET", "/api/maintenance", null, true)).get(0).get("active").asBoolean()).isFalse();
    }
}
