package io.vigil.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.engine.config.VigilConfig;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry with real sources: a UDP source killed and restarted gives {@code stall} firing then resolved (and
 * the stream reconnects); removing a stream resolves its firing alarms and leaves the other stream undisturbed; a
 * file inside the allowed folder is analysed end to end; bad streams are refused with one sentence.
 */
@Timeout(120)
class RegistryTest {
    @TempDir
    static Path dir;
    static EventHub hub;
    static LocalStreamRegistry registry;
    static LiveSources.Collector events;

    @BeforeAll
    static void start() {
        hub = new EventHub(1000);
        events = new LiveSources.Collector(hub);
        var detectors = ServeConfig.analysisDefaults().detectors();
        detectors.put("stall", detectors.get("stall").with("timeoutSeconds", 1.0));
        ServeConfig config = ServeConfig.standard()
                .withDefaults(ServeConfig.analysisDefaults().withDetectors(detectors).withIoTimeout(Duration.ofSeconds(2)))
                .withReconnect(new ServeConfig.Reconnect(0.2, 1))
                .withLimits(new ServeConfig.Limits(3, 100, List.of("udp", "http"), List.of(dir), HostRules.allowing("127.0.0.1/32")))
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")));
        registry = new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference());
    }

    @AfterEach
    void removeAll() {
        registry.list().forEach(s -> registry.remove(s.id()));
        // Every stream removed: each alarm it raised is resolved, and the record keeps the contract's invariants.
        EventInvariants.assertComplete(events.events());
    }

    @AfterAll
    static void stop() {
        registry.close();
        events.close();
    }

    private static Process udp(int port, double seconds, String picture, String log) throws Exception {
        return LiveSources.ffmpeg(dir.resolve(log), List.of("-re", "-f", "lavfi", "-i", picture + "s=320x240:r=25:d=" + seconds,
                        "-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + seconds), LiveSources.encode(),
                List.of("-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316"));
    }

    @Test
    void sourceKilledAndRestartedStallsThenResolves() throws Exception {
        int port = LiveSources.freeUdpPort();
        registry.add(new StreamSpec("flaky", "udp://127.0.0.1:" + port, List.of("stall", "black"), null));
        Thread.sleep(500);
        Process first = udp(port, 30, "testsrc2=", "flaky1.log");
        LiveSources.awaitTrue(Duration.ofSeconds(15), "frames", () -> registry.get("flaky").orElseThrow().frames() > 50);
        LiveSources.stop(first);
        long killedNanos = System.nanoTime();
        Event.Alarm firing = events.awaitAlarm(Duration.ofSeconds(10), "flaky", "stall", true);
        double firedAfter = (System.nanoTime() - killedNanos) / 1e9;
        assertThat(firedAfter).as("stall raised about timeoutSeconds after the last frame").isBetween(0.5, 3.0);
        assertThat(firing.wallStart()).isNotNull();
        // Down for about 4 s: longer than ioTimeout, so the reader gives up and reopens with backoff.
        Thread.sleep(4000 - (long) (firedAfter * 1000));
        assertThat(registry.get("flaky").orElseThrow().state()).isEqualTo(StreamStatus.State.RECONNECTING);
        Process second = udp(port, 30, "testsrc2=", "flaky2.log");
        try {
            Event.Alarm resolved = events.awaitAlarm(Duration.ofSeconds(15), "flaky", "stall", false);
            // Published once frames have flowed for stall's clearDelay; its end is the first frame's time.
            double downSeconds = (System.nanoTime() - killedNanos) / 1e9 - ServeConfig.STALL_CLEAR_DELAY_SECONDS;
            // Within 1.5 s: on a loaded 2-core machine the reopened source's first frames are placed up to ~1 s off.
            assertThat(resolved.duration()).as("stall's media duration is its wall-clock length")
                    .isCloseTo(downSeconds, within(1.5));
            assertThat(resolved.wallEnd()).isNotNull();
            assertThat(resolved.start()).isEqualTo(firing.start());
            StreamStatus status = registry.get("flaky").orElseThrow();
            assertThat(status.state()).isEqualTo(StreamStatus.State.RUNNING);
            assertThat(status.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(events.alarms("flaky", "stall")).hasSize(2);
            assertThat(events.alarms("flaky", "black")).isEmpty();
        } finally {
            LiveSources.stop(second);
            registry.remove("flaky");
        }
    }

    @Test
    void removingOneStreamLeavesTheOtherUndisturbed() throws Exception {
        int keepPort = LiveSources.freeUdpPort();
        int goPort = LiveSources.freeUdpPort();
        registry.add(new StreamSpec("keep", "udp://127.0.0.1:" + keepPort, List.of("black", "stall"), null));
        registry.add(new StreamSpec("go", "udp://127.0.0.1:" + goPort, List.of("black", "stall"),
                Map.of("black", Map.of("duration", 1))));
        Thread.sleep(500);
        Process keep = udp(keepPort, 30, "testsrc2=", "keep.log");
        Process go = udp(goPort, 30, "color=c=black:", "go.log");
        try {
            // The all-black stream's alarm fires after its own 1 s raise delay (the per-stream setting).
            Event.Alarm black = events.awaitAlarm(Duration.ofSeconds(15), "go", "black", true);
            assertThat(black.summary()).isEqualTo("picture black for 1.0 s");
            long keepFrames = registry.get("keep").orElseThrow().frames();
            assertThat(registry.remove("go")).isTrue();
            // Removal resolved the alarm and published the stream's summary before it returned.
            assertThat(events.alarms("go", "black")).hasSize(2);
            assertThat(events.alarms("go", "black").get(1).cause()).isEqualTo(LocalStreamRegistry.DELETED);
            assertThat(events.events()).anyMatch(e -> e instanceof Event.Summary s && s.stream().equals("go"));
            assertThat(registry.get("go")).isEmpty();
            assertThat(registry.remove("go")).isFalse();
            // fps is over the last ~10 s: a stream a few seconds old on a loaded machine can still show the burst in
            // which its analysis caught up (CI-like load measured 39.85 here once); it settles at its source's rate.
            LiveSources.awaitTrue(Duration.ofSeconds(20), "keep going on at about 25 fps", () -> {
                StreamStatus now = registry.get("keep").orElseThrow();
                return now.frames() > keepFrames + 30 && Math.abs(now.fps() - 25.0) <= 5.0;
            });
            StreamStatus other = registry.get("keep").orElseThrow();
            assertThat(other.state()).isEqualTo(StreamStatus.State.RUNNING);
            assertThat(other.frames()).isGreaterThan(keepFrames + 30);
            assertThat(other.reconnects()).isZero();
            assertThat(events.events()).noneMatch(e -> e instanceof Event.Error err && err.stream().equals("keep"));
        } finally {
            LiveSources.stop(keep);
            LiveSources.stop(go);
            registry.remove("keep");
        }
    }

    @Test
    void fileInsideTheAllowedFolderIsAnalysedToItsEnd() throws Exception {
        Path clip = dir.resolve("clip.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i",
                "sine=f=440:r=48000:d=6", "-vf", "lutyuv=y=16:u=128:v=128:enable='gte(t,1)*lt(t,4)'",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2", clip.toString()));
        registry.add(new StreamSpec("file", "file:" + clip, List.of("black"), null));
        Event.Alarm black = events.awaitAlarm(Duration.ofSeconds(20), "file", "black", false);
        assertThat(black.start()).isCloseTo(1.0, within(0.05));
        assertThat(black.end()).isCloseTo(4.0, within(0.05));
        assertThat(black.wallStart()).as("a file is not live").isNull();
        events.await(Duration.ofSeconds(10), "summary", e -> e instanceof Event.Summary s && s.stream().equals("file"));
        assertThat(registry.get("file").orElseThrow().state()).isEqualTo(StreamStatus.State.STOPPED);
        assertThat(registry.get("file").orElseThrow().frames()).isEqualTo(150);
        registry.remove("file");
    }

    @Test
    void badStreamsAreRefusedWithOneSentence() {
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "/etc/passwd", null, null)))
                .isInstanceOf(StreamRejectedException.class).hasMessageContaining("outside the folders");
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "file:" + dir.resolve("../../etc/passwd"), null, null)))
                .hasMessageContaining("outside the folders");
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "rtmp://127.0.0.1/live", null, null)))
                .hasMessageContaining("scheme 'rtmp' is not allowed");
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "concat:" + dir + "/a|/etc/passwd", null, null)))
                .isInstanceOf(StreamRejectedException.class);
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "http://127.0.0.1/" + "a".repeat(100), null, null)))
                .hasMessageContaining("at most 100");
        assertThatThrownBy(() -> registry.add(new StreamSpec("bad id", "udp://127.0.0.1:1", null, null)))
                .hasMessageContaining("id");
        assertThatThrownBy(() -> registry.add(new StreamSpec("..", "udp://127.0.0.1:1", null, null)))
                .hasMessageContaining("not '.' or '..'");
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "udp://127.0.0.1:1", List.of("blurry"), null)))
                .hasMessageContaining("Unknown detector 'blurry'");
        assertThatThrownBy(() -> registry.add(new StreamSpec("x", "udp://127.0.0.1:1", null,
                Map.of("black", Map.of("pictureThreshold", 7)))))
                .hasMessageContaining("pictureThreshold").hasMessageContaining("between 0 and 1");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void shuttingDownResolvesWhatFiresWithCauseStoppedOnce() throws Exception {
        int port = LiveSources.freeUdpPort();
        EventHub ownHub = new EventHub(1000);
        try (LiveSources.Collector own = new LiveSources.Collector(ownHub)) {
            LocalStreamRegistry closing = new LocalStreamRegistry(registry.config(), ownHub,
                    CpuStatisticsEngine.reference());
            closing.add(new StreamSpec("dark", "udp://127.0.0.1:" + port, List.of("black"),
                    Map.of("black", Map.of("duration", 1))));
            Thread.sleep(500);
            Process dark = udp(port, 30, "color=c=black:", "dark.log");
            try {
                own.awaitAlarm(Duration.ofSeconds(15), "dark", "black", true);
                closing.close();
                List<Event.Alarm> black = own.alarms("dark", "black");
                assertThat(black).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
                assertThat(black.get(1).cause()).isEqualTo(LocalStreamRegistry.STOPPED);
                EventInvariants.assertComplete(own.events());
            } finally {
                LiveSources.stop(dark);
                closing.close();
            }
        }
    }

    @Test
    void aReloadResolvesTheAlarmsOfWhatItRemovesAsDeletedAndOfWhatItRestartsAsStopped() throws Exception {
        int gonePort = LiveSources.freeUdpPort();
        int changedPort = LiveSources.freeUdpPort();
        Map<String, Map<String, Object>> quick = Map.of("black", Map.of("duration", 1));
        StreamSpec gone = new StreamSpec("gone", "udp://127.0.0.1:" + gonePort, List.of("black"), quick);
        StreamSpec changed = new StreamSpec("changed", "udp://127.0.0.1:" + changedPort, List.of("black"), quick);
        EventHub ownHub = new EventHub(1000);
        try (LiveSources.Collector own = new LiveSources.Collector(ownHub);
             LocalStreamRegistry reloading = new LocalStreamRegistry(registry.config(), ownHub,
                     CpuStatisticsEngine.reference())) {
            reloading.addAll(List.of(gone, changed));
            Thread.sleep(500);
            Process goneSource = udp(gonePort, 30, "color=c=black:", "gone.log");
            Process changedSource = udp(changedPort, 30, "color=c=black:", "changed.log");
            try {
                own.awaitAlarm(Duration.ofSeconds(15), "gone", "black", true);
                own.awaitAlarm(Duration.ofSeconds(15), "changed", "black", true);
                var report = reloading.reload(registry.config().withStreams(List.of(new StreamSpec("changed",
                        changed.url(), List.of("black"), Map.of("black", Map.of("duration", 2))))));
                assertThat(report.removed()).containsExactly("gone");
                assertThat(report.restarted()).containsExactly("changed");
                assertThat(own.alarms("gone", "black")).extracting(Event.Alarm::cause).containsExactly(null, "deleted");
                assertThat(own.alarms("changed", "black").subList(0, 2)).extracting(Event.Alarm::cause)
                        .containsExactly(null, "stopped");
            } finally {
                LiveSources.stop(goneSource);
                LiveSources.stop(changedSource);
            }
        }
    }

    @Test
    void removingAStreamWhoseSourceIsDownDoesNotWaitForItsTimeout() throws Exception {
        ServeConfig slow = ServeConfig.standard()
                .withDefaults(ServeConfig.analysisDefaults().withIoTimeout(Duration.ofSeconds(20)))
                .withLimits(ServeConfig.Limits.DEFAULTS.withHosts(HostRules.allowing("127.0.0.1/32")))
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")));
        try (LocalStreamRegistry own = new LocalStreamRegistry(slow, hub, CpuStatisticsEngine.reference())) {
            own.add(new StreamSpec("silent", "udp://127.0.0.1:" + LiveSources.freeUdpPort(), List.of("stall"), null));
            Thread.sleep(500);
            assertThat(own.get("silent").orElseThrow().state()).isEqualTo(StreamStatus.State.STARTING);
            long t0 = System.nanoTime();
            assertThat(own.remove("silent")).isTrue();
            assertThat((System.nanoTime() - t0) / 1e9).as("seconds to remove").isLessThan(2.0);
        }
    }

    @Test
    void duplicatesAndTheStreamLimitAreRefused() throws Exception {
        try {
            for (int i = 0; i < 3; i++) {
                registry.add(new StreamSpec("s" + i, "udp://127.0.0.1:" + LiveSources.freeUdpPort(), List.of("stall"), null));
            }
            assertThatThrownBy(() -> registry.add(new StreamSpec("s0", "udp://127.0.0.1:9", null, null)))
                    .isInstanceOfSatisfying(StreamRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StreamRejectedException.Reason.DUPLICATE));
            assertThatThrownBy(() -> registry.add(new StreamSpec("s4", "udp://127.0.0.1:9", null, null)))
                    .isInstanceOfSatisfying(StreamRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StreamRejectedException.Reason.LIMIT));
        } finally {
            for (int i = 0; i < 3; i++) {
                registry.remove("s" + i);
            }
        }
    }
}
