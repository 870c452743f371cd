package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audio muxed late or early against the video with ffmpeg's -itsoffset, and a clip in sync. */
class AvDriftTest {
    @TempDir
    static Path dir;
    static Path video;
    static Path audio;

    @BeforeAll
    static void makeSources() throws Exception {
        video = dir.resolve("v.ts");
        audio = dir.resolve("a.wav");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "sine=f=440:r=48000:d=5", audio.toString()));
    }

    /** Video and audio muxed into MPEG-TS, the audio's timestamps shifted by {@code shift} seconds. */
    static Path mux(String name, double shift) throws Exception {
        Path out = dir.resolve(name);
        Ffmpeg.run(List.of("-i", video.toString(), "-itsoffset", String.valueOf(shift), "-i", audio.toString(),
                "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "mp2", out.toString()));
        return out;
    }

    static List<Event.Alarm> drift(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "ts", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("av_drift"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void audioLateIsAPositiveOffset() throws Exception {
        List<Event.Alarm> found = drift(mux("late.ts", 0.3));
        assertThat(found).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(found.getFirst().metrics().get("offsetMs")).isCloseTo(300, offset(30.0));
        assertThat(found.getFirst().start()).isLessThan(0.5);
    }

    @Test
    void audioEarlyIsANegativeOffset() throws Exception {
        List<Event.Alarm> found = drift(mux("early.ts", -0.3));
        assertThat(found).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(found.getFirst().metrics().get("offsetMs")).isCloseTo(-300, offset(30.0));
    }

    @Test
    void audioInSyncIsQuiet() throws Exception {
        assertThat(drift(mux("sync.ts", 0))).isEmpty();
    }
}
