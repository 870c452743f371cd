package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream whose audio format changes midway (a source reconnected to another encoder, a new programme), made as two
 * MPEG-TS segments one after the other, their timestamps continuous: the loudness windows start again with the new
 * format rather than mix the two; and audio at 2 MHz, which the meter does not measure, is said once and leaves every
 * other detector at work (it ended the whole analysis with an IllegalArgumentException before).
 */
class LoudnessFormatChangeTest {
    @TempDir
    static Path dir;

    /**
     * A 1 kHz tone at {@code dbfs} peak in every channel, {@code seconds} long, in MPEG-TS (AC-3, which carries
     * stereo and 5.1 at 44.1 and 48 kHz), its timestamps starting at {@code fromSeconds}.
     */
    static Path segment(String name, double fromSeconds, double seconds, int rate, String layout, double dbfs)
            throws Exception {
        Path out = dir.resolve(name);
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "sine=f=1000:r=" + rate + ":d=" + seconds,
                "-af", "volume=" + (dbfs + 18.06) + "dB,pan=" + layout + "|" + allChannels(layout),
                "-c:a", "ac3", "-b:a", "448k", "-output_ts_offset", String.valueOf(fromSeconds), out.toString()));
        return out;
    }

    private static String allChannels(String layout) {
        int n = layout.equals("stereo") ? 2 : 6;
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add("c" + i + "=c0");
        }
        return String.join("|", c);
    }

    static Path joined(String name, Path... segments) throws Exception {
        Path out = dir.resolve(name);
        Files.write(out, new byte[0]);
        for (Path s : segments) {
            Files.write(out, Files.readAllBytes(s), StandardOpenOption.APPEND);
        }
        return out;
    }

    static List<Event> analyze(Path clip, List<String> notices) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "f", VigilConfig.defaults(), events::add, null, notices::add))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events;
    }

    static List<Event.Alarm> alarms(List<Event> events, String detector) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).toList();
    }

    /**
     * 35 s at the target (-23 LUFS, 48 kHz stereo), then 45 s 10 LU too quiet at 44.1 kHz. The programme window starts
     * again at the change and judges once it holds 30 s of the new format alone: too quiet from 30 s after the change
     * at the new format's level. A window that kept the old format's blocks would go under -28 LUFS 23 s after the
     * change (as programme that drops 10 LU does), at a level between the two.
     */
    @Test
    void aSampleRateChangeStartsTheProgrammeWindowAgain() throws Exception {
        Path clip = joined("rate.ts", segment("a48.ts", 0, 35, 48000, "stereo", -23),
                segment("b44.ts", 35, 45, 44100, "stereo", -33));
        List<String> notices = new ArrayList<>();
        List<Event> events = analyze(clip, notices);
        List<Event.Alarm> loudness = alarms(events, "loudness");
        assertThat(loudness).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = loudness.getFirst();
        assertThat(firing.start()).isCloseTo(35 + 30, offset(0.3));
        assertThat(firing.metrics().get("programmeLufs")).isCloseTo(-33.0, offset(0.3));
        assertThat(notices).noneMatch(n -> n.contains("loudness"));
        Event.Summary summary = (Event.Summary) events.getLast();
        double mean = (35 * Math.pow(10, -2.3) + 45 * Math.pow(10, -3.3)) / 80;
        assertThat(summary.loudness().get("integrated")).isCloseTo(10 * Math.log10(mean), offset(0.3));
    }

    /**
     * 15 s 10 LU too loud in stereo, then 10 s at the target in 5.1 (every channel at the level that makes -23 LUFS
     * with BS.1770's weights): the alarm raised on the stereo part resolves 3 s (its clear delay) after the change,
     * the short-term window holding only the new layout from there.
     */
    @Test
    void aChannelLayoutChangeStartsTheShortTermWindowAgain() throws Exception {
        double fiveOneAtTarget = -23 - 10 * Math.log10(5.82 / 2);
        Path clip = joined("layout.ts", segment("stereo.ts", 0, 15, 48000, "stereo", -13),
                segment("surround.ts", 15, 10, 48000, "5.1", fiveOneAtTarget));
        List<Event.Alarm> loudness = alarms(analyze(clip, new ArrayList<>()), "loudness");
        assertThat(loudness).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(loudness.getFirst().start()).isCloseTo(0.0, offset(0.15));
        assertThat(loudness.getLast().end()).isCloseTo(15.0, offset(0.3));
    }

    /**
     * 2 MHz audio (FFmpeg decodes it; the fuzzing of issue 12 found it killed the analysis): loudness is said once, in
     * a warning event, to be unmeasured, while silence (0 to 2.5 s) and black (2.5 to 5 s) are found as on any other clip.
     */
    @Test
    void audioAtTwoMegahertzIsNotMeasuredAndEveryOtherDetectorGoesOn() throws Exception {
        Path clip = dir.resolve("two-megahertz.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=5",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=5",
                "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='gte(t,2.5)'",
                "-af", "volume=0:enable='lt(t,2.5)',aresample=2000000",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "pcm_s16le", "-ar", "2000000", clip.toString()));
        List<Event> events = analyze(clip, new ArrayList<>());
        assertThat(events).filteredOn(e -> e instanceof Event.Warning).singleElement()
                .satisfies(w -> assertThat(((Event.Warning) w).detector()).isEqualTo("loudness"))
                .extracting(w -> ((Event.Warning) w).message()).asString()
                .contains("Loudness is not measured from 0.0 s")
                .contains("2000000 Hz");
        assertThat(alarms(events, "loudness")).isEmpty();
        assertThat(alarms(events, "silence")).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(alarms(events, "silence").getFirst().start()).isCloseTo(0.0, offset(0.05));
        assertThat(alarms(events, "black")).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(alarms(events, "black").getFirst().start()).isCloseTo(2.5, offset(0.05));
        Event.Summary summary = (Event.Summary) events.getLast();
        assertThat(summary.audioSamples()).isEqualTo(10_000_000);
        assertThat(summary.loudness()).isNull();
    }
}
