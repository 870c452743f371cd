package io.vigil.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlarmTest {
    final List<Event> events = new ArrayList<>();
    final AlarmSubject subject = new AlarmSubject() {
        @Override
        public String summary(double heldSeconds) {
            return "held " + heldSeconds;
        }

        @Override
        public void metrics(Map<String, Double> out) {
            out.put("x", 1.23456789);
        }
    };

    @Test
    void firesOnceTheRaiseDelayHasPassedWithTheStartBackDated() {
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        Alarm alarm = tracker.register("black", null, Severity.CRITICAL, 2.0, 0, subject);
        for (int f = 0; f < 60; f++) {
            alarm.hold(10.0, 10.0 + (f + 1) / 30.0);
        }
        assertThat(events).singleElement().satisfies(e -> {
            Event.Alarm a = (Event.Alarm) e;
            assertThat(a.firing()).isTrue();
            assertThat(a.start()).isEqualTo(10.0);
            assertThat(a.dedupKey()).isEqualTo("s/black");
            assertThat(a.metrics()).containsEntry("x", 1.2346);
        });
        alarm.clear(12.5);
        Event.Alarm resolved = (Event.Alarm) events.get(1);
        assertThat(resolved.status()).isEqualTo("resolved");
        assertThat(resolved.end()).isEqualTo(12.5);
        assertThat(resolved.duration()).isEqualTo(2.5);
        assertThat(tracker.firedCounts()).containsEntry("black", 1);
    }

    @Test
    void aConditionShorterThanTheRaiseDelayStaysQuiet() {
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        Alarm alarm = tracker.register("black", null, Severity.CRITICAL, 2.0, 0, subject);
        alarm.hold(1.0, 2.9);
        alarm.clear(2.9);
        alarm.hold(3.0, 4.9);
        alarm.finish(4.9);
        assertThat(events).isEmpty();
    }

    @Test
    void clearDelayBridgesShortGapsAndResolvesAtTheFirstClearTime() {
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        Alarm alarm = tracker.register("silence", 1, Severity.ERROR, 1.0, 0.5, subject);
        alarm.hold(0.0, 1.0);
        alarm.clear(1.2);
        tracker.advance(1.5);
        alarm.hold(1.6, 1.8); // back within the clear delay: the same alarm goes on
        alarm.clear(2.0);
        tracker.advance(2.3);
        assertThat(events).hasSize(1);
        tracker.advance(2.5);
        assertThat(events).hasSize(2);
        Event.Alarm resolved = (Event.Alarm) events.get(1);
        assertThat(resolved.end()).isEqualTo(2.0);
        assertThat(resolved.channel()).isEqualTo(1);
        assertThat(resolved.dedupKey()).isEqualTo("s/silence/1");
    }

    @Test
    void anAlarmStillFiringResolvesWhenTheInputEnds() {
        AlarmTracker tracker = new AlarmTracker("s", events::add, false);
        Alarm alarm = tracker.register("freeze", null, Severity.CRITICAL, 2.0, 0, subject);
        alarm.hold(5.0, 7.5);
        tracker.finishAll(9.96);
        assertThat(((Event.Alarm) events.get(1)).end()).isEqualTo(9.96);
    }

    @Test
    void liveInputsCarryWallClockTimes() {
        AlarmTracker tracker = new AlarmTracker("s", events::add, true);
        Alarm alarm = tracker.register("black", null, Severity.CRITICAL, 2.0, 0, subject);
        tracker.observe(12.0, Instant.parse("2026-11-26T10:00:12Z"));
        alarm.hold(10.0, 12.0);
        assertThat(((Event.Alarm) events.getFirst()).wallStart()).isEqualTo("2026-11-26T10:00:10.000Z");
    }
}
