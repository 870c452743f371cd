package io.vigil.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.pipeline.StreamSession;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.server.config.ServeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's evidence around its session's packets: a clip that is written is found; one whose remux fails (its
 * folder gone) is a warning event and a 404 with why, never a crash, and the alarm still goes out with its URL.
 */
class StreamEvidenceTest {
    @TempDir
    static Path media;
    static Path clip;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = media.resolve("in.ts");
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=4",
                "-c:v", "libx264", "-g", "25", "-c:a", "aac", clip.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    private static Event.Alarm firing(double start) {
        return new Event.Alarm(Event.Alarm.FIRING, "black", "cam", null, "cam/black", "critical", start, null, null,
                null, null, "picture black", Map.of(), null, null);
    }

    /** The clip of an alarm at 2 s of {@code clip}, read to its end, through {@code evidence}. */
    private Event.Alarm clipOf(EvidenceStore store, StreamEvidence evidence, Runnable beforeRequest) {
        try (StreamSession s = StreamSession.of("cam", clip.toString(), ServeConfig.analysisDefaults(),
                CpuStatisticsEngine.reference(), e -> { }).clips(evidence.clipSettings(), evidence.clipWriter()).start()) {
            s.open();
            while (s.step()) {
                // read it all: the post-roll is in
            }
            s.closeInput();
            beforeRequest.run();
            return (Event.Alarm) evidence.annotate(firing(2.0), s.clips());
        }
    }

    private static EvidenceSettings settings(Path folder) {
        return new EvidenceSettings(true, folder, 24, 64, true, 1, 1, 30, 16);
    }

    @Test
    void aWrittenClipIsFoundUnderItsUrl() throws Exception {
        try (EvidenceStore store = EvidenceStore.open(settings(dir.resolve("ev")), null, "")) {
            List<Event> warnings = new CopyOnWriteArrayList<>();
            Event.Alarm alarm = clipOf(store, new StreamEvidence("cam", "in.ts", store, warnings::add), () -> { });
            String name = alarm.clip().substring("/api/evidence/".length());
            store.writer().shutdown();
            assertThat(store.writer().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.find(name)).isInstanceOf(EvidenceStore.Lookup.Found.class);
            assertThat(warnings).isEmpty();
        }
    }

    @Test
    void aRemuxThatFailsIsAWarningAndTheAlarmStillGoesOut() throws Exception {
        Path folder = dir.resolve("ev");
        try (EvidenceStore store = EvidenceStore.open(settings(folder), null, "")) {
            List<Event> warnings = new CopyOnWriteArrayList<>();
            Event.Alarm alarm = clipOf(store, new StreamEvidence("cam", "in.ts", store, warnings::add),
                    () -> deleteTree(folder));
            assertThat(alarm.clip()).startsWith("/api/evidence/cam_black-2000-");
            store.writer().shutdown();
            assertThat(store.writer().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(warnings).singleElement().isInstanceOfSatisfying(Event.Warning.class, w -> {
                assertThat(w.stream()).isEqualTo("cam");
                assertThat(w.detector()).isEqualTo("black");
                assertThat(w.message()).contains("cam/black").contains("not kept").contains("avio_open");
            });
            String name = alarm.clip().substring("/api/evidence/".length());
            assertThat(store.find(name)).isInstanceOf(EvidenceStore.Lookup.Failed.class);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
