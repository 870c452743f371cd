package io.vigil.server.fleet;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.server.live.LocalStreamRegistry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *       firing in the alarms topic for the next node (and is returned, for a restart on this node).</li>
 *   <li>When the stream leaves the fleet ({@link #end}), what is still waiting resolves at once with the cause given
 *       ({@code deleted}); the stream's own analysis resolves the rest as it stops (continued ones with their
 *       original start).</li>
 * </ul>
 * Each alarm gets one resolved event: after {@link #end} or {@link #handOver} nothing expires or is taken on.
 * Thread-safe: the stream's thread sends events, the fleet's housekeeping calls {@link #expire}.
 */
final class AlarmHandover implements EventSink {
    static final String FAILOVER = "failover";
    /** The cause of the alarms resolved because their stream left the fleet (DELETE, or its desired record gone). */
    static final String DELETED = io.vigil.server.live.LocalStreamRegistry.DELETED;
    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** What to do with one inherited alarm: how long this node's detector may take to raise it again. */
    record Inherited(Event.Alarm alarm, double graceSeconds) {
    }

    private final EventSink next;
    private final Map<String, Inherited> waiting = new LinkedHashMap<>();
    private final Map<String, Event.Alarm> continued = new LinkedHashMap<>();
    /**
     * The alarms this node's analysis of the stream has firing now, by dedupKey, as the receivers know them: the
     * firing event sent on, or for a continued alarm the one the previous node sent.
     */
    private final Map<String, Event.Alarm> firingHere = new LinkedHashMap<>();
    /** The monitoring_failed alarms resolved here (dedupKey and wallStart): never taken on again. */
    private final Set<String> settled = new HashSet<>();
    private final long takenOverNanos;
    private final double noInputGraceSeconds;
    private long inputStartedNanos = -1;
    private boolean handingOver;
    /** The stream left the fleet: what waited is resolved, nothing more is inherited or expires. */
    private boolean ended;
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
                    Inherited old = waiting.remove(a.dedupKey());
                    if (old != null) {
                        continued.put(a.dedupKey(), old.alarm());
                        firingHere.put(a.dedupKey(), old.alarm());
                        continuedCount++;
                        return;
                    }
                    firingHere.put(a.dedupKey(), a);
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
        if (handingOver || ended || waiting.containsKey(key) || continued.containsKey(key) || firingHere.containsKey(key)
                || settled.contains(key + "@" + a.wallStart())) {
            return false;
        }
        waiting.put(key, late);
        return true;
    }

    /** Whether this node's analysis of the stream has {@code dedupKey} firing now. */
    synchronized boolean firingHere(String dedupKey) {
        return firingHere.containsKey(dedupKey);
    }

    /**
     * Every alarm of the stream firing on this node's watch now, by dedupKey: those its analysis has firing (a
     * continued one as the previous node sent it) and the inherited ones still waiting.
     */
    synchronized Map<String, Event.Alarm> firing() {
        Map<String, Event.Alarm> out = new LinkedHashMap<>(firingHere);
        waiting.forEach((key, i) -> out.putIfAbsent(key, i.alarm()));
        return out;
    }

    /** Frames flow here now: the grace periods start. */
    synchronized void inputStarted(long nowNanos) {
        if (inputStartedNanos < 0) {
            inputStartedNanos = nowNanos;
        }
    }

    /** Resolves (cause {@code failover}) the inherited alarms whose grace has passed; call about once a second. */
    void expire(long nowNanos) {
        List<Event.Alarm> gone = new ArrayList<>();
        synchronized (this) {
            if (handingOver || ended) {
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

    /**
     * This node gives the stream up without resolving anything: stops every event from here on. Returns what was
     * firing (see {@link #firing}): the alarms topic holds it for the next node; a restart here takes it directly,
     * not waiting for the topic to be read back.
     */
    synchronized Map<String, Event.Alarm> handOver() {
        Map<String, Event.Alarm> left = handingOver ? Map.of() : firing();
        handingOver = true;
        return left;
    }

    /**
     * The stream left the fleet and its analysis here has stopped: every inherited alarm still waiting resolves now
     * with {@code cause} (the analysis resolved its own and the continued ones as it stopped). Nothing expires or is
     * taken on afterwards; events still coming (an analysis slow to stop) pass on. Returns how many it resolved.
     */
    int end(String cause) {
        List<Event.Alarm> gone = new ArrayList<>();
        synchronized (this) {
            if (handingOver || ended) {
                return 0;
            }
            ended = true;
            for (Inherited i : waiting.values()) {
                Event.Alarm r = resolved(i.alarm(), Instant.now(), cause, i.alarm().metrics());
                settle(r);
                gone.add(r);
            }
            waiting.clear();
        }
        gone.forEach(next::accept);
        return gone.size();
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
