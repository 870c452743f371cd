package io.vigil.server.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's history stores: bounded, in event time, and what the live feed has. */
class StatsHistoryTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void keepsTheLastSecondsOfEachStreamAndAtMostItsStreams() {
        EventHub hub = new EventHub(10);
        try (StatsHistory history = new StatsHistory(hub, 60, 2)) {
            for (int i = 0; i < 100; i++) {
                hub.accept(new StatsSample("a", T0.plusSeconds(i), i, Map.of("lumaMean", 16.0 + i, "mafd", 0.25)));
            }
            List<StatsSample> all = history.recent("a", 3600, T0.plusSeconds(100));
            assertThat(all).hasSize(60);
            assertThat(all.getFirst().wall()).isEqualTo(T0.plusSeconds(40));
            assertThat(all.getLast().values()).containsEntry("lumaMean", 115.0).containsEntry("mafd", 0.25)
                    .doesNotContainKey("momentaryLufs");
            assertThat(history.recent("a", 10, T0.plusSeconds(100))).hasSize(10);
            hub.accept(new StatsSample("b", T0, 0, Map.of()));
            hub.accept(new StatsSample("c", T0, 0, Map.of()));
            assertThat(history.recent("a", 3600, T0.plusSeconds(100))).as("the longest silent stream goes").isEmpty();
            assertThat(history.recent("c", 3600, T0.plusSeconds(1))).hasSize(1);
        }
    }

    @Test
    void alarmsAreKeptByEventTimeWithinTheWindow() {
        EventHub hub = new EventHub(10);
        try (AlarmHistory history = new AlarmHistory(hub, Duration.ofHours(24), 3)) {
            Instant now = Instant.now();
            hub.accept(alarm("x/black", "firing", now.minusSeconds(10), null));
            // published later, but it began earlier (a back-dated start): it comes first
            hub.accept(alarm("x/freeze", "firing", now.minusSeconds(30), null));
            hub.accept(alarm("x/black", "resolved", now.minusSeconds(10), now.minusSeconds(5)));
            List<AlarmHistory.Entry> entries = history.alarms(Instant.EPOCH, a -> true);
            assertThat(entries).extracting(e -> ((Event.Alarm) e.event()).dedupKey() + " " + ((Event.Alarm) e.event())
                    .status()).containsExactly("x/freeze firing", "x/black firing", "x/black resolved");
            assertThat(entries.get(2).at()).isEqualTo(now.minusSeconds(5));
            hub.accept(alarm("x/freeze", "resolved", now.minusSeconds(30), now));
            assertThat(history.alarms(Instant.EPOCH, a -> true)).as("at most 3 kept").hasSize(3);
            assertThat(history.alarms(Instant.EPOCH, a -> a.detector().equals("freeze"))).hasSize(2);
        }
    }

    static Event.Alarm alarm(String key, String status, Instant start, Instant end) {
        String[] parts = key.split("/");
        return new Event.Alarm(status, parts[1], parts[0], null, key, "critical", 1.0,
                end == null ? null : 2.0, end == null ? null : 1.0, start.toString(),
                end == null ? null : end.toString(), "picture " + parts[1], Map.of(), null, null);
    }
}
