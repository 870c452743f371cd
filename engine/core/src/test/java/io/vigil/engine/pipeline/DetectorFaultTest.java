package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.Lineup;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.AudioBlocks;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A detector that throws on the content is switched off for the stream, with one warning, its firing alarm
 * resolved where it stopped; the other detectors go on to raise and resolve their alarms.
 */
class DetectorFaultTest {
    static final int RATE = 48000;
    static final int BLOCK = 1024;

    /** Holds its condition from the start; throws on every block from {@code throwFromSeconds}. */
    static final class Thrower implements Detector {
        final Alarm alarm;
        final double throwFromSeconds;
        int calls;

        Thrower(AlarmTracker tracker, double throwFromSeconds) {
            this.alarm = tracker.register("thrower", null, Severity.ERROR, 0.5, 0, new AlarmSubject() {
                @Override
                public String summary(double heldSeconds) {
                    return "always";
                }

                @Override
                public void metrics(Map<String, Double> out) {
                }
            });
            this.throwFromSeconds = throwFromSeconds;
        }

        @Override
        public String name() {
            return "thrower";
        }

        @Override
        public void onAudio(AudioStats stats) {
            calls++;
            if (stats.ptsSeconds >= throwFromSeconds) {
                throw new IllegalStateException("cannot cope with this block");
            }
            alarm.hold(0, stats.ptsSeconds + (double) stats.samples / stats.sampleRate);
        }

        @Override
        public void finish(double lastVideoSeconds, double audioEndSeconds) {
            alarm.finish(audioEndSeconds);
        }
    }

    @Test
    void aThrowingDetectorIsSwitchedOffOnceAndTheOthersGoOn() {
        List<Event> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        SequencedMap<String, DetectorSettings> only = new LinkedHashMap<>();
        VigilConfig.defaults().detectors().forEach((name, s) -> only.put(name, s.withEnabled(name.equals("silence"))));
        Lineup standard = DetectorRegistry.standard().build(only, tracker);
        Thrower thrower = new Thrower(tracker, 3.0);
        List<Detector> detectors = new ArrayList<>(standard.detectors());
        detectors.add(thrower);
        Map<String, Set<Statistic>> reads = new HashMap<>(standard.readsByDetector());
        reads.put("thrower", Set.of(Statistic.AUDIO_LEVELS));
        Lineup lineup = new Lineup(detectors, standard.statistics(), standard.parameters(), reads);

        try (StreamAnalyzer analyzer = StreamAnalyzer.create(lineup, tracker, false, CpuStatisticsEngine.reference(),
                (detector, message) -> warnings.add(detector + ": " + message))) {
            // 8 s of silence: silence fires after its raise delay; the thrower throws from 3 s on.
            AudioBlock block = new AudioBlock();
            float[][] quiet = new float[2][BLOCK];
            for (long n = 0; n < 8L * RATE; n += BLOCK) {
                AudioBlocks.fill(block, quiet, BLOCK, RATE, (double) n / RATE);
                analyzer.onAudio(block);
            }
            analyzer.finish();
            assertThat(analyzer.detectorNames()).containsExactly("silence");
        }

        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst()).startsWith("thrower: The thrower detector failed on this stream's content "
                + "(IllegalStateException: cannot cope with this block)");
        assertThat(thrower.calls).as("never called again once it threw").isEqualTo(3 * RATE / BLOCK + 2);
        List<Event.Alarm> alarms = events.stream().map(e -> (Event.Alarm) e).toList();
        List<Event.Alarm> thrown = alarms.stream().filter(a -> a.detector().equals("thrower")).toList();
        assertThat(thrown).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(thrown.get(1).end()).as("resolved where it stopped").isCloseTo(3.0, offset(0.05));
        List<Event.Alarm> silence = alarms.stream().filter(a -> a.detector().equals("silence")).toList();
        assertThat(silence).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(silence.get(1).end()).isCloseTo(8.0, offset(0.05));
    }
}
