package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamSpec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's history routes over HTTP: recent statistics, markers, the alarm history as JSON and CSV. */
@Timeout(30)
class HistoryRoutesTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final TinyRegistry registry = new TinyRegistry();
    final io.vigil.server.EventHub hub = new io.vigil.server.EventHub(100);
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statsOfTheLastSecondsAreServedOldestFirst() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, hub);
        registry.add(new StreamSpec("x", "udp://127.0.0.1:1234", List.of(), Map.of()));
        Instant now = Instant.now();
        for (int i = 120; i >= 1; i--) {
            hub.accept(new StatsSample("x", now.minusSeconds(i), 1000 - i, Map.of("lumaMean", (double) i),
                    List.of(new StatsSample.Levels(new double[] {-20, -100}, new double[] {-30, -100}))));
        }
        HttpResponse<String> r = get("api/streams/x/stats?seconds=60");
        assertThat(r.statusCode()).isEqualTo(200);
        List<?> samples = Json.MAPPER.readValue(r.body(), List.class);
        assertThat(samples).hasSizeBetween(59, 60);
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) samples.getLast();
        assertThat(last.get("values")).isEqualTo(Map.of("lumaMean", 1.0));
        assertThat(last).containsEntry("mediaSeconds", 999.0).doesNotContainKey("levels");
        assertThat(Json.MAPPER.readValue(get("api/streams/x/stats").body(), List.class)).hasSize(120);
        assertThat(get("api/streams/x/stats?seconds=0").statusCode()).isEqualTo(400);
        assertThat(get("api/streams/x/stats?seconds=301").statusCode()).isEqualTo(400);
        assertThat(get("api/streams/nope/stats").statusCode()).isEqualTo(404);
        assertThat(get("api/streams/x/markers").body()).isEqualTo("[]");
    }

    @Test
    void theAlarmHistoryIsInEventTimeAndExportsAsCsv() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, hub);
        Instant now = Instant.now();
        hub.accept(alarm("x", "black", "firing", now.minusSeconds(10), null, "picture black for 2.0 s"));
        hub.accept(alarm("y", "freeze", "firing", now.minusSeconds(30), null, "=HYPERLINK(\"evil\")"));
        hub.accept(alarm("x", "black", "resolved", now.minusSeconds(10), now.minusSeconds(4), "picture black"));
        List<?> all = Json.MAPPER.readValue(get("api/alarms/history").body(), List.class);
        assertThat(all).extracting(a -> ((Map<?, ?>) a).get("detector") + " " + ((Map<?, ?>) a).get("status"))
                .containsExactly("freeze firing", "black firing", "black resolved");
        assertThat(Json.MAPPER.readValue(get("api/alarms/history?stream=y").body(), List.class)).hasSize(1);
        assertThat(Json.MAPPER.readValue(get("api/alarms/history?detector=black&hours=1").body(), List.class))
                .hasSize(2);
        assertThat(get("api/alarms/history?hours=25").statusCode()).isEqualTo(400);
        HttpResponse<String> csv = get("api/alarms/history.csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("time,stream,status,detector");
        assertThat(lines[1]).startsWith(now.minusSeconds(30) + ",\"y\",firing,\"freeze\",")
                .contains("\"'=HYPERLINK(\"\"evil\"\")\"");
        assertThat(lines[3]).startsWith(now.minusSeconds(4) + ",\"x\",resolved,\"black\",,\"critical\",10.0,14.0,4.0,");
    }

    static Event.Alarm alarm(String stream, String detector, String status, Instant start, Instant end,
                             String summary) {
        return new Event.Alarm(status, detector, stream, null, stream + "/" + detector, "critical", 10.0,
                end == null ? null : 14.0, end == null ? null : 4.0, start.toString(),
                end == null ? null : end.toString(), summary, Map.of(), null, null);
    }
}
