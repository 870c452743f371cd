package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.engine.StatisticsRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * letterbox: a 16:9 picture that gains 4:3 pillar bars from 3 to 7 s, one letterboxed from start to end, a clean
 * one, and FFmpeg cropdetect's per-frame bars beside ours.
 */
class LetterboxClipTest {
    @TempDir
    static Path dir;
    static Path pillars;
    static Path letterboxed;
    static Path clean;
    static Path darkTop;
    /** Bars just under cropdetect's limit (RGB 9: Y 24 of 255) and just over it (RGB 10), at 8 and 10 bits. */
    static final List<Path> nearLimit = new ArrayList<>();

    @BeforeAll
    static void makeClips() throws Exception {
        pillars = dir.resolve("pillars.mkv");
        letterboxed = dir.resolve("letterboxed.mkv");
        clean = dir.resolve("clean.mkv");
        String src = "testsrc2=s=320x180:r=25:d=10";
        String box = "drawbox=y=0:w=40:h=180:color=black:t=fill:enable='gte(t,3)*lt(t,7)'";
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src + "," + box.replace("drawbox=", "drawbox=x=0:") + ","
                        + box.replace("drawbox=", "drawbox=x=280:"),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", pillars.toString()));
        // 2.35:1 in 16:9: bars of 22 rows above and below, from the first frame to the last.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x136:r=25:d=10,pad=320:180:0:22:black",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", letterboxed.toString()));
        // A dark area reaching the top edge only (a night sky) from 3 to 7 s: one side moves, no bars inserted.
        darkTop = dir.resolve("dark-top.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src
                        + ",drawbox=x=0:y=0:w=320:h=50:color=black:t=fill:enable='gte(t,3)*lt(t,7)'",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", darkTop.toString()));
        for (String color : List.of("090909", "0a0a0a")) {
            for (String format : List.of("yuv420p", "yuv420p10le")) {
                Path clip = dir.resolve("near-limit-" + color + "-" + format + ".mkv");
                Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x136:r=25:d=1,format=" + format
                        + ",pad=320:180:0:22:0x" + color, "-c:v", "libx264", "-preset", "ultrafast", clip.toString()));
                nearLimit.add(clip);
            }
        }
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                clean.toString()));
    }

    @Test
    void pillarBarsThatAppearRaiseLetterboxWhileTheyStay() {
        List<Event.Alarm> letterbox = FlashAndCorruptionTest.resolved(pillars, "letterbox");
        assertThat(letterbox).hasSize(1);
        Event.Alarm a = letterbox.getFirst();
        assertThat(a.start()).isCloseTo(3.0, offset(0.04));
        assertThat(a.end()).isCloseTo(7.0, offset(0.04));
        assertThat(a.metrics().get("left")).isCloseTo(40.0, offset(1.0));
        assertThat(a.metrics().get("right")).isCloseTo(40.0, offset(1.0));
    }

    @Test
    void letterboxedFromTheStartIsItsFormat() {
        assertThat(FlashAndCorruptionTest.resolved(letterboxed, "letterbox")).isEmpty();
    }

    @Test
    void aDarkAreaAtOneEdgeIsNoBar() {
        assertThat(bars(darkTop).get(125)[0]).isGreaterThanOrEqualTo(50);
        assertThat(FlashAndCorruptionTest.resolved(darkTop, "letterbox")).isEmpty();
    }

    @Test
    void cleanPictureStaysQuiet() {
        assertThat(FlashAndCorruptionTest.resolved(clean, "letterbox")).isEmpty();
    }

    @Test
    void perFrameBarsAreCropdetects() throws Exception {
        List<Path> clips = new ArrayList<>(List.of(pillars, letterboxed, darkTop));
        clips.addAll(nearLimit);
        for (Path clip : clips) {
            List<int[]> ours = bars(clip);
            List<int[]> ffmpeg = cropdetect(clip);
            assertThat(ours).as(clip.getFileName().toString()).hasSameSizeAs(ffmpeg);
            for (int i = 0; i < ours.size(); i++) {
                assertThat(ours.get(i)).as("%s frame %d", clip.getFileName(), i).containsExactly(ffmpeg.get(i));
            }
        }
        // and the bars are where the clips put them
        assertThat(bars(pillars).get(125)).containsExactly(0, 0, 40, 40);
        assertThat(bars(letterboxed).get(10)).containsExactly(22, 22, 0, 0);
        // (the coded bars wobble around the limit: cropdetect and we agree frame by frame, above, on which rows)
        for (int i : new int[] {0, 1}) {
            assertThat(bars(nearLimit.get(i)).get(10)[0]).as("under the limit " + nearLimit.get(i)).isEqualTo(22);
        }
        for (int i : new int[] {2, 3}) {
            assertThat(bars(nearLimit.get(i)).get(10)).as("over the limit " + nearLimit.get(i))
                    .containsExactly(0, 0, 0, 0);
        }
    }

    /** Our bars of each frame: {top, bottom, left, right}. */
    static List<int[]> bars(Path clip) {
        return ClipStatistics.perFrame(clip, StatisticsRequest.builder().letterbox(Letterbox.DEFAULT_LIMIT).build(), s -> new int[] {s.barTop, s.barBottom, s.barLeft, s.barRight});
    }

    /**
     * cropdetect's bars of each frame, recomputed every frame ({@code reset=1}, {@code skip=0}): its x1, y1 are the
     * first non-black column and row, x2, y2 the last; as bars {y1, h-1-y2, x1, w-1-x2}.
     */
    static List<int[]> cropdetect(Path clip) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-f", "lavfi",
                "movie=" + clip + ",cropdetect=reset=1:skip=0:round=1", "-show_entries",
                "frame=width,height:frame_tags=lavfi.cropdetect.x1,lavfi.cropdetect.x2,lavfi.cropdetect.y1,"
                        + "lavfi.cropdetect.y2", "-of", "json").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        List<int[]> out = new ArrayList<>();
        var frames = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text).get("frames");
        for (var f : frames) {
            int w = f.get("width").asInt();
            int h = f.get("height").asInt();
            var t = f.get("tags");
            int x1 = t.get("lavfi.cropdetect.x1").asInt();
            int x2 = t.get("lavfi.cropdetect.x2").asInt();
            int y1 = t.get("lavfi.cropdetect.y1").asInt();
            int y2 = t.get("lavfi.cropdetect.y2").asInt();
            out.add(new int[] {y1, h - 1 - y2, x1, w - 1 - x2});
        }
        return out;
    }
}
