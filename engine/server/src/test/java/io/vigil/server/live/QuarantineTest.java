package io.vigil.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream whose analysis keeps failing (here its events' sink throws whenever black fires: a fault outside the
 * detectors, so it reaches the stream's boundary) gets an error event and a critical monitoring_failed alarm per
 * failure and is restarted with backoff; after reconnect.quarantineFailures it is quarantined (state, alarm with the
 * reason, nothing restarts); released, it runs again and its alarm resolves. The other streams never notice.
 */
@Timeout(120)
class QuarantineTest {
    @TempDir
    Path dir;

    @Test
    void failingAnalysisRestartsThenIsQuarantinedThenReleased() throws Exception {
        Path clip = dir.resolve("black.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "color=c=black:s=160x120:r=25:d=3", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.toString()));
        ServeConfig config = ServeConfig.standard()
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")))
                .withReconnect(new ServeConfig.Reconnect(0.05, 0.2).withQuarantine(3, 10))
                .withLimits(new ServeConfig.Limits(4, 2048, List.of("file"), List.of(dir)));
        EventHub hub = new EventHub(1000);
        AtomicBoolean failing = new AtomicBoolean(true);
        EventSink sink = event -> {
            if (failing.get() && event instanceof Event.Alarm a && a.detector().equals("black") && a.firing()) {
                throw new IllegalStateException("the sink is broken");
            }
            hub.accept(event);
        };
        try (LiveSources.Collector events = new LiveSources.Collector(hub);
             LocalStreamRegistry registry = new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference())) {
            StreamSpec spec = new StreamSpec("q", "file:" + clip, List.of("black"),
                    Map.of("black", Map.of("duration", 0.5)));
            registry.start(spec, registry.check(spec), sink, () -> { }, true);

            Event.Alarm first = events.awaitAlarm(Duration.ofSeconds(30), "q", "monitoring_failed", true);
            assertThat(first.dedupKey()).isEqualTo("q/monitoring_failed");
            assertThat(first.severity()).isEqualTo("critical");
            assertThat(first.wallStart()).isNotNull();
            assertThat(first.summary()).contains("the sink is broken").contains("restarts");

            LiveSources.awaitTrue(Duration.ofSeconds(30), "quarantine",
                    () -> registry.get("q").orElseThrow().state() == StreamStatus.State.QUARANTINED);
            StreamStatus quarantined = registry.get("q").orElseThrow();
            assertThat(quarantined.failures()).isEqualTo(3);
            assertThat(quarantined.lastError()).startsWith("Quarantined: the analysis failed 3 times within 10"
                    + " minutes").contains("POST /api/streams/q/release");
            assertThat(quarantined.activeAlarms()).singleElement().satisfies(a -> {
                assertThat(a.detector()).isEqualTo("monitoring_failed");
                assertThat(a.summary()).startsWith("Quarantined");
            });
            List<Event.Error> errors = events.events().stream().filter(e -> e instanceof Event.Error)
                    .map(e -> (Event.Error) e).toList();
            assertThat(errors).hasSize(3).allSatisfy(e -> {
                assertThat(e.stage()).isEqualTo("analysis");
                assertThat(e.message()).contains("the sink is broken");
            });
            // Every restart had frames again (its alarm resolved), and failed again.
            List<Event.Alarm> monitoring = events.alarms("q", "monitoring_failed");
            assertThat(monitoring).extracting(Event.Alarm::status)
                    .containsExactly("firing", "resolved", "firing", "resolved", "firing");
            assertThat(monitoring).allSatisfy(a -> {
                if (!a.firing()) {
                    assertThat(a.end()).isGreaterThanOrEqualTo(a.start());
                }
            });
            // Quarantined: nothing restarts.
            Thread.sleep(1000);
            assertThat(registry.get("q").orElseThrow().failures()).isEqualTo(3);
            assertThat(registry.get("q").orElseThrow().state()).isEqualTo(StreamStatus.State.QUARANTINED);

            failing.set(false);
            // The answer is the stream on its way back, not whatever its thread has got to when it is made.
            assertThat(registry.release("q")).hasValueSatisfying(released -> {
                assertThat(released.state()).isEqualTo(StreamStatus.State.RECONNECTING);
                assertThat(released.lastError()).isNull();
            });
            events.awaitAlarm(Duration.ofSeconds(30), "q", "black", true);
            events.await(Duration.ofSeconds(30), "summary", e -> e instanceof Event.Summary s && s.stream().equals("q"));
            assertThat(events.alarms("q", "monitoring_failed")).extracting(Event.Alarm::status)
                    .containsExactly("firing", "resolved", "firing", "resolved", "firing", "resolved");
            assertThat(registry.get("q").orElseThrow().activeAlarms()).isEmpty();
            // 75 frames in the clip: what the failed analyses counted stays counted.
            assertThat(registry.get("q").orElseThrow().frames()).isGreaterThan(75);
            assertThat(registry.release("nothing")).isEmpty();
        }
    }

    @Test
    void aStreamAnalysedAtTwoUncleanExitsInARowStartsQuarantined() throws Exception {
        Path state = dir.resolve("state");
        // Two unclean exits: the record is opened (a start), a stream runs, and the process "dies" (no clean shutdown).
        for (int exit = 0; exit < 2; exit++) {
            CrashRecord record = CrashRecord.open(state);
            assertThat(record.quarantineReason("poison")).isNull();
            record.analysing("poison");
            record.analysing("fine");
            record.idle("fine");
        }
        CrashRecord third = CrashRecord.open(state);
        assertThat(third.quarantineReason("poison")).startsWith("Quarantined: vigil exited uncleanly 2 times in a row");
        assertThat(third.quarantineReason("fine")).as("not running at either exit").isNull();

        ServeConfig config = ServeConfig.standard()
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")))
                .withLimits(new ServeConfig.Limits(4, 2048, List.of("udp"), List.of())
                        .withHosts(io.vigil.server.config.HostRules.allowing("127.0.0.1/32")));
        EventHub hub = new EventHub(100);
        try (LiveSources.Collector events = new LiveSources.Collector(hub)) {
            try (LocalStreamRegistry registry = new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference())) {
                registry.recordCrashes(third);
                registry.add(new StreamSpec("poison", "udp://127.0.0.1:" + LiveSources.freeUdpPort(),
                        List.of("stall"), null));
                StreamStatus s = registry.get("poison").orElseThrow();
                assertThat(s.state()).isEqualTo(StreamStatus.State.QUARANTINED);
                assertThat(registry.notReady()).as("a quarantined stream does not hold readiness back").isNull();
                Event.Alarm alarm = events.awaitAlarm(Duration.ofSeconds(10), "poison", "monitoring_failed", true);
                assertThat(alarm.summary()).startsWith("Quarantined: vigil exited uncleanly");
            }
            // A clean shutdown keeps the quarantine (the next start is quarantined again) but not the running list.
            assertThat(Files.readString(state.resolve("running.json"))).contains("\"running\":[]")
                    .contains("\"poison\":2");
            CrashRecord fourth = CrashRecord.open(state);
            assertThat(fourth.quarantineReason("poison")).isNotNull();
            fourth.forget("poison");
            fourth.cleanShutdown();
            assertThat(state.resolve("running.json")).doesNotExist();
        }
    }
}
