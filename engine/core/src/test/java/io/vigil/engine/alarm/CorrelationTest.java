package io.vigil.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One failure, one alarm: black explains freeze; black with silence is signal_loss. */
class CorrelationTest {
    /** The rules the detector specs make by default (DetectorRegistryTest checks that they do). */
    static final CorrelationRules RULES = new CorrelationRules(Map.of("freeze", List.of("black", "colorbars")),
            List.of(new CorrelationRules.Combined("signal_loss", "black", "silence", Severity.CRITICAL,
                    "picture black and audio silent")));

    final List<Event.Alarm> events = new ArrayList<>();
    AlarmTracker tracker;
    Alarm black;
    Alarm freeze;
    Alarm silence;

    static AlarmSubject subject(String name) {
        return new AlarmSubject() {
            @Override
            public String summary(double heldSeconds) {
                return name;
            }

            @Override
            public void metrics(Map<String, Double> out) {
                out.put(name + "Metric", 1.0);
            }
        };
    }

    @BeforeEach
    void setUp() {
        tracker = new AlarmTracker("s", e -> events.add((Event.Alarm) e), false);
        tracker.correlate(RULES);
        black = tracker.register("black", null, Severity.CRITICAL, 2.0, 0, subject("black"));
        freeze = tracker.register("freeze", null, Severity.CRITICAL, 2.0, 0, subject("freeze"));
        silence = tracker.register("silence", null, Severity.ERROR, 2.0, 0, subject("silence"));
    }

    /** Frames of 0.1 s from {@code from} to {@code to}: video conditions held as a detector would report them. */
    void video(Alarm alarm, double from, double to) {
        for (double t = from; t < to - 1e-9; t += 0.1) {
            alarm.hold(from, t + 0.1);
        }
    }

    List<String> seen() {
        return events.stream().map(e -> e.status() + " " + e.detector() + " " + e.start()
                + (e.end() == null ? "" : "-" + e.end()) + (e.cause() == null ? "" : " cause " + e.cause())).toList();
    }

    @Test
    void aBlackPictureDoesNotAlsoRaiseFreeze() {
        for (double t = 10; t < 14 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            freeze.hold(10, t + 0.1);
        }
        black.clear(14);
        freeze.clear(14);
        assertThat(seen()).containsExactly("firing black 10.0", "resolved black 10.0-14.0");
        // A freeze of a picture that is not black still fires.
        video(freeze, 20, 23);
        freeze.clear(23);
        assertThat(seen()).contains("firing freeze 20.0", "resolved freeze 20.0-23.0");
    }

    @Test
    void barsOrASlateDoNotAlsoRaiseFreezeAndTheSuppressedFreezeNamesThem() {
        Alarm bars = tracker.register("colorbars", null, Severity.ERROR, 2.0, 0, subject("colorbars"));
        for (double t = 10; t < 14 - 1e-9; t += 0.1) {
            bars.hold(10, t + 0.1);
            freeze.hold(10.04, t + 0.1);
            if (freeze.state() == Alarm.State.SUPPRESSED) {
                assertThat(freeze.cause()).isEqualTo("s/colorbars");
            }
        }
        assertThat(freeze.state()).isEqualTo(Alarm.State.SUPPRESSED);
        bars.clear(14);
        freeze.clear(14);
        assertThat(seen()).containsExactly("firing colorbars 10.0", "resolved colorbars 10.0-14.0");
        assertThat(freeze.cause()).isNull();
    }

    @Test
    void blackWithSilenceIsOneSignalLoss() {
        for (double t = 10; t < 16 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            silence.hold(10, t + 0.1);
        }
        black.clear(16);
        silence.clear(16);
        assertThat(seen()).containsExactly("firing signal_loss 10.0", "resolved signal_loss 10.0-16.0");
        assertThat(events.getFirst().severity()).isEqualTo("critical");
        assertThat(events.getFirst().metrics()).containsKeys("blackMetric", "silenceMetric");
        assertThat(tracker.firedCounts()).containsExactly(Map.entry("signal_loss", 1));
    }

    @Test
    void whatOutlastsTheSignalLossIsRaisedWithItsCause() {
        for (double t = 10; t < 14 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            silence.hold(10, t + 0.1);
        }
        black.clear(14);
        for (double t = 14; t < 18 - 1e-9; t += 0.1) {
            silence.hold(10, t + 0.1);
        }
        silence.clear(18);
        // Silence went on for its raise delay after the picture came back: raised alone, back-dated, with its cause.
        assertThat(seen()).containsExactly("firing signal_loss 10.0", "resolved signal_loss 10.0-14.0",
                "firing silence 10.0 cause s/signal_loss", "resolved silence 10.0-18.0 cause s/signal_loss");
    }

    @Test
    void partsEndingAFrameApartLeaveNothingBehind() {
        for (double t = 10; t < 14 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            silence.hold(10, t + 0.1);
        }
        silence.clear(14);
        black.hold(10, 14.04);
        black.clear(14.04);
        assertThat(seen()).containsExactly("firing signal_loss 10.0", "resolved signal_loss 10.0-14.0");
    }

    @Test
    void blackWaitsForASilenceThatBeganLaterAndTheyFireTogether() {
        for (double t = 10; t < 16 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            if (t >= 11 - 1e-9) {
                silence.hold(11, t + 0.1);
            }
        }
        assertThat(seen()).containsExactly("firing signal_loss 11.0");
    }

    @Test
    void blackWaitingForASilenceThatStopsShortFiresOnItsOwn() {
        for (double t = 10; t < 12.5 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            if (t >= 11 - 1e-9) {
                silence.hold(11, t + 0.1);
            }
        }
        assertThat(events).isEmpty();
        silence.clear(12.5);
        black.hold(10, 12.6);
        assertThat(seen()).containsExactly("firing black 10.0");
    }

    @Test
    void blackAloneIsBlack() {
        video(black, 10, 13);
        black.clear(13);
        assertThat(seen()).containsExactly("firing black 10.0", "resolved black 10.0-13.0");
    }

    @Test
    void aSignalLossStillOnAtTheEndResolvesThereOnce() {
        for (double t = 10; t < 13 - 1e-9; t += 0.1) {
            black.hold(10, t + 0.1);
            silence.hold(10, t + 0.1);
        }
        tracker.finishAll(13);
        assertThat(seen()).containsExactly("firing signal_loss 10.0", "resolved signal_loss 10.0-13.0");
    }
}
