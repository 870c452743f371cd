package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audio that stops coming while the picture goes on is silence ("no audio"): a multiplex whose audio ends at 3 s of
 * 8 s raises it from 3 s to the end; audio 0.5 s shorter than the picture (as files often are), and a stream that
 * never had audio, raise nothing.
 */
class MissingAudioTest {
    @TempDir
    static Path dir;

    /** testsrc2 for 8 s and a 440 Hz tone for {@code audioSeconds} (none: no audio stream), in MPEG-TS. */
    static Path clip(String name, double audioSeconds) throws Exception {
        Path out = dir.resolve(name + ".ts");
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=8"));
        if (audioSeconds > 0) {
            args.addAll(List.of("-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + audioSeconds, "-c:a", "mp2"));
        }
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-g", "25", out.toString()));
        Ffmpeg.run(args);
        return out;
    }

    static List<Event.Alarm> silence(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "a", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("silence"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void audioThatStopsWhileThePictureGoesOnIsSilence() throws Exception {
        List<Event.Alarm> alarms = silence(clip("stops", 3));
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(alarms.getFirst().summary()).startsWith("no audio for");
        Event.Alarm resolved = alarms.getLast();
        assertThat(resolved.start()).isCloseTo(3.0, offset(0.05));
        assertThat(resolved.end()).isCloseTo(8.0, offset(0.1));
    }

    @Test
    void audioABitShorterThanThePictureOrNoneAtAllIsNoSilence() throws Exception {
        assertThat(silence(clip("short", 7.5))).isEmpty();
        assertThat(silence(clip("none", 0))).isEmpty();
    }
}
