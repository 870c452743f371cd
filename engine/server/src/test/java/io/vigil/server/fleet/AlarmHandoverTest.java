package io.vigil.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node does with the alarms a previous node left firing: continue once, or resolve with cause failover; when
 * the stream is deleted, resolve what still waits with cause deleted; when it hands the stream on, send nothing more
 * and say what was firing. Every alarm gets one resolved event.
 */
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

    /** A handover of {@code left} (7 s of grace each) whose frames flow from time 0, sending to {@code out}. */
    private static AlarmHandover takingOver(List<Event> out, Event.Alarm... left) {
        Map<String, AlarmHandover.Inherited> inherited = new java.util.LinkedHashMap<>();
        for (Event.Alarm a : left) {
            inherited.put(a.dedupKey(), new AlarmHandover.Inherited(a, 7));
        }
        AlarmHandover h = new AlarmHandover(inherited, out::add, 0, 30);
        h.inputStarted(0);
        return h;
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

    @Test
    void aStreamDeletedWhileItsInheritedAlarmsWaitResolvesEachOnceWithCauseDeleted() {
        List<Event> out = new ArrayList<>();
        Event.Alarm black = firing("black", 100, "2026-12-06T10:00:00.000Z");
        Event.Alarm silence = firing("silence", 90, "2026-12-06T09:59:50.000Z");
        AlarmHandover h = takingOver(out, black, silence);
        h.accept(firing("silence", 2, "2026-12-06T10:00:32.000Z"));   // continued
        assertThat(h.firing()).containsOnlyKeys("s/black", "s/silence");
        assertThat(h.firing().get("s/silence")).isEqualTo(silence);   // as the receivers know it

        // Deleted: the analysis stops, resolving what it has firing (the stop's cause stamped on it) ...
        h.accept(new Event.Alarm(Event.Alarm.RESOLVED, "silence", "s", null, "s/silence", "critical", 2.0, 4.0, 2.0,
                "2026-12-06T10:00:32.000Z", "2026-12-06T10:00:34.000Z", null, Map.of(), "deleted", null));
        // ... then what still waits resolves at once.
        assertThat(h.end("deleted")).isEqualTo(1);
        assertThat(out).hasSize(2).allMatch(e -> e instanceof Event.Alarm a && !a.firing()
                && "deleted".equals(a.cause()));
        Event.Alarm silenceResolved = (Event.Alarm) out.get(0);
        assertThat(silenceResolved.dedupKey()).isEqualTo("s/silence");
        assertThat(silenceResolved.wallStart()).isEqualTo(silence.wallStart());
        assertThat(silenceResolved.start()).isEqualTo(90);
        Event.Alarm blackResolved = (Event.Alarm) out.get(1);
        assertThat(blackResolved.dedupKey()).isEqualTo("s/black");
        assertThat(blackResolved.wallStart()).isEqualTo(black.wallStart());

        // Nothing resolves a second time: no failover after the grace, no second end, nothing taken on late.
        h.expire(600 * SECOND);
        assertThat(h.end("deleted")).isZero();
        assertThat(h.inheritLate(new AlarmHandover.Inherited(firing("monitoring_failed", 0,
                "2026-12-06T10:00:40.000Z"), 0))).isFalse();
        assertThat(out).hasSize(2);
        assertThat(h.resolvedCount()).as("failover resolutions").isZero();
    }

    @Test
    void handingOverSaysWhatWasFiringAndNeverResolvesIt() {
        List<Event> out = new ArrayList<>();
        Event.Alarm black = firing("black", 100, "2026-12-06T10:00:00.000Z");
        Event.Alarm freeze = firing("freeze", 95, "2026-12-06T09:59:55.000Z");
        AlarmHandover h = takingOver(out, black, freeze);
        h.accept(firing("freeze", 1, "2026-12-06T10:00:31.000Z"));   // continued
        Event.Alarm silence = firing("silence", 3, "2026-12-06T10:00:33.000Z");
        h.accept(silence);   // this node's own
        Event.Alarm clipping = firing("clipping", 4, "2026-12-06T10:00:34.000Z");
        h.accept(clipping);
        h.accept(resolved("clipping", 4, 5, "2026-12-06T10:00:35.000Z"));   // over before the handover
        assertThat(out).hasSize(3);

        Map<String, Event.Alarm> left = h.handOver();
        assertThat(left).containsOnlyKeys("s/black", "s/freeze", "s/silence");
        assertThat(left.get("s/black")).isEqualTo(black);
        assertThat(left.get("s/freeze")).isEqualTo(freeze);
        assertThat(left.get("s/silence")).isEqualTo(silence);
        assertThat(h.handOver()).as("a second call hands over nothing more").isEmpty();

        // The analysis stopping here resolves nothing, and neither does the grace nor an end.
        h.accept(resolved("silence", 3, 9, "2026-12-06T10:00:39.000Z"));
        h.expire(600 * SECOND);
        assertThat(h.end("deleted")).isZero();
        assertThat(out).hasSize(3);
    }
}
