package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.Analysis;
import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --thumbnails: a JPEG of the frame where each video alarm began, its path in the firing and resolved events. */
class ThumbnailsTest {
    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("defects.mkv");
        // Black from 2 to 5 s, frozen on the frame at 7.0 s (frame 175) until 10 s, with a tone throughout (so no
        // signal_loss). Lossless, so that the frozen frames decode bit-identical.
        Ffmpeg.run(List.of("-f", "lavfi", "-i",
                "testsrc2=s=320x240:r=25:d=12,drawbox=enable='gte(t,2)*lt(t,5)':color=black:t=fill,"
                        + "split[a][b];[a][b]freezeframes=first=175:last=249:replace=175[out0]",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=12",
                "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le",
                clip.toString()));
    }

    static List<Event.Alarm> analyse(Path thumbnails) {
        List<Event> events = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        Analysis.Outcome outcome = Analysis.run(clip.toString(), "ch 1#2", VigilConfig.defaults(), events::add, null,
                notices::add, io.vigil.kernels.cpu.CpuStatisticsEngine.reference(), thumbnails);
        assertThat(outcome).isEqualTo(Analysis.Outcome.COMPLETE);
        assertThat(notices).isEmpty();
        return events.stream().filter(e -> e instanceof Event.Alarm).map(e -> (Event.Alarm) e).toList();
    }

    /** Mean luma, in full-range 8-bit code values, of the first frame at or after {@code atSeconds}. */
    static double meanLuma(Path file, double atSeconds) {
        double[] mean = {Double.NaN};
        int[] size = new int[2];
        try (MediaInput in = MediaInput.open(file.toString(), DecodeOptions.DEFAULTS)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (!Double.isNaN(mean[0]) || f.ptsSeconds() < atSeconds - 1e-3) {
                        return;
                    }
                    size[0] = f.width();
                    size[1] = f.height();
                    MemorySegment y = MemorySegment.ofAddress(f.planeAddress(0)).reinterpret((long) f.linesize(0) * f.height());
                    double sum = 0;
                    for (int r = 0; r < f.height(); r++) {
                        for (int x = 0; x < f.width(); x++) {
                            sum += y.get(ValueLayout.JAVA_BYTE, (long) r * f.linesize(0) + x) & 0xff;
                        }
                    }
                    double m = sum / ((double) f.width() * f.height());
                    mean[0] = f.fullRange() ? m : (m - 16) * 255.0 / 219.0;
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        if (file.toString().endsWith(".jpg")) {
            assertThat(size[0]).as("thumbnail width").isEqualTo(320);
        }
        return mean[0];
    }

    @Test
    void blackAndFreezeAlarmsCarryAPictureOfTheirFirstFrame() throws Exception {
        Path thumbs = dir.resolve("thumbs");
        StartFrames.prepare(thumbs);
        List<Event.Alarm> alarms = analyse(thumbs);
        assertThat(alarms).extracting(Event.Alarm::detector).containsExactly("black", "black", "freeze", "freeze");

        Event.Alarm blackFiring = alarms.get(0);
        Event.Alarm blackResolved = alarms.get(1);
        assertThat(blackFiring.start()).isCloseTo(2.0, offset(0.001));
        assertThat(blackFiring.thumbnail()).isEqualTo(thumbs.resolve("ch_1_2-black-2000.jpg").toString());
        assertThat(blackResolved.thumbnail()).isEqualTo(blackFiring.thumbnail());
        // Black in full range (JPEG) is 0; limited-range black (16) maps there.
        assertThat(meanLuma(Path.of(blackFiring.thumbnail()), 0)).isLessThan(4.0);

        Event.Alarm freezeFiring = alarms.get(2);
        Event.Alarm freezeResolved = alarms.get(3);
        assertThat(freezeFiring.start()).isCloseTo(7.0, offset(0.001));
        assertThat(freezeFiring.thumbnail()).isEqualTo(thumbs.resolve("ch_1_2-freeze-7000.jpg").toString());
        assertThat(freezeResolved.thumbnail()).isEqualTo(freezeFiring.thumbnail());
        double source = meanLuma(clip, 7.0);
        assertThat(source).isGreaterThan(30.0);
        assertThat(meanLuma(Path.of(freezeFiring.thumbnail()), 0)).isCloseTo(source, offset(3.0));

        try (var files = Files.list(thumbs)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("ch_1_2-black-2000.jpg", "ch_1_2-freeze-7000.jpg");
        }
    }

    @Test
    void everyPictureAlarmCarriesAPictureOfItsFirstFrame() throws Exception {
        // Programme, colour bars from 3 to 6 s, programme, then a gaussian blur from 8 to 11 s.
        Path bars = dir.resolve("bars-blur.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=3", "-f", "lavfi", "-i",
                "smptebars=s=640x360:r=25:d=3", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=7",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=13",
                "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0,setpts=N/25/TB,"
                        + "gblur=sigma=6:enable='between(t,8,11)'[v]",
                "-map", "[v]", "-map", "3:a", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0",
                "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", bars.toString()));
        Path thumbs = dir.resolve("thumbs-other");
        StartFrames.prepare(thumbs);
        List<Event> events = new ArrayList<>();
        Analysis.Outcome outcome = Analysis.run(bars.toString(), "p", VigilConfig.defaults(), events::add, null,
                n -> { }, io.vigil.kernels.cpu.CpuStatisticsEngine.reference(), thumbs);
        assertThat(outcome).isEqualTo(Analysis.Outcome.COMPLETE);
        List<Event.Alarm> firing = events.stream().filter(e -> e instanceof Event.Alarm a && a.firing())
                .map(e -> (Event.Alarm) e).toList();
        assertThat(firing).extracting(Event.Alarm::detector).containsExactly("colorbars", "blur");

        Event.Alarm colorbars = firing.get(0);
        assertThat(colorbars.start()).isCloseTo(3.0, offset(0.001));
        assertThat(colorbars.thumbnail()).isEqualTo(thumbs.resolve("p-colorbars-3000.jpg").toString());
        assertThat(meanLuma(Path.of(colorbars.thumbnail()), 0)).isCloseTo(meanLuma(bars, 3.0), offset(3.0));

        Event.Alarm blur = firing.get(1);
        assertThat(blur.start()).isCloseTo(8.0, offset(0.001));
        assertThat(blur.thumbnail()).isEqualTo(thumbs.resolve("p-blur-8000.jpg").toString());
        assertThat(meanLuma(Path.of(blur.thumbnail()), 0)).isCloseTo(meanLuma(bars, 8.0), offset(3.0));
    }

    @Test
    void noThumbnailsWithoutAFolder() {
        List<Event.Alarm> alarms = analyse(null);
        assertThat(alarms).hasSize(4).allSatisfy(a -> assertThat(a.thumbnail()).isNull());
    }

    @Test
    void fileNamesAreSafe() {
        assertThat(StartFrames.fileName("udp://239.0.0.1:5000", "signal_loss", 12.3456))
                .isEqualTo("udp___239.0.0.1_5000-signal_loss-12346.jpg");
    }
}
