package io.vigil.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.pipeline.StreamAnalyzer;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.AudioBlocks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;

/**
 * The rules of channel_loss, clipping, phase and dc_offset on signals made in memory and fed through the stream
 * pipeline in blocks of 1024 samples at 48 kHz (the defaults, unless a test says otherwise): the edge cases that
 * the clip tests do not reach.
 */
class AudioDetectorRulesTest {
    static final int RATE = 48000;
    static final int BLOCK = 1024;
    static final double SAMPLE = 1.0 / RATE;

    /** A signal, sample by sample: channel {@code c} at sample {@code n} (time {@code n / RATE}). */
    interface Signal {
        double at(int c, long n);
    }

    static double t(long n) {
        return (double) n / RATE;
    }

    static boolean within(long n, double from, double to) {
        return t(n) >= from && t(n) < to;
    }

    static double tone(long n, double hz, double amplitude) {
        return amplitude * Math.sin(2 * Math.PI * hz * t(n));
    }

    /** Runs {@code detectors} (the others off) over {@code seconds} of {@code channels} channels; the alarms raised. */
    static List<Event.Alarm> run(VigilConfig config, int channels, double seconds, Signal signal, String... detectors) {
        SequencedMap<String, DetectorSettings> only = new LinkedHashMap<>();
        config.detectors().forEach((name, s) -> only.put(name, s.withEnabled(List.of(detectors).contains(name))));
        List<Event> events = new ArrayList<>();
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        try (StreamAnalyzer analyzer = StreamAnalyzer.create(config.withDetectors(only), tracker, false,
                CpuStatisticsEngine.reference(), (detector, message) -> {
                    throw new AssertionError("a detector was switched off: " + message);
                })) {
            AudioBlock block = new AudioBlock();
            float[][] data = new float[channels][BLOCK];
            long total = Math.round(seconds * RATE);
            for (long n0 = 0; n0 < total; n0 += BLOCK) {
                int n = (int) Math.min(BLOCK, total - n0);
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < n; i++) {
                        data[c][i] = (float) signal.at(c, n0 + i);
                    }
                }
                AudioBlocks.fill(block, data, n, RATE, t(n0));
                analyzer.onAudio(block);
            }
            analyzer.finish();
        }
        List<Event.Alarm> resolved = new ArrayList<>();
        List<Event.Alarm> firing = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Event.Alarm a) {
                (a.firing() ? firing : resolved).add(a);
            }
        }
        assertThat(firing).as("every alarm resolves: %s", events).hasSameSizeAs(resolved);
        EventInvariants.assertComplete(events);
        return resolved;
    }

    static List<Event.Alarm> run(int channels, double seconds, Signal signal, String... detectors) {
        return run(VigilConfig.defaults(), channels, seconds, signal, detectors);
    }

    static void assertInterval(Event.Alarm a, double start, double end, double tolerance) {
        assertThat(a.start()).as("start of %s", a).isCloseTo(start, offset(tolerance));
        assertThat(a.end()).as("end of %s", a).isCloseTo(end, offset(tolerance));
    }

    // channel_loss

    @Test
    void allChannelsSilentTogetherIsNotChannelLoss() {
        List<Event.Alarm> alarms = run(2, 10, (c, n) -> within(n, 3, 7) ? 0 : tone(n, 440 + 110 * c, 0.3),
                "channel_loss", "silence");
        assertThat(alarms).extracting(Event.Alarm::detector).containsExactly("silence");
    }

    @Test
    void aLongSilenceOfAllSplitsALossAndAShortOneIsBridged() {
        // Channel 0 lost 1-12 s; channel 1 pauses 3.0-3.5 s (bridged) and 6-9 s (all silent for 3 s: silence).
        List<Event.Alarm> alarms = run(2, 14, (c, n) -> c == 0 ? (within(n, 1, 12) ? 0 : tone(n, 440, 0.3))
                        : (within(n, 3, 3.5) || within(n, 6, 9) ? 0 : tone(n, 550, 0.3)),
                "channel_loss", "silence");
        assertThat(alarms).extracting(Event.Alarm::detector).containsExactlyInAnyOrder("channel_loss",
                "silence", "channel_loss");
        List<Event.Alarm> loss = alarms.stream().filter(a -> a.detector().equals("channel_loss")).toList();
        assertThat(loss).allSatisfy(a -> assertThat(a.channel()).isZero());
        assertInterval(loss.get(0), 1, 6, 2 * SAMPLE);
        assertInterval(loss.get(1), 9, 12, 2 * SAMPLE);
    }

    @Test
    void aChannelBackDuringAPauseOfTheOthersEndsWhereTheyWentQuiet() {
        // Channel 1 lost 1-5 s, but channel 0 fell silent at 4.5 s, before channel 1 came back at 5 s.
        List<Event.Alarm> alarms = run(2, 8, (c, n) -> c == 0 ? (within(n, 4.5, 5) ? 0 : tone(n, 440, 0.3))
                : (within(n, 1, 5) ? 0 : tone(n, 550, 0.3)), "channel_loss");
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.channel()).isEqualTo(1);
            assertInterval(a, 1, 4.5, 2 * SAMPLE);
        });
    }

    @Test
    void aSurroundProgrammeOfSpeechIsNoLossButOneOfAPairIs() {
        // 5.1 news: speech in the centre and a little in the front pair, LFE and surrounds silent all along.
        Signal news = (c, n) -> c == 2 ? tone(n, 300, 0.3) : c < 2 ? tone(n, 300, 0.1) : 0;
        assertThat(run(6, 8, news, "channel_loss")).isEmpty();
        // The front right lost 2-5 s: its pair's left still sounds.
        List<Event.Alarm> lost = run(6, 8, (c, n) -> c == 1 && within(n, 2, 5) ? 0 : news.at(c, n), "channel_loss");
        assertThat(lost).singleElement().satisfies(a -> {
            assertThat(a.channel()).isEqualTo(1);
            assertInterval(a, 2, 5, 2 * SAMPLE);
        });
        // everyChannel: the old rule, every silent channel against all the others.
        VigilConfig defaults = VigilConfig.defaults();
        var detectors = new java.util.LinkedHashMap<>(defaults.detectors());
        detectors.put("channel_loss", detectors.get("channel_loss").with("everyChannel", true));
        VigilConfig every = defaults.withDetectors(detectors);
        assertThat(run(every, 6, 8, news, "channel_loss")).extracting(Event.Alarm::channel)
                .containsExactlyInAnyOrder(3, 4, 5);
    }

    @Test
    void oneChannelOfSixLostAndMonoNever() {
        List<Event.Alarm> six = run(6, 8, (c, n) -> c == 4 && within(n, 2, 5) ? 0 : tone(n, 200 + 100 * c, 0.2),
                "channel_loss");
        assertThat(six).singleElement().satisfies(a -> {
            assertThat(a.channel()).isEqualTo(4);
            assertInterval(a, 2, 5, 2 * SAMPLE);
        });
        assertThat(run(1, 8, (c, n) -> within(n, 2, 5) ? 0 : tone(n, 440, 0.3), "channel_loss")).isEmpty();
        // A loss shorter than the raise delay is not raised.
        assertThat(run(2, 8, (c, n) -> c == 1 && within(n, 2, 3.9) ? 0 : tone(n, 440, 0.3), "channel_loss")).isEmpty();
    }

    // clipping

    @Test
    void aSquareWaveAtFullScaleIsClippedAndOneBelowIsNot() {
        // Clipped by definition: its flat tops sit at full scale, as a clipped wave's do.
        List<Event.Alarm> full = run(2, 6, (c, n) -> within(n, 1, 4) ? Math.signum(tone(n, 100, 1)) : tone(n, 100, 0.5),
                "clipping");
        assertThat(full).singleElement().satisfies(a -> assertInterval(a, 1, 4, 0.001));
        assertThat(run(2, 6, (c, n) -> 0.891 * Math.signum(tone(n, 100, 1)), "clipping")).isEmpty();
    }

    @Test
    void fullScalePeaksNowAndThenAreNotClipping() {
        // A 60 Hz wave peaking at exactly full scale for one cycle every 1.5 s: several flat-topped samples each
        // time, but never a clip event in every second.
        List<Event.Alarm> sparse = run(2, 12, (c, n) -> (t(n) % 1.5) < 1 / 60.0 ? tone(n, 60, 1) : tone(n, 60, 0.5),
                "clipping");
        assertThat(sparse).isEmpty();
        // Every 0.5 s for 6 s: clipping that keeps happening.
        List<Event.Alarm> steady = run(2, 8, (c, n) -> within(n, 1, 7) && (t(n) % 0.5) < 1 / 60.0 ? tone(n, 60, 1)
                : tone(n, 60, 0.5), "clipping");
        assertThat(steady).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(1.0, offset(0.01));
            assertThat(a.end()).isCloseTo(6.5 + 1 / 60.0, offset(0.02));
        });
    }

    /** A 100 Hz sine at twice full scale, clipped, from {@code from} for {@code seconds}; otherwise at 0.3. */
    static double clippedBurst(long n, double from, double seconds) {
        return within(n, from, from + seconds) ? Math.max(-1, Math.min(1, tone(n, 100, 2))) : tone(n, 100, 0.3);
    }

    @Test
    void aBurstIsRaisedOnItsFifthFlattenedPeakInOneChannel() {
        // 25 ms of a clipped 100 Hz wave: 5 flattened peaks in each channel (one cycle has two), the alarm over them.
        List<Event.Alarm> five = run(2, 4, (c, n) -> clippedBurst(n, 2.0, 0.025), "clipping");
        assertThat(five).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(2.0 + 0.0025 - 0.0016, offset(0.001));
            assertThat(a.end()).isCloseTo(2.0225 + 0.0016, offset(0.001));
            assertThat(a.metrics().get("clippedChannels")).isEqualTo(2.0);
        });
        // 15 ms: 3 flattened peaks (a transient over), in each of six channels, 18 in all: not clipping.
        assertThat(run(6, 4, (c, n) -> clippedBurst(n, 2.0, 0.015), "clipping")).isEmpty();
        // 0.5 s in one channel of six is.
        assertThat(run(6, 4, (c, n) -> c == 3 ? clippedBurst(n, 2.0, 0.5) : tone(n, 100 + c, 0.3), "clipping"))
                .singleElement().satisfies(a -> assertThat(a.metrics().get("clippedChannels")).isEqualTo(1.0));
    }

    @Test
    void singleOversInEveryChannelOfSixAreNotClipping() {
        // A 3-sample over in all six channels every 1.5 s: six events at a time, one in each channel.
        assertThat(run(6, 12, (c, n) -> n % 72000 < 3 && n > 0 ? 1.0 : tone(n, 200 + 50 * c, 0.3), "clipping"))
                .isEmpty();
    }

    @Test
    void burstsWithinTheClearDelayAreOneAlarm() {
        // Bursts of 0.2 s at 2 s, 5 s and 8 s: each within 5 s of the last, one alarm over them all.
        List<Event.Alarm> phrases = run(2, 12, (c, n) -> clippedBurst(n, 2, 0.2) + clippedBurst(n, 5, 0.2)
                + clippedBurst(n, 8, 0.2) - 2 * tone(n, 100, 0.3), "clipping");
        assertThat(phrases).singleElement().satisfies(a -> assertInterval(a, 2.0, 8.2, 0.003));
        assertThat(phrases.getFirst().metrics().get("clippedSamples")).isGreaterThan(3 * 2 * 0.2 * RATE * 0.3);
        // 7 s apart: two.
        List<Event.Alarm> apart = run(2, 14, (c, n) -> clippedBurst(n, 2, 0.2) + clippedBurst(n, 9, 0.2)
                - tone(n, 100, 0.3), "clipping");
        assertThat(apart).hasSize(2);
        assertInterval(apart.get(0), 2.0, 2.2, 0.003);
        assertInterval(apart.get(1), 9.0, 9.2, 0.003);
    }

    @Test
    void clippingSettingsAreWiredIntoTheStatistics() {
        // At -1 dBFS with runs of 5: a square wave at -0.5 dBFS clips, one at -2 dBFS does not.
        VigilConfig config = ConfigLoader.parse("t.yaml", """
                detectors:
                  clipping: {level: -1dB, minRun: 5, eventsPerSecond: 50}
                """);
        assertThat(run(config, 2, 5, (c, n) -> 0.944 * Math.signum(tone(n, 100, 1)), "clipping")).hasSize(1);
        assertThat(run(config, 2, 5, (c, n) -> 0.794 * Math.signum(tone(n, 100, 1)), "clipping")).isEmpty();
        // Events are counted over all channels: a 100 Hz square has 200 runs a second in each, 400 in two.
        VigilConfig many = ConfigLoader.parse("t.yaml", "detectors:\n  clipping: {eventsPerSecond: 450}\n");
        assertThat(run(many, 2, 5, (c, n) -> Math.signum(tone(n, 100, 1)), "clipping")).isEmpty();
        assertThat(run(many, 3, 5, (c, n) -> Math.signum(tone(n, 100, 1)), "clipping")).hasSize(1);
    }

    // phase

    @Test
    void phaseIsQuietOnMonoUnrelatedAndQuietChannels() {
        Random random = new Random(1);
        // identical channels
        assertThat(run(2, 6, (c, n) -> tone(n, 440, 0.3), "phase")).isEmpty();
        // unrelated noise in each channel: correlation about 0
        assertThat(run(2, 6, (c, n) -> 0.3 * (random.nextDouble() * 2 - 1), "phase")).isEmpty();
        // inverted, but below -50 dBFS
        assertThat(run(2, 6, (c, n) -> (c == 0 ? 1 : -1) * tone(n, 440, 0.002), "phase")).isEmpty();
        // one channel only
        assertThat(run(1, 6, (c, n) -> tone(n, 440, 0.3), "phase")).isEmpty();
    }

    @Test
    void phaseWatchesChannelsZeroAndOne() {
        List<Event.Alarm> alarms = run(4, 8, (c, n) -> (c == 1 && within(n, 2, 6) ? -1 : 1) * tone(n, 300, 0.3),
                "phase");
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.channel()).isNull();
            assertInterval(a, 2, 6, 0.11);
            assertThat(a.metrics().get("correlation")).isCloseTo(-1.0, offset(0.01));
        });
        // channels 2 and 3 inverted against each other: not the pair phase watches
        assertThat(run(4, 8, (c, n) -> (c == 3 ? -1 : 1) * tone(n, 300, 0.3), "phase")).isEmpty();
    }

    // dc_offset

    @Test
    void dcOffsetEitherWayOnItsOwnChannelAndNotBelowTheLevel() {
        List<Event.Alarm> alarms = run(2, 10, (c, n) -> tone(n, 440, 0.3) + (c == 1 && within(n, 2, 7) ? -0.02 : 0),
                "dc_offset");
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.channel()).isEqualTo(1);
            assertInterval(a, 2, 7, 0.11);
            assertThat(a.metrics().get("dcOffset")).isCloseTo(-0.02, offset(0.001));
            assertThat(a.metrics().get("dcDbfs")).isCloseTo(-34.0, offset(0.1));
        });
        // 0.5% of full scale: below -40 dBFS
        assertThat(run(2, 10, (c, n) -> tone(n, 440, 0.3) + 0.005, "dc_offset")).isEmpty();
        // a bass note (30 Hz, half scale) leaves no offset in a 1 s mean
        assertThat(run(2, 10, (c, n) -> tone(n, 30, 0.5), "dc_offset")).isEmpty();
        // a channel of nothing but DC is offset all along
        assertThat(run(2, 5, (c, n) -> c == 0 ? 0.1 : tone(n, 440, 0.3), "dc_offset")).singleElement()
                .satisfies(a -> assertInterval(a, 0, 5, 0.01));
    }

    // settings

    @Test
    void settingsReadAndRefused() {
        VigilConfig c = ConfigLoader.parse("t.yaml", """
                detectors:
                  channel_loss: {noise: -50dB, duration: 3}
                  clipping: {level: 0.99, minRun: 4, eventsPerSecond: 10}
                  phase: {correlation: -0.5, level: -40dB}
                  dc_offset: {level: -30dB, severity: error}
                """);
        assertThat(c.detectors().get("channel_loss").amplitude("noise")).isCloseTo(0.00316, offset(1e-5));
        assertThat(c.detectors().get("clipping").amplitude("level")).isEqualTo(0.99);
        assertThat(c.detectors().get("clipping").number("minRun")).isEqualTo(4.0);
        assertThat(c.detectors().get("phase").number("correlation")).isEqualTo(-0.5);
        assertThat(c.detectors().get("dc_offset").amplitude("level")).isCloseTo(0.0316, offset(1e-4));
        assertThatThrownBy(() -> ConfigLoader.parse("t.yaml", "detectors:\n  phase: {correlation: -2}\n"))
                .hasMessageContaining("t.yaml:2: detectors.phase.correlation: must be between -1 and 1");
        assertThatThrownBy(() -> ConfigLoader.parse("t.yaml", "detectors:\n  clipping: {minRun: 0}\n"))
                .hasMessageContaining("detectors.clipping.minRun: must be between 1 and 1000");
        assertThatThrownBy(() -> ConfigLoader.parse("t.yaml", "detectors:\n  clipping: {level: 2}\n"))
                .hasMessageContaining("detectors.clipping.level");
    }
}
