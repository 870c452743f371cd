package io.vigil.server.fleet;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.server.live.LocalStreamRegistry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stands between one stream's analysis on this node and the hub when the stream came from another node (a node that
 * died, or a rebalance): the alarms that node left firing (read from the alarms topic) are continued or resolved,
 * never left firing for ever and never fired twice.
 *
 * <ul>
 *   <li>When this node's own detector raises an inherited alarm (same dedupKey), the firing event is not sent again:
 *       the alarm is <em>continued</em>, and its resolved event later carries the original start.</li>
 *   <li>An inherited alarm this node's detectors have not raised within the grace period (its detector's raise
 *       delay and a margin, counted from the first frame here) is resolved with the cause {@code failover}: the
 *       condition is gone. If no frame comes at all, the same happens after the no-input grace (the stream's own
 *       {@code stall} alarm then says it is down).</li>
 *   <li>An inherited {@code monitoring_failed} (its node left the group without handing the stream over) has no
 *       grace: it resolves as soon as frames flow here, the stream being watched again.</li>
 *   <li>When this node hands the stream on ({@link #handOver}), it sends nothing more: what is still firing stays
 *       firing in the alarms topic for the next node.</li>
 * </ul>
 * Thread-safe: the stream's thread sends events, the fleet's housekeeping calls {@link #expire}.
 */
final class AlarmHandover implements EventSink {
    static final String FAILOVER = "failover";
    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** What to do with one inherited alarm: how long this node's detector may take to raise it again. */
    record Inherited(Event.Alarm alarm, double graceSeconds) {
    }

    private final EventSink next;
    private final Map<String, Inherited> waiting = new LinkedHashMap<>();
    private final Map<String, Event.Alarm> continued = new LinkedHashMap<>();
    /** The dedupKeys this node's analysis of the stream has firing now (sent on, or continued). */
    private final java.util.Set<String> firingHere = new java.util.HashSet<>();
    /** The monitoring_failed alarms resolved here (dedupKey and wallStart): never taken on again. */
    private final java.util.Set<String> settled = new java.util.HashSet<>();
    private final long takenOverNanos;
    private final double noInputGraceSeconds;
    private long inputStartedNanos = -1;
    private boolean handingOver;
    private long continuedCount;
    private long resolvedCount;

    AlarmHandover(Map<String, Inherited> inherited, EventSink next, long nowNanos, double noInputGraceSeconds) {
        this.next = next;
        this.waiting.putAll(inherited);
        this.takenOverNanos = nowNanos;
        this.noInputGraceSeconds = noInputGraceSeconds;
    }

    @Override
    public void accept(Event event) {
        Event out = event;
        synchronized (this) {
            if (handingOver) {
                return;
            }
            if (event instanceof Event.Alarm a) {
                if (a.firing()) {
                    firingHere.add(a.dedupKey());
                    Inherited old = waiting.remove(a.dedupKey());
                    if (old != null) {
                        continued.put(a.dedupKey(), old.alarm());
                        continuedCount++;
                        return;
                    }
                } else {
                    firingHere.remove(a.dedupKey());
                    Event.Alarm old = continued.remove(a.dedupKey());
                    if (old != null) {
                        out = resolved(old, a.wallEnd() == null ? Instant.now() : Instant.parse(a.wallEnd()),
                                a.cause(), a.metrics());
                    }
                    settle((Event.Alarm) out);
                }
            }
        }
        next.accept(out);
    }

    private void settle(Event.Alarm resolved) {
        if (resolved.detector().equals(LocalStreamRegistry.MONITORING_FAILED)) {
            settled.add(resolved.dedupKey() + "@" + resolved.wallStart());
        }
    }

    /**
     * A monitoring_failed alarm another node raised for this stream after this node took it over (that node could
     * not reach Kafka until now, or left its group after the shard had moved): resolved like an inherited alarm, at
     * once when frames flow here. Returns false, doing nothing, when this node knows the alarm already (its own, one
     * it inherited, or one it resolved whose tombstone has not been read back yet).
     */
    synchronized boolean inheritLate(Inherited late) {
        Event.Alarm a = late.alarm();
        String key = a.dedupKey();
        if (handingOver || waiting.containsKey(key) || continued.containsKey(key) || firingHere.contains(key)
                || settled.contains(key + "@" + a.wallStart())) {
            return false;
        }
        waiting.put(key, late);
        return true;
    }

    /** Whether this node's analysis of the stream has {@code dedupKey} firing now. */
    synchronized boolean firingHere(String dedupKey) {
        return firingHere.contains(dedupKey);
    }

    /** Frames flow here now: the grace periods start. */
    synchronized void inputStarted(long nowNanos) {
        if (inputStartedNanos < 0) {
            inputStartedNanos = nowNanos;
        }
    }

    /** Resolves (cause {@code failover}) the inherited alarms whose grace has passed; call about once a second. */
    void expire(long nowNanos) {
        java.util.List<Event.Alarm> gone = new java.util.ArrayList<>();
        synchronized (this) {
            if (handingOver) {
                return;
            }
            var it = waiting.values().iterator();
            while (it.hasNext()) {
                Inherited i = it.next();
                boolean expired = inputStartedNanos >= 0
                        ? nowNanos - inputStartedNanos > i.graceSeconds() * 1e9
                        : nowNanos - takenOverNanos > noInputGraceSeconds * 1e9;
                if (expired) {
                    it.remove();
                    Event.Alarm r = resolved(i.alarm(), Instant.now(), FAILOVER, i.alarm().metrics());
                    settle(r);
                    gone.add(r);
                    resolvedCount++;
                }
            }
        }
        gone.forEach(next::accept);
    }

    /** This node gives the stream up without resolving anything: stops every event from here on. */
    synchronized void handOver() {
        handingOver = true;
    }

    synchronized boolean handingOver() {
        return handingOver;
    }

    /** Inherited alarms this node's detectors raised again (no second firing sent). */
    synchronized long continuedCount() {
        return continuedCount;
    }

    /** Inherited alarms resolved with the cause {@code failover}. */
    synchronized long resolvedCount() {
        return resolvedCount;
    }

    /**
     * The resolved event of an alarm another node fired: its start as that node gave it; its end that start plus the
     * wall time since (media times are that node's timeline, so only the wall clock links the two nodes).
     */
    static Event.Alarm resolved(Event.Alarm firing, Instant wallEnd, String cause, Map<String, Double> metrics) {
        double durationSeconds = 0;
        String wallEndText = null;
        if (firing.wallStart() != null) {
            Instant start = Instant.parse(firing.wallStart());
            Instant end = wallEnd.isBefore(start) ? start : wallEnd;
            durationSeconds = Math.round((end.toEpochMilli() - start.toEpochMilli())) / 1000.0;
            wallEndText = WALL.format(end);
        }
        double endSeconds = Math.round((firing.start() + durationSeconds) * 1000) / 1000.0;
        return new Event.Alarm(Event.Alarm.RESOLVED, firing.detector(), firing.stream(), firing.channel(),
                firing.check(), firing.priority(), firing.pid(), firing.dedupKey(), firing.severity(), firing.start(), endSeconds, durationSeconds, firing.wallStart(),
                wallEndText, null, metrics, cause != null ? cause : firing.cause(), firing.thumbnail(), firing.clip(),
                firing.suppressed());
    }
}
