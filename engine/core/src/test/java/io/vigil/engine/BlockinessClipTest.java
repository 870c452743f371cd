package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * blockiness: mpeg2video at 100 kb/s (640x360) raises it; the same content through x264 at CRF 23, testsrc2 and
 * SMPTE HD bars (sharp regular edges) stay quiet.
 */
class BlockinessClipTest {
    @TempDir
    static Path dir;
    static Path blocky;
    static Path clean;
    static Path pattern;
    static Path bars;

    @BeforeAll
    static void makeClips() throws Exception {
        blocky = dir.resolve("blocky.mkv");
        clean = dir.resolve("clean.mkv");
        pattern = dir.resolve("pattern.mkv");
        bars = dir.resolve("bars.mkv");
        String src = "mandelbrot=s=640x360:r=25,trim=duration=6";
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src, "-c:v", "mpeg2video", "-b:v", "100k", "-pix_fmt", "yuv420p",
                blocky.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src, "-c:v", "libx264", "-crf", "23", "-pix_fmt", "yuv420p",
                clean.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=6", "-c:v", "libx264", "-crf", "23",
                "-pix_fmt", "yuv420p", pattern.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "smptehdbars=s=640x360:r=25:d=6", "-c:v", "libx264", "-crf", "23",
                "-pix_fmt", "yuv420p", bars.toString()));
    }

    /** The defaults (blockiness is on). */
    static List<Event.Alarm> resolved(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "v", VigilConfig.defaults(), events::add,
                null, n -> { })).isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream()
                .filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals("blockiness"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void lowBitrateMpeg2RaisesBlockiness() {
        assertThat(resolved(blocky)).isNotEmpty();
    }

    @Test
    void cleanCodingAndSharpPatternsStayQuiet() {
        for (Path clip : List.of(clean, pattern, bars)) {
            assertThat(resolved(clip)).as(clip.getFileName().toString()).isEmpty();
        }
    }
}
