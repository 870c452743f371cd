package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.server.DeliveryFigures;
import io.vigil.server.EventHub;
import io.vigil.server.FleetFigures;
import io.vigil.server.StreamStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A /metrics scrape over HTTP in which every family vigil has shows up: streams with statistics, alarms, a transport
 * stream's TR 101 290 errors and a latency histogram, a webhook, a GPU, a fleet node, and a few requests answered.
 * What promtool checks and what the monitoring files' queries are checked against.
 */
final class LiveScrape {
    private LiveScrape() {
    }

    static String text() throws Exception {
        TinyRegistry registry = new TinyRegistry();
        registry.fleet = new FleetFigures("node-1", "all", 3, 6, 2, 0, 0, 4, 120, 0, 1, 0);
        registry.put(new StreamStatus("news", "udp://h:1", StreamStatus.State.RUNNING, "cpu", "cpu", 25, 1000, 2, 1,
                3, 0, null, Instant.now(), MetricsHttpTest.FIGURES,
                List.of(ApiServerTest.alarm("news", "black", "firing")), Map.of("black", 2L, "silence", 1L),
                List.of(), new Event.Transport(70_000, Map.of("CC_error", Map.of("256", 3L)), 4L, 2L)));
        registry.put(new StreamStatus("sport", "udp://h:2", StreamStatus.State.QUARANTINED, "cpu", "cpu", 0, 10, 0, 0,
                0, 5, "Quarantined.", Instant.now(), Map.of(), List.of(), Map.of()));
        registry.alarmFigures.fired(ApiServerTest.alarm("news", "black", "firing"), 0.08);
        try (ApiServer server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry,
                new EventHub(10))) {
            server.statisticsBackend("cpu");
            server.deliveryFigures(() -> List.of(new DeliveryFigures("https://hooks.example/alarms", 10, 1, 0, 0)));
            server.gpuTelemetry(GpuMetricsTest.fakeTelemetry(() -> List.of(GpuMetricsTest.h100())));
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/streams")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return http.send(HttpRequest.newBuilder(server.baseUri().resolve("metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
