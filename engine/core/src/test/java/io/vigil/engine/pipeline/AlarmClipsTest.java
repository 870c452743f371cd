package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Ffmpeg;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alarm's clip from the session's packets: it waits for its post-roll while the input is read, covers the alarm's
 * start from before it (a keyframe at or before the pre-roll) to after it fired, and holds the input's video and
 * audio; an input whose sound MP4 may not hold still gets a clip that decodes (MP4 or MPEG-TS).
 */
class AlarmClipsTest {
    @TempDir
    static Path dir;
    static Path ts;
    static Path mkvPcm;
    static final ExecutorService WRITER = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void makeClips() throws Exception {
        ts = dir.resolve("in.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=8", "-f", "lavfi", "-i",
                "sine=f=440:r=48000:d=8", "-c:v", "libx264", "-g", "25", "-c:a", "aac", ts.toString()));
        mkvPcm = dir.resolve("pcm.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i",
                "sine=f=440:r=48000:d=6", "-c:v", "libx264", "-g", "25", "-c:a", "pcm_s24le", mkvPcm.toString()));
    }

    @AfterAll
    static void stopWriter() {
        WRITER.shutdownNow();
    }

    private static StreamSession session(Path input) {
        return StreamSession.of("cam", input.toString(), VigilConfig.defaults(), CpuStatisticsEngine.reference(),
                e -> { }).clips(new AlarmClips.Settings(1.5, 1.0, 20, 16 << 20), WRITER).start();
    }

    @Test
    void aClipWaitsForItsPostRollAndCoversTheAlarmFromBeforeItsStart() throws Exception {
        CompletableFuture<AlarmClips.Outcome> outcome = new CompletableFuture<>();
        Path file;
        try (StreamSession s = session(ts)) {
            s.open();
            while (s.timelineEndSeconds() < 4.0 && s.step()) {
                // read up to 4 s: the alarm at 3.2 s fires now
            }
            file = s.clips().request(3.2, dir.resolve("black"), outcome::complete);
            assertThat(file.getFileName().toString()).isEqualTo("black.mp4");
            assertThat(outcome).isNotDone();
            while (s.step()) {
                // the post-roll comes in
            }
            s.closeInput();
        }
        AlarmClips.Written written = (AlarmClips.Written) outcome.get(10, TimeUnit.SECONDS);
        // The keyframe at 1 s is the last at or before 3.2 - 1.5 s; the post-roll runs 1 s past ~4 s.
        assertThat(written.fromSeconds()).isBetween(0.9, 1.1);
        assertThat(written.toSeconds()).isBetween(4.9, 5.5);
        String probe = probe(file);
        assertThat(probe).contains("codec_type=video").contains("codec_type=audio");
    }

    @Test
    void soundMp4MayNotHoldStillGetsAClipThatDecodes() throws Exception {
        CompletableFuture<AlarmClips.Outcome> outcome = new CompletableFuture<>();
        Path file;
        try (StreamSession s = session(mkvPcm)) {
            s.open();
            while (s.step()) {
                // all of it
            }
            s.closeInput();
            file = s.clips().request(3.0, dir.resolve("pcm"), outcome::complete);
        }
        assertThat(outcome.get(10, TimeUnit.SECONDS)).as(String.valueOf(outcome.getNow(null)))
                .isInstanceOf(AlarmClips.Written.class);
        assertThat(file.getFileName().toString()).matches("pcm\\.(mp4|ts)");
        assertThat(probe(file)).contains("codec_type=video").contains("codec_type=audio");
    }

    /** ffprobe's streams of {@code file}, after ffmpeg decoded all of it without a word. */
    static String probe(Path file) throws Exception {
        Process decode = new ProcessBuilder("ffmpeg", "-v", "error", "-i", file.toString(), "-f", "null", "-")
                .redirectErrorStream(true).start();
        String errors = new String(decode.getInputStream().readAllBytes()).strip();
        assertThat(decode.waitFor()).isZero();
        assertThat(errors).isEmpty();
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name",
                "-of", "default=noprint_wrappers=1", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
