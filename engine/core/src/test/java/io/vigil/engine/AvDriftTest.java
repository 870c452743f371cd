package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Audio muxed late or early against the video with ffmpeg's -itsoffset, and a clip in sync; then what a live
 * channel does to the two timelines without being out of sync: joined between keyframes (the first picture comes up
 * to a GOP after the first sound), cut with {@code -ss -c copy}, a restarted source whose old audio ended early, an
 * audio outage. Those were all standing alarms before av_drift measured only what is presented together; audio
 * timestamps that drift against the samples must still fire, from the start and after a join.
 */
class AvDriftTest {
    /** MPEG-TS packet. */
    static final int TS = 188;

    @TempDir
    static Path dir;
    static Path video;
    static Path audio;
    /** 12 s of H.264 with a keyframe every 2 s and MP2 sound, as a live encoder sends it. */
    static Path channel;

    @BeforeAll
    static void makeSources() throws Exception {
        video = dir.resolve("v.ts");
        audio = dir.resolve("a.wav");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "sine=f=440:r=48000:d=5", audio.toString()));
        channel = encode("channel.ts", 12, List.of());
    }

    /** Video and audio muxed into MPEG-TS, the audio's timestamps shifted by {@code shift} seconds. */
    static Path mux(String name, double shift) throws Exception {
        Path out = dir.resolve(name);
        Ffmpeg.run(List.of("-i", video.toString(), "-itsoffset", String.valueOf(shift), "-i", audio.toString(),
                "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "mp2", out.toString()));
        return out;
    }

    /** A live channel's encoding (2 s GOP, MP2 128 kb/s) of a test picture and a tone, {@code audioOptions} on the sound. */
    static Path encode(String name, double seconds, List<String> audioOptions) throws Exception {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=" + seconds,
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + seconds));
        args.addAll(audioOptions);
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "50",
                "-pix_fmt", "yuv420p", "-c:a", "mp2", "-b:a", "128k", out.toString()));
        Ffmpeg.run(args);
        return out;
    }

    /** {@code source} from {@code fraction} of its bytes on (at a 1316-byte UDP datagram): a reader that joined there. */
    static Path joinedAt(Path source, double fraction) throws Exception {
        byte[] all = Files.readAllBytes(source);
        int from = (int) (all.length * fraction) / (7 * TS) * (7 * TS);
        Path out = dir.resolve(source.getFileName() + "-from-" + from + ".ts");
        Files.write(out, Arrays.copyOfRange(all, from, all.length / TS * TS));
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

    /** Audio that starts 0.3 s before the picture and ends 0.3 s before it: shifted as a whole, not cut. */
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

    /**
     * A reader joining between keyframes gets sound at once and its first picture at the next keyframe, up to 2 s
     * later: audio ahead of the first picture, which is no offset (the old rule held an alarm to the end).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.07, 0.19, 0.33, 0.52, 0.71})
    void joinedBetweenKeyframesIsQuiet(double fraction) throws Exception {
        assertThat(drift(joinedAt(channel, fraction))).isEmpty();
    }

    /** {@code -ss} with {@code -c copy}: the sound from the cut, the pictures from the next keyframe, 0.3 s later. */
    @Test
    void streamCopyCutBetweenKeyframesIsQuiet() throws Exception {
        Path cut = dir.resolve("ss-copy.ts");
        Ffmpeg.run(List.of("-ss", "3.7", "-i", channel.toString(), "-c", "copy", cut.toString()));
        assertThat(drift(cut)).isEmpty();
    }

    /**
     * A source that restarted: its first run's sound ended 0.3 s before its pictures (the encoder was killed), and
     * both timelines start again. What was lost of the first run does not misalign the second.
     */
    @Test
    void restartedSourceIsQuiet() throws Exception {
        Path first = dir.resolve("first-run.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5", "-f", "lavfi", "-i",
                "sine=f=440:r=48000:d=4.7", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt",
                "yuv420p", "-c:a", "mp2", first.toString()));
        Path second = encode("second-run.ts", 6, List.of());
        Path restarted = dir.resolve("restarted.ts");
        Files.write(restarted, Files.readAllBytes(first));
        Files.write(restarted, Files.readAllBytes(second), java.nio.file.StandardOpenOption.APPEND);
        assertThat(drift(restarted)).isEmpty();
    }

    /** No sound from 4 to 7 s, its timestamps right after: missing audio, not audio 3 s late. */
    @Test
    void audioOutageIsQuiet() throws Exception {
        assertThat(drift(encode("outage.ts", 12, List.of("-af", "aselect='not(between(t,4,7))'")))).isEmpty();
    }

    /** Audio stamped 5% slow against its samples: 0.1 s behind after 2 s, 0.55 s at the end; joined or not. */
    @Test
    void audioDriftingAgainstItsSamplesFiresFromTheStartAndAfterAJoin() throws Exception {
        Path drifting = encode("drift.ts", 12, List.of("-af", "asetpts=PTS*1.05"));
        for (Path clip : List.of(drifting, joinedAt(drifting, 0.3))) {
            List<Event.Alarm> found = drift(clip);
            assertThat(found).as("%s", clip).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
            Event.Alarm resolved = found.getLast();
            assertThat(resolved.metrics().get("worstOffsetMs")).as("%s", clip).isBetween(250.0, 600.0);
        }
        assertThat(drift(drifting).getFirst().start()).isCloseTo(2.1, offset(0.3));
    }
}
