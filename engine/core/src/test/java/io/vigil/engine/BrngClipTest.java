package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.engine.StatisticsRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** brng: a picture pushed out of broadcast range from 2 to 5 s, a clean one, and FFmpeg signalstats' BRNG beside. */
class BrngClipTest {
    @TempDir
    static Path dir;
    static Path outOfRange;
    static Path clean;
    static Path tenBit;

    @BeforeAll
    static void makeClips() throws Exception {
        outOfRange = dir.resolve("out-of-range.mkv");
        clean = dir.resolve("clean.mkv");
        tenBit = dir.resolve("ten-bit.mkv");
        String src = "testsrc2=s=320x240:r=25:d=8";
        // Luma at 250 (above 235, limited range) on every pixel from 2 s to 5 s.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src + ",format=yuv420p,lutyuv=y=250:enable='gte(t,2)*lt(t,5)'",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", outOfRange.toString()));
        // Lossy coding overshoots at testsrc2's saturated edges (up to about 8% of its pixels): legal, quiet.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                clean.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2,format=yuv420p10le",
                "-c:v", "libx264", "-preset", "ultrafast", tenBit.toString()));
    }

    /** brng is off by default: on here, the rest as the defaults. */
    static List<Event.Alarm> resolved(Path clip) {
        var detectors = new LinkedHashMap<>(VigilConfig.defaults().detectors());
        detectors.put("brng", detectors.get("brng").withEnabled(true));
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "v", VigilConfig.defaults().withDetectors(detectors), events::add,
                null, n -> { })).isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals("brng"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void brngIsOffByDefault() {
        assertThat(FlashAndCorruptionTest.resolved(outOfRange, "brng")).isEmpty();
    }

    @Test
    void outOfRangePictureRaisesBrngWhereItIs() {
        List<Event.Alarm> brng = resolved(outOfRange);
        assertThat(brng).hasSize(1);
        assertThat(brng.getFirst().start()).isCloseTo(2.0, offset(0.04));
        assertThat(brng.getFirst().end()).isCloseTo(5.0, offset(0.04));
    }

    @Test
    void cleanPictureStaysQuiet() {
        assertThat(resolved(clean)).isEmpty();
    }

    @Test
    void perFrameFractionIsSignalstatsBrng() throws Exception {
        for (Path clip : List.of(outOfRange, clean, tenBit)) {
            List<Double> ours = fractions(clip);
            List<Double> ffmpeg = signalstats(clip);
            assertThat(ours).as(clip.getFileName().toString()).hasSameSizeAs(ffmpeg);
            for (int i = 0; i < ours.size(); i++) {
                // ffprobe prints six significant digits
                assertThat(ours.get(i)).as("%s frame %d", clip.getFileName(), i)
                        .isCloseTo(ffmpeg.get(i), offset(1e-6 + 1e-5 * ffmpeg.get(i)));
            }
        }
    }

    static List<Double> fractions(Path clip) {
        return ClipStatistics.perFrame(clip, StatisticsRequest.builder().broadcastRange().build(), s -> s.brngFraction);
    }

    static List<Double> signalstats(Path clip) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-f", "lavfi",
                "movie=" + clip + ",signalstats=stat=brng", "-show_entries", "frame_tags=lavfi.signalstats.BRNG",
                "-of", "csv=p=0").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        List<Double> out = new ArrayList<>();
        for (String line : text.strip().split("\\R")) {
            out.add(Double.parseDouble(line.strip()));
        }
        return out;
    }
}
