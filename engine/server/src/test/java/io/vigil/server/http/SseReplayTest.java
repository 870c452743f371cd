package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SSE feed's ids, Last-Event-ID replay, server-side filters and its one timestamp precision. */
@Timeout(60)
class SseReplayTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final TinyRegistry registry = new TinyRegistry();
    EventHub hub = new EventHub(100);
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start() {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, hub);
    }

    /** An open feed; returns once the server has subscribed it (its first line, "retry:", is written after that). */
    record Feed(HttpResponse<java.io.InputStream> response, BufferedReader in) implements AutoCloseable {
        List<Map<String, String>> read(int n) throws Exception {
            return ApiServerTest.readMessages(in, n);
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    Feed open(String query, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve("api/events" + query));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).isEqualTo("retry: 3000");
        return new Feed(r, in);
    }

    static Event.Alarm alarm(String stream, String detector, int n) {
        return new Event.Alarm(n % 2 == 0 ? "firing" : "resolved", detector, stream, null, stream + "/" + detector,
                "critical", n, null, null, "2026-11-26T10:00:10.000Z", null, "alarm " + n, Map.of(), null, null);
    }

    static StatsSample stats(String stream, int n) {
        return new StatsSample(stream, Instant.parse("2026-11-26T10:00:11.123456789Z").plusSeconds(n), n,
                Map.of("lumaMean", 16.0));
    }

    static List<Long> ids(List<Map<String, String>> messages) {
        return messages.stream().map(m -> Long.parseLong(m.get("id"))).toList();
    }

    @Test
    void aClientThatReconnectsGetsExactlyWhatItMissedInOrder() throws Exception {
        start();
        long last;
        try (Feed first = open("", null)) {
            for (int i = 0; i < 3; i++) {
                hub.accept(alarm("a", "black", i));
            }
            List<Map<String, String>> seen = first.read(3);
            assertThat(ids(seen)).containsExactly(hub.lastSequence() - 2, hub.lastSequence() - 1, hub.lastSequence());
            last = Long.parseLong(seen.get(2).get("id"));
        }
        // Away: events and samples go on, and keep going while the client comes back (no gap, no duplicate between
        // the replay and the live feed).
        for (int i = 3; i < 40; i++) {
            if (i % 3 == 0) {
                hub.accept(stats("a", i));
            } else {
                hub.accept(alarm("a", "black", i));
            }
        }
        AtomicBoolean publishing = new AtomicBoolean(true);
        // Fewer than a client's queue holds (2048), paced so that they span the reconnection.
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 40; publishing.get() && i < 1500; i++) {
                hub.accept(alarm("b", "freeze", i));
                if (i % 10 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        try (Feed back = open("", Long.toString(last))) {
            List<Map<String, String>> got = back.read(300);
            publishing.set(false);
            publisher.join();
            List<Long> expected = new ArrayList<>();
            for (long id = last + 1; id <= last + 300; id++) {
                expected.add(id);
            }
            assertThat(ids(got)).isEqualTo(expected);
            assertThat(got).noneMatch(m -> m.get("event").equals("gap"));
            assertThat(got).extracting(m -> m.get("event")).startsWith("stats", "alarm", "alarm", "stats"); // i = 3..6
        }
    }

    @Test
    void theQueryParameterServesClientsThatCannotSetHeadersAndTheHeaderWins() throws Exception {
        start();
        for (int i = 0; i < 5; i++) {
            hub.accept(alarm("a", "black", i));
        }
        long now = hub.lastSequence();
        try (Feed f = open("?lastEventId=" + (now - 2), null)) {
            assertThat(ids(f.read(2))).containsExactly(now - 1, now);
        }
        try (Feed f = open("?lastEventId=" + (now - 4), Long.toString(now - 1))) {
            assertThat(ids(f.read(1))).containsExactly(now);
        }
    }

    @Test
    void missedItemsNoLongerKeptAreAnnouncedBeforeTheReplay() throws Exception {
        hub = new EventHub(100, 4, 2);
        start();
        hub.accept(alarm("a", "black", 0));
        long last = hub.lastSequence();
        for (int i = 1; i <= 10; i++) {
            hub.accept(alarm("a", "black", i));
        }
        try (Feed f = open("", Long.toString(last))) {
            List<Map<String, String>> got = f.read(5);
            assertThat(got.getFirst().get("event")).isEqualTo("gap");
            assertThat(got.getFirst()).doesNotContainKey("id");
            Map<String, Object> gap = ApiServerTest.parse(got.getFirst().get("data"));
            assertThat(gap).containsEntry("type", "gap").containsEntry("lastEventId", Long.toString(last));
            assertThat((String) gap.get("message")).contains("no longer kept");
            assertThat(ids(got.subList(1, 5))).containsExactly(hub.lastSequence() - 3, hub.lastSequence() - 2,
                    hub.lastSequence() - 1, hub.lastSequence());
        }
        // samples fell out too, but a client that wants alarms only misses none of those: no notice
        hub.accept(stats("a", 1));
        hub.accept(stats("a", 2));
        hub.accept(stats("a", 3));
        long beforeLast = hub.lastSequence();
        hub.accept(alarm("a", "black", 11));
        try (Feed f = open("?type=alarm", Long.toString(beforeLast - 3))) {
            List<Map<String, String>> got = f.read(1);
            assertThat(got.getFirst().get("event")).isEqualTo("alarm");
            assertThat(ids(got)).containsExactly(hub.lastSequence());
        }
    }

    @Test
    void anIdFromBeforeThisServerOrNoIdAtAllIsSaidSo() throws Exception {
        start();
        hub.accept(alarm("a", "black", 0));
        try (Feed f = open("", "12")) { // a previous run's id: far below this run's first
            List<Map<String, String>> got = f.read(2);
            assertThat(got.get(0).get("event")).isEqualTo("gap");
            assertThat(got.get(0).get("data")).contains("before this server started");
            assertThat(ids(got.subList(1, 2))).containsExactly(hub.firstSequence());
        }
        try (Feed f = open("", "not-a-number")) {
            List<Map<String, String>> got = f.read(1);
            assertThat(got.get(0).get("event")).isEqualTo("gap");
            assertThat(got.get(0).get("data")).contains("is not an id this feed sent");
            hub.accept(alarm("a", "black", 1));
            assertThat(ids(f.read(1))).containsExactly(hub.lastSequence());
        }
    }

    @Test
    void filtersApplyOnTheServerToLiveAndReplayedItems() throws Exception {
        start();
        long before = hub.lastSequence();
        hub.accept(alarm("a", "black", 0));
        hub.accept(alarm("b", "black", 0));
        hub.accept(stats("a", 1));
        hub.accept(alarm("a", "freeze", 0));
        hub.accept(new Event.Warning("a", "udp://h:1", "letterbox", "cannot measure"));
        hub.accept(new Event.Summary("a", "udp://h:1", 1, 0, 1.0, 1.0, "cpu", "h264", 0, 0, Map.of(), null));
        try (Feed streamAlarms = open("?stream=a&type=alarm,summary", Long.toString(before));
             Feed detector = open("?detector=black,letterbox", Long.toString(before));
             Feed samples = open("?type=stats&stream=a,b", Long.toString(before))) {
            List<Map<String, String>> got = streamAlarms.read(3);
            assertThat(got).extracting(m -> m.get("event")).containsExactly("alarm", "alarm", "summary");
            assertThat(got).allSatisfy(m -> assertThat(m.get("data")).contains("\"stream\":\"a\""));
            got = detector.read(3);
            assertThat(got).extracting(m -> m.get("event")).containsExactly("alarm", "alarm", "warning");
            assertThat(got.get(1).get("data")).contains("\"stream\":\"b\"");
            // live items pass the same filters
            hub.accept(alarm("c", "black", 2));
            hub.accept(stats("b", 2));
            hub.accept(alarm("a", "silence", 2));
            assertThat(streamAlarms.read(1).getFirst().get("data")).contains("\"detector\":\"silence\"");
            assertThat(detector.read(1).getFirst().get("data")).contains("\"stream\":\"c\"");
            assertThat(samples.read(2)).extracting(m -> m.get("event")).containsExactly("stats", "stats");
        }
        for (String bad : List.of("?type=al%20arm", "?stream=", "?detector=a,,b", "?stream=" + "x".repeat(65))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/events" + bad))
                    .build(), HttpResponse.BodyHandlers.ofString());
            ApiServerTest.assertError(r, 400);
        }
    }

    @Test
    void everyTimestampOnTheFeedHasMilliseconds() throws Exception {
        start();
        try (Feed f = open("", null)) {
            hub.accept(stats("a", 0));
            hub.accept(alarm("a", "black", 0));
            List<Map<String, String>> got = f.read(2);
            assertThat(ApiServerTest.parse(got.get(0).get("data"))).containsEntry("wall", "2026-11-26T10:00:11.123Z");
            assertThat(ApiServerTest.parse(got.get(1).get("data")))
                    .containsEntry("wallStart", "2026-11-26T10:00:10.000Z");
        }
        hub.accept(stats("a", 0));
        // whole seconds too: always three digits, as the alarms' wall times
        StatsSample whole = new StatsSample("a", Instant.parse("2026-11-26T10:00:11Z"), 1, Map.of());
        assertThat(Json.write(whole)).contains("\"wall\":\"2026-11-26T10:00:11.000Z\"");
    }
}
