package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.ColorBarsDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * colorbars: programme (testsrc2), then bars or a still slate from 3 to 7 s, then programme again, concatenated and
 * coded with x264 at 640x360: colorbars fires from 3 to 7 s with the right kind and freeze stays quiet (slates only
 * with {@code slate: true}). Clean clips (testsrc2, mandelbrot, a moving checkerboard, moving text, black) stay quiet,
 * slates on.
 */
class ColorBarsClipTest {
    @TempDir
    static Path dir;

    private static final String FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /** testsrc2 for 3 s, {@code middle} (4 s at 25 fps, 640x360) and testsrc2 for 3 s, coded with x264. */
    static Path programmeAround(String name, String middle, String pixFmt) throws Exception {
        Path clip = dir.resolve(name + ".mkv");
        String prog = "testsrc2=s=640x360:r=25:d=3,format=" + pixFmt + ",setsar=1";
        Ffmpeg.run(List.of("-f", "lavfi", "-i", prog,
                "-f", "lavfi", "-i", middle + ",format=" + pixFmt + ",setsar=1",
                "-f", "lavfi", "-i", prog,
                "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1[v]", "-map", "[v]",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", pixFmt, clip.toString()));
        return clip;
    }

    /** The defaults, and with slates on. */
    static final VigilConfig WITH_SLATES = ConfigLoader.parse("test", "detectors:\n  colorbars:\n    slate: true\n");

    static List<Event.Alarm> resolved(Path clip) {
        return resolved(clip, VigilConfig.defaults());
    }

    static List<Event.Alarm> resolved(Path clip, VigilConfig config) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "v", config, events::add,
                null, n -> { })).isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm).map(e -> (Event.Alarm) e).toList();
    }

    static void assertOneFrom3To7(List<Event.Alarm> events, double kind, String summary) {
        assertThat(events).filteredOn(a -> a.firing() && a.detector().equals("colorbars"))
                .singleElement().satisfies(a -> assertThat(a.summary()).startsWith(summary));
        List<Event.Alarm> alarms = events.stream().filter(a -> !a.firing()).toList();
        List<Event.Alarm> bars = alarms.stream().filter(a -> a.detector().equals("colorbars")).toList();
        assertThat(bars).as("%s", alarms).hasSize(1);
        // Start and end within a frame of 3 s and 7 s (a slate back-dated to its first still frame).
        assertThat(bars.getFirst().start()).isCloseTo(3.0, offset(0.041));
        assertThat(bars.getFirst().end()).isCloseTo(7.0, offset(0.041));
        assertThat(bars.getFirst().metrics()).containsEntry("kind", kind);
        assertThat(alarms).as("freeze is explained by colorbars").noneMatch(a -> a.detector().equals("freeze"));
        // blockiness may fire on a gradient slate (x264 leaves it in flat 8x8 steps): a real finding, not colorbars'.
        assertThat(alarms).as("nothing else").allMatch(a -> a.detector().equals("colorbars")
                || a.detector().equals("blockiness"));
    }

    @ParameterizedTest
    @CsvSource({
        "smptebars, smptebars=s=640x360:r=25:d=4, yuv420p",
        "smptehdbars-10bit, smptehdbars=s=640x360:r=25:d=4, yuv420p10le",
        "pal75bars-scaled, pal75bars=s=720x576:r=25:d=4;scale=640:360, yuv420p",
        "pal100bars, pal100bars=s=640x360:r=25:d=4, yuv420p",
        "smptebars-grain, smptebars=s=640x360:r=25:d=4;noise=alls=12:allf=t, yuv420p",
    })
    void barsBetweenProgrammeRaiseColorBarsNotFreeze(String name, String source, String pixFmt) throws Exception {
        Path clip = programmeAround(name, source.replace(';', ','), pixFmt);
        assertOneFrom3To7(resolved(clip), ColorBarsDetector.KIND_BARS, "colour bars");
    }

    @Test
    void stillSlatesRaiseColorBarsAsSlate() throws Exception {
        List<String> slates = new ArrayList<>(List.of(
                "color=c=0x1a2a4a:s=640x360:r=25:d=4,drawbox=x=40:y=40:w=560:h=60:color=white:t=fill,"
                        + "drawbox=x=80:y=250:w=480:h=40:color=0xc0c0c0:t=4"));
        if (Files.exists(Path.of(FONT))) {
            slates.add("nullsrc=s=640x360:r=25:d=4,geq=lum='40+Y/4':cb=140:cr=120,drawtext=fontfile=" + FONT
                    + ":text='Programme will resume shortly':fontsize=32:fontcolor=white:x=(w-tw)/2:y=(h-th)/2");
        }
        int i = 0;
        for (String slate : slates) {
            Path clip = programmeAround("slate" + i++, slate, "yuv420p");
            assertOneFrom3To7(resolved(clip, WITH_SLATES), ColorBarsDetector.KIND_SLATE, "still slate");
            // Slates off (the default): the still picture is a freeze, as before.
            assertThat(resolved(clip)).anyMatch(a -> a.detector().equals("freeze"))
                    .noneMatch(a -> a.detector().equals("colorbars"));
        }
    }

    @Test
    void programmeAndPlainPicturesStayQuiet() throws Exception {
        List<String> sources = List.of(
                "testsrc2=s=640x360:r=25:d=6",
                "mandelbrot=s=640x360:r=25,trim=duration=6",
                "nullsrc=s=640x360:r=25:d=6,geq=lum='if(mod(floor((X+4*N)/40)+floor(Y/40),2),235,16)':cb=128:cr=128",
                "color=c=black:s=640x360:r=25:d=6");
        if (Files.exists(Path.of(FONT))) {
            // Text that moves (a crawl) is programme, not a slate.
            sources = new ArrayList<>(sources);
            sources.add("color=c=0x202840:s=640x360:r=25:d=6,drawtext=fontfile=" + FONT
                    + ":text='Programme will resume shortly':fontsize=32:fontcolor=white:x=w-80*t:y=(h-th)/2");
        }
        int i = 0;
        for (String source : sources) {
            Path clip = dir.resolve("clean" + i++ + ".mkv");
            Ffmpeg.run(List.of("-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                    "-pix_fmt", "yuv420p", clip.toString()));
            assertThat(resolved(clip, WITH_SLATES)).as(source).noneMatch(a -> a.detector().equals("colorbars"));
        }
    }
}
