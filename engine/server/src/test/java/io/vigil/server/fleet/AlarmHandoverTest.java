package io.vigil.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a node does with the alarms a previous node left firing: continue once, or resolve with cause failover. */
class AlarmHandoverTest {
    private static final long SECOND = 1_000_000_000L;

    private static Event.Alarm firing(String detector, double start, String wallStart) {
        return new Event.Alarm(Event.Alarm.FIRING, detector, "s", null, "s/" + detector, "critical", start, null, null,
                wallStart, null, "picture black", Map.of("lumaMean", 16.0), null, null);
    }

    private static Event.Alarm resolved(String detector, double start, double end, String wallEnd) {
        return new Event.Alarm(Event.Alarm.RESOLVED, detector, "s", null, "s/" + detector, "critical", start, end,
                end - start, "2026-12-06T10:00:30.000Z", wallEnd, null, Map.of("lumaMean", 16.0), null, null);
    }

    @Test
    void anAlarmRaisedAgainIsContinuedAndResolvesOnceWithItsOriginalStart() {
        List<Event> out = new ArrayList<>();
        Event.Alarm old = firing("black", 100, "2026-12-06T10:00:00.000Z");
        AlarmHandover h = new AlarmHandover(Map.of("s/black", new AlarmHandover.Inherited(old, 7)), out::add, 0, 30);
        h.inputStarted(0);
        h.accept(firing("black", 2, "2026-12-06T10:00:32.000Z"));
        assertThat(out).isEmpty();
        h.expire(60 * SECOND);
        assertThat(out).isEmpty();
        h.accept(resolved("black", 2, 12, "2026-12-06T10:00:42.000Z"));
        assertThat(out).hasSize(1);
        Event.Alarm r = (Event.Alarm) out.getFirst();
        assertThat(r.firing()).isFalse();
        assertThat(r.start()).isEqualTo(100);
        assertThat(r.wallStart()).isEqualTo("2026-12-06T10:00:00.000Z");
        assertThat(r.duration()).isEqualTo(42.0);
        assertThat(r.end()).isEqualTo(142.0);
        assertThat(h.continuedCount()).isEqualTo(1);
    }

    @Test
    void anAlarmNotRaisedWithinItsGraceResolvesWithCauseFailover() {
        List<Event> out = new ArrayList<>();
        AlarmHandover h = new AlarmHandover(Map.of("s/black", new AlarmHandover.Inherited(
                firing("black", 5, "2026-12-06T10:00:00.000Z"), 7)), out::add, 0, 30);
        h.expire(20 * SECOND);   // no frames yet: the no-input grace (30 s) holds
        assertThat(out).isEmpty();
        h.inputStarted(20 * SECOND);
        h.expire(26 * SECOND);
        assertThat(out).isEmpty();
        h.expire(28 * SECOND);
        assertThat(out).hasSize(1);
        Event.Alarm r = (Event.Alarm) out.getFirst();
        assertThat(r.cause()).isEqualTo("failover");
        assertThat(r.dedupKey()).isEqualTo("s/black");
        // Later events of other alarms pass untouched; the inherited one does not come back.
        h.expire(100 * SECOND);
        assertThat(out).hasSize(1);
        Event.Alarm other = firing("silence", 30, null);
        h.accept(other);
        assertThat(out).containsExactly(r, other);
    }

    @Test
    void aNodeHandingOverSendsNothingMore() {
        List<Event> out = new ArrayList<>();
        AlarmHandover h = new AlarmHandover(Map.of(), out::add, 0, 30);
        h.accept(firing("black", 1, null));
        h.handOver();
        h.accept(resolved("black", 1, 3, null));
        assertThat(out).hasSize(1);
    }
}
