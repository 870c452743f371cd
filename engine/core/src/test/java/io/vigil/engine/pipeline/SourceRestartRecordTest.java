package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.pipeline.ScriptedSource.Picture;
import io.vigil.engine.pipeline.ScriptedSource.Sound;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a live source that restarts leaves in the record (issue 12's "small lies"), on a test clock: one outage is
 * one {@code stall} alarm that says how long it lasted, even when a stray frame comes in the middle of it; a
 * {@code discontinuity} never ends before it began, whichever of the audio and the video jumps first; and a source
 * restarted in place, its timestamps reset, still reports its stall's duration as the outage; and an alarm whose
 * condition began before the timestamps jumped keeps the wall time it began at.
 */
class SourceRestartRecordTest {
    /** serve's stall: 5 s timeout, resolved once frames have flowed for 1 s of media. */
    static VigilConfig serveStall() {
        SequencedMap<String, DetectorSettings> detectors = VigilConfig.defaults().detectors();
        DetectorSettings stall = detectors.get("stall");
        detectors.put("stall", stall.withTiming(stall.durationSeconds(), 1.0, stall.severity()));
        return VigilConfig.defaults().withDetectors(detectors);
    }

    static List<Event.Alarm> alarms(List<Event> events, String detector) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).toList();
    }

    /** Plays {@code script} on a source analysed with {@code config}; its events, checked against the invariants. */
    static List<Event> record(VigilConfig config, Consumer<ScriptedSource> script) {
        List<Event> events;
        try (ScriptedSource source = new ScriptedSource("r", config, 1)) {
            script.accept(source);
            source.finish(0);
            events = source.events();
        }
        EventInvariants.within(0.1, 0.1).check(events, true);
        return events;
    }

    static double wallSeconds(Event.Alarm a) {
        return Duration.between(Instant.parse(a.wallStart()), Instant.parse(a.wallEnd())).toMillis() / 1000.0;
    }

    @Test
    void aStrayFrameInTheMiddleOfAnOutageLeavesOneStallThatLastsTheWholeOutage() {
        List<Event> events = record(serveStall(), source -> {
            source.begin(0, 0, 0);
            source.play(6, Picture.MOVING, Sound.TONE);
            // Down 12.7 s; when the read times out, 4.4 s in here, the demuxer hands over the frame it held.
            source.restart(12.7, 0, 0, 0, 4.4, false);
            source.play(6, Picture.MOVING, Sound.TONE);
        });
        List<Event.Alarm> stall = alarms(events, "stall");
        assertThat(stall).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm resolved = stall.get(1);
        // From the last frame before the outage to the first after it: 12.7 s and the first frame's 40 ms.
        assertThat(resolved.metrics()).containsEntry("stalls", 1.0);
        assertThat(resolved.metrics().get("stalledSeconds")).isCloseTo(12.74, within(0.05));
        assertThat(wallSeconds(resolved)).isCloseTo(12.74, within(0.1));
        assertThat(resolved.duration()).isCloseTo(12.74, within(0.1));
    }

    @Test
    void aStrayFrameJustBeforeTheTimeoutDoesNotDeferTheStallOfAShortOutage() {
        List<Event> events = record(serveStall(), source -> {
            source.begin(0, 0, 0);
            source.play(6, Picture.MOVING, Sound.TONE);
            // Down 8 s; the read times out 4.4 s in (an ioTimeout under the stall's 5 s) and hands over its frame.
            source.restart(8, 0, 0, 0, 4.4, false);
            source.play(6, Picture.MOVING, Sound.TONE);
        });
        List<Event.Alarm> stall = alarms(events, "stall");
        assertThat(stall).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(stall.get(1).metrics().get("stalledSeconds")).isCloseTo(8.04, within(0.05));
        assertThat(wallSeconds(stall.get(1))).isCloseTo(8.04, within(0.1));
        assertThat(stall.get(1).duration()).isCloseTo(8.04, within(0.1));
    }

    @Test
    void aDiscontinuityWhoseAudioJumpsFirstButLandsLaterEndsWhereItBegan() {
        List<Event> events = record(VigilConfig.defaults(), source -> {
            source.begin(0, 0, 0);
            source.play(4, Picture.MOVING, Sound.TONE);
            // Back after 1 s (shorter than stall's timeout), the reopened source's audio 21 ms after its video
            // (an AAC frame) but muxed 50 ms early: the audio block comes first and lands 21 ms after the video.
            source.restart(1.0, 0, 0.021, -0.05, 0, false);
            source.play(4, Picture.MOVING, Sound.TONE);
        });
        List<Event.Alarm> jumps = alarms(events, "discontinuity");
        assertThat(jumps).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm resolved = jumps.get(1);
        assertThat(resolved.end()).isEqualTo(resolved.start());
        assertThat(resolved.duration()).isZero();
        assertThat(resolved.metrics()).containsEntry("jumps", 2.0);
    }

    @Test
    void anAlarmWhoseConditionBeganBeforeTheTimestampsJumpedKeepsTheWallTimeItBegan() {
        List<Event> events = record(VigilConfig.defaults(), source -> {
            source.begin(600, 0, 0);
            source.play(3, Picture.MOVING, Sound.TONE);
            source.play(1, Picture.MOVING, Sound.SILENT);
            // Restarted in place half a second later, its timestamps a day ahead; still silent.
            source.restart(0.5, 84_784, 0, 0, 0, true);
            source.play(3, Picture.MOVING, Sound.SILENT);
        });
        Event.Alarm silence = alarms(events, "silence").getFirst();
        assertThat(silence.start()).isCloseTo(603.0, within(0.05));
        // The wall clock when the silence began, 3 s after the source did (the clock starts at 10:00:00).
        assertThat(Duration.between(Instant.parse("2026-12-06T10:00:00Z"), Instant.parse(silence.wallStart()))
                .toMillis() / 1000.0).isCloseTo(3.0, within(0.1));
    }

    @Test
    void aSourceRestartedInPlaceEndsItsStallWhereItBeganAndItsWallTimesSayHowLong() {
        List<Event> events = record(VigilConfig.defaults(), source -> {
            source.begin(600, 0, 0);
            source.play(4, Picture.MOVING, Sound.TONE);
            // Down 7 s, under the read timeout: the same input goes on, its timestamps back at 0.
            source.restart(7, 0, 0, 0, 0, true);
            source.play(4, Picture.MOVING, Sound.TONE);
        });
        Event.Alarm resolved = alarms(events, "stall").getLast();
        assertThat(resolved.start()).isEqualTo(604.0);
        // Its timestamps went back, yet its duration is the outage (issue 14): end is where the wall clock puts it.
        assertThat(resolved.end()).isCloseTo(611.04, within(0.05));
        assertThat(resolved.duration()).isCloseTo(7.04, within(0.05));
        assertThat(resolved.metrics().get("stalledSeconds")).isCloseTo(7.04, within(0.05));
        assertThat(wallSeconds(resolved)).isCloseTo(7.04, within(0.1));
    }
}
