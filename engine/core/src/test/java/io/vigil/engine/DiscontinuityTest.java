package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timestamps that jump inside one MPEG-TS stream, as a splice or a restarted encoder makes them. */
class DiscontinuityTest {
    @TempDir
    static Path dir;
    static Path first;
    static Path later;

    @BeforeAll
    static void makeSegments() throws Exception {
        first = dir.resolve("a.ts");
        later = dir.resolve("b.ts");
        for (Path p : List.of(first, later)) {
            List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3",
                    "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2"));
            if (p == later) {
                // The second segment's clock runs 20 s ahead: spliced after the first, time jumps forward.
                args.addAll(List.of("-output_ts_offset", "20"));
            }
            args.add(p.toString());
            Ffmpeg.run(args);
        }
    }

    static Path concat(String name, Path... parts) throws IOException {
        Path out = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(out)) {
            for (Path p : parts) {
                Files.copy(p, o);
            }
        }
        return out;
    }

    static List<Event.Alarm> alarms(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "ts", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("discontinuity"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void aForwardJumpIsOneAlarmAtTheSplice() throws IOException {
        List<Event.Alarm> found = alarms(concat("forward.ts", first, later));
        assertThat(found).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(found.getFirst().metrics().get("jumpSeconds")).isCloseTo(17.0, offset(0.1));
    }

    @Test
    void aBackwardJumpIsOneAlarmToo() throws IOException {
        List<Event.Alarm> found = alarms(concat("backward.ts", later, first));
        assertThat(found).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(found.getFirst().metrics().get("jumpSeconds")).isCloseTo(-23.0, offset(0.1));
    }

    @Test
    void continuousTimestampsAreQuiet() {
        assertThat(alarms(first)).isEmpty();
    }
}
