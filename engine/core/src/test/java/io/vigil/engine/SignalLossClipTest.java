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

/** A channel that loses picture and sound at once raises one signal_loss alarm, not black, freeze and silence. */
class SignalLossClipTest {
    @TempDir
    Path dir;

    @Test
    void blackAndSilenceTogetherAreOneCriticalAlarm() throws Exception {
        Path clip = dir.resolve("loss.mkv");
        // Picture and sound go at 3.0 s and come back at 7.0 s.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=10,drawbox=enable='gte(t,3)*lt(t,7)':color=black:t=fill",
                "-f", "lavfi", "-i", "aevalsrc='if(gte(t,3)*lt(t,7),0,0.4*sin(2*PI*440*t))|if(gte(t,3)*lt(t,7),0,0.4*sin(2*PI*660*t))':s=48000:d=10",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", clip.toString()));
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "ch1", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        List<Event.Alarm> alarms = events.stream().filter(e -> e instanceof Event.Alarm).map(e -> (Event.Alarm) e).toList();
        assertThat(alarms).extracting(Event.Alarm::detector).containsOnly("signal_loss");
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm resolved = alarms.get(1);
        assertThat(resolved.severity()).isEqualTo("critical");
        assertThat(resolved.dedupKey()).isEqualTo("ch1/signal_loss");
        assertThat(resolved.start()).isCloseTo(3.0, offset(0.04));
        assertThat(resolved.end()).isCloseTo(7.0, offset(0.04));
        FfmpegOracleTest.assertFiringThenResolved(events);
    }
}
