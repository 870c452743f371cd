package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.engine.StatisticsRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * blur: testsrc2 through a Gaussian blur (sigma 6) from 3 s to 6 s raises it there, FFmpeg's blurdetect beside it
 * as the oracle, and with grain on it too; the same pattern unblurred, mandelbrot's smooth bands, black and a plain
 * colour stay quiet. A photograph panned at 1080i (Debian's mate-backgrounds) stays quiet until a Gaussian blur
 * makes it soft: widths in a picture taller than 720 lines count at 720.
 */
class BlurClipTest {
    @TempDir
    static Path dir;
    static Path blurred;
    static Path clean;
    static Path smooth;
    static Path black;
    static Path plain;
    static Path grainy;

    @BeforeAll
    static void makeClips() throws Exception {
        blurred = dir.resolve("blurred.mkv");
        clean = dir.resolve("clean.mkv");
        smooth = dir.resolve("smooth.mkv");
        black = dir.resolve("black.mkv");
        plain = dir.resolve("plain.mkv");
        grainy = dir.resolve("grainy.mkv");
        x264("testsrc2=s=640x360:r=25:d=9,gblur=sigma=6:enable='between(t,3,6)'", blurred);
        x264("testsrc2=s=640x360:r=25:d=5", clean);
        x264("mandelbrot=s=640x360:r=25,trim=duration=4", smooth);
        x264("color=c=black:s=640x360:r=25:d=4", black);
        x264("color=c=0x3060a0:s=640x360:r=25:d=4", plain);
        x264("testsrc2=s=640x360:r=25:d=3,gblur=sigma=6,noise=alls=6:allf=t", grainy);
    }

    /**
     * Garden.jpg panned and zoomed at 1920x1080 interlaced (top field first), sharp for 2.5 s, then under a
     * Gaussian blur of sigma 8: blurdetect reads 11.3..12 in the picture's own pixels, then 21; vigil 7.5..8 at 720
     * lines, then up to 19.4.
     */
    @Test
    void aPhotographPannedAt1080iIsSharpUntilItIsBlurred() throws Exception {
        Path photo = Path.of(BlockinessNaturalTest.PHOTO_DIR, "Garden.jpg");
        org.assertj.core.api.Assumptions.assumeThat(photo).as("Debian's mate-backgrounds").exists();
        Path clip = dir.resolve("garden-1080i.mkv");
        Ffmpeg.run(List.of("-loop", "1", "-i", photo.toString(), "-vf", "scale=1920:-2,"
                + "zoompan=z='1.1+0.0015*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=1920x1080:fps=25,"
                + "fps=50,tinterlace=mode=interleave_top,setfield=tff,format=yuv420p,"
                + "gblur=sigma=8:enable='gte(t,2.5)'", "-t", "5", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "23", "-flags", "+ildct+ilme", "-x264-params", "tff=1", clip.toString()));
        List<Event.Alarm> blur = resolved(clip);
        assertThat(blur).hasSize(1);
        assertThat(blur.getFirst().start()).isCloseTo(2.52, offset(0.05));
        assertThat(blur.getFirst().metrics().get("blur")).isGreaterThan(12.0); // 19.4 at 720 lines here
    }

    private static void x264(String source, Path out) throws Exception {
        Ffmpeg.run(List.of("-f", "lavfi", "-i", source, "-c:v", "libx264", "-crf", "23", "-pix_fmt", "yuv420p",
                out.toString()));
    }

    /** The defaults (blur is on). */
    static List<Event.Alarm> resolved(Path clip) {
        return FlashAndCorruptionTest.resolved(clip, "blur");
    }

    @Test
    void blurredStretchRaisesBlurWhereItIs() {
        List<Event.Alarm> blur = resolved(blurred);
        assertThat(blur).hasSize(1);
        // Frames 3.00 s to 6.00 s are blurred (between() includes both ends); the next frame, at 6.04 s, clears it.
        assertThat(blur.getFirst().start()).isCloseTo(3.0, offset(0.001));
        assertThat(blur.getFirst().end()).isCloseTo(6.04, offset(0.001));
        assertThat(blur.getFirst().metrics().get("blur")).isGreaterThan(threshold());
    }

    @Test
    void sharpSmoothFlatAndBlackPicturesStayQuiet() {
        for (Path clip : List.of(clean, smooth, black, plain)) {
            assertThat(resolved(clip)).as(clip.getFileName().toString()).isEmpty();
        }
    }

    @Test
    void picturesWithoutEdgesHaveNoVerdict() {
        assertThat(widths(black)).isNotEmpty().allMatch(w -> w.isNaN());
        assertThat(widths(plain)).isNotEmpty().allMatch(w -> w.isNaN());
        assertThat(widths(clean)).isNotEmpty().noneMatch(w -> w.isNaN());
    }

    /** blurdetect as the oracle: the same frames are above the threshold, and there the widths agree. */
    @Test
    void blurdetectSeesTheSameStretch() throws Exception {
        double threshold = threshold();
        for (Path clip : List.of(blurred, clean)) {
            List<Double> ours = widths(clip);
            List<Double> ffmpeg = blurdetect(clip);
            assertThat(ours).hasSameSizeAs(ffmpeg);
            for (int i = 0; i < ours.size(); i++) {
                boolean blurredFrame = clip == blurred && i >= 75 && i <= 150;
                assertThat(ffmpeg.get(i) > threshold).as("blurdetect, %s frame %d: %.2f", clip.getFileName(), i,
                        ffmpeg.get(i)).isEqualTo(blurredFrame);
                assertThat(ours.get(i) > threshold).as("ours, %s frame %d: %.2f", clip.getFileName(), i,
                        ours.get(i)).isEqualTo(blurredFrame);
                if (blurredFrame) {
                    // Wide edges: the two meanings meet (on sharp ones blurdetect's own pre-filter widens them).
                    assertThat(ours.get(i)).as("frame %d", i).isCloseTo(ffmpeg.get(i), offset(0.2 * ffmpeg.get(i)));
                }
            }
        }
    }

    /** Grain on a blurred picture (a defocused camera's noise) does not cut its soft edges short. */
    @Test
    void grainOnABlurredPictureStillReadsBlurred() throws Exception {
        double threshold = threshold();
        List<Double> ours = widths(grainy);
        List<Double> ffmpeg = blurdetect(grainy);
        assertThat(ours).hasSameSizeAs(ffmpeg);
        for (int i = 0; i < ours.size(); i++) {
            assertThat(ffmpeg.get(i)).as("blurdetect frame %d", i).isGreaterThan(threshold);
            assertThat(ours.get(i)).as("frame %d", i).isGreaterThan(threshold);
        }
        assertThat(resolved(grainy)).hasSize(1);
    }

    private static double threshold() {
        return VigilConfig.defaults().detectors().get("blur").number("threshold");
    }

    static List<Double> widths(Path clip) {
        return ClipStatistics.perFrame(clip, StatisticsRequest.builder().blur().build(), s -> s.blur);
    }

    static List<Double> blurdetect(Path clip) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-f", "lavfi", "movie=" + clip + ",blurdetect",
                "-show_entries", "frame_tags=lavfi.blur", "-of", "csv=p=0").redirectErrorStream(true).start();
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
