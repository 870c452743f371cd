package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamSpec;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.live.LiveSources;
import io.vigil.server.live.LocalStreamRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that started before the HTTP API (serve adds the config file's streams first): its statistics history
 * and the alarm history still hold everything from its first sample and first alarm, as a real stream published
 * them on the hub.
 */
@Timeout(60)
class HistoryStartOrderTest {
    @TempDir
    Path dir;

    @Test
    void aStreamStartedBeforeTheApiHasItsHistoryFromItsFirstStatistics() throws Exception {
        EventHub hub = new EventHub(100);
        List<StatsSample> published = new CopyOnWriteArrayList<>();
        try (EventHub.Subscription all = hub.subscribe(p -> {
                    if (p.payload() instanceof StatsSample s && s.stream().equals("early")) {
                        published.add(s);
                    }
                });
                LiveUdpSource source = LiveUdpSource.start(60, 60, dir.resolve("ffmpeg.log"));
                LocalStreamRegistry registry = new LocalStreamRegistry(ServeConfig.standard()
                        .withEvidence(EvidenceSettings.OFF)
                        .withLimits(ServeConfig.Limits.DEFAULTS.withHosts(HostRules.allowing("127.0.0.1/32"))),
                        hub)) {
            registry.add(new StreamSpec("early", source.url(), List.of("black"), Map.of()));
            Instant alarmAt = Instant.now();
            hub.accept(new Event.Alarm("firing", "black", "early", null, "early/black", "critical", 1.0, null, null,
                    alarmAt.toString(), null, "picture black for 2.0 s", Map.of(), null, null));
            LiveSources.awaitTrue(Duration.ofSeconds(20), "3 stats samples of the stream",
                    () -> published.size() >= 3);

            try (ApiServer server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, hub)) {
                HttpClient http = HttpClient.newHttpClient();
                List<?> stats = Json.MAPPER.readValue(http.send(HttpRequest.newBuilder(
                        server.baseUri().resolve("api/streams/early/stats")).build(),
                        HttpResponse.BodyHandlers.ofString()).body(), List.class);
                List<StatsSample> before = List.copyOf(published);
                System.out.printf("%d samples published before the API started, %d served%n", before.size(),
                        stats.size());
                assertThat(stats).hasSizeGreaterThanOrEqualTo(before.size());
                assertThat(Instant.parse((String) ((Map<?, ?>) stats.getFirst()).get("wall")))
                        .as("from the stream's first sample")
                        .isEqualTo(before.getFirst().wall().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
                List<?> alarms = Json.MAPPER.readValue(http.send(HttpRequest.newBuilder(
                        server.baseUri().resolve("api/alarms/history?stream=early")).build(),
                        HttpResponse.BodyHandlers.ofString()).body(), List.class);
                assertThat(alarms).as("the alarm raised before the API started").hasSize(1);
            }
        }
    }
}
