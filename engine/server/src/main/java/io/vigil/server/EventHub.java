package io.vigil.server;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Every event of every stream passes through here once, in one order, with one sequence number: the SSE feed, the
 * webhooks, the JSON-lines log and the API's alarm lists all see the same objects in the same order. Thread-safe;
 * streams publish from their own threads.
 *
 * <p>Listeners run on the publishing thread, under the hub's lock (that is what keeps one order for all): they must
 * hand the item over (a queue, a spool) and return, never block on a network.
 *
 * <p>Sequence numbers go on across restarts: the first is the start's Unix time in milliseconds times 1000, above
 * every number an earlier process reached (unless it published more than 1000 items a millisecond on average). The
 * last {@value #REPLAY_EVENTS} contract events and {@value #REPLAY_STATS} statistics samples are kept for
 * {@link #resume}: a feed client that reconnects gets what it missed, with no gap and no duplicate.
 */
public final class EventHub implements EventSink {
    /**
     * One published item: an {@link Event} of the contract or a {@link StatsSample}.
     *
     * @param local whether this process made it; in a fleet, events other nodes made arrive too (for the API and SSE),
     *        and only local ones go to this node's webhooks, log and Kafka
     */
    public record Published(long sequence, Instant at, Object payload, boolean local) {
        public boolean isEvent() {
            return payload instanceof Event;
        }
    }

    /** Stops a listener; idempotent. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Contract events kept for feed clients that reconnect. */
    public static final int REPLAY_EVENTS = 10_000;
    /** Statistics samples kept for feed clients that reconnect (about 34 minutes of one stream, 3 s of 600). */
    public static final int REPLAY_STATS = 2_048;

    /**
     * What a resuming listener missed: {@code missed} (oldest first) and whether older items it may have wanted are
     * gone: {@code beforeStart} (its id is from before this process started, or from no process of this hub),
     * {@code eventsLost} and {@code statsLost} (the replay window let some go).
     */
    public record Resumed(Subscription subscription, List<Published> missed, boolean beforeStart, boolean eventsLost,
                          boolean statsLost) {
    }

    /** Origin of this process's events: alarms of different roles on one stream share dedupKeys. */
    private static final String LOCAL = "";

    private final int recentCapacity;
    private volatile String localOrigin = LOCAL;
    private final List<Consumer<Published>> listeners = new CopyOnWriteArrayList<>();
    /** Judges this process's own events before anyone sees them (mutes and maintenance mark alarms suppressed). */
    private volatile UnaryOperator<Event> localJudge = UnaryOperator.identity();
    private final Map<String, Event.Alarm> active = new LinkedHashMap<>();
    private final ArrayDeque<Event.Alarm> recent = new ArrayDeque<>();
    private final long firstSequence;
    private final ReplayWindow window;
    private long sequence;
    /** What every user of this hub shares, by kind: see {@link #shared}. */
    private final Map<Class<?>, Object> shared = new java.util.HashMap<>();

    /** @param recentCapacity how many alarm events (firing and resolved) {@link #recent} keeps */
    public EventHub(int recentCapacity) {
        this(recentCapacity, REPLAY_EVENTS, REPLAY_STATS);
    }

    /** With replay windows of other sizes (tests). */
    public EventHub(int recentCapacity, int replayEvents, int replayStats) {
        if (recentCapacity < 1 || replayEvents < 1 || replayStats < 1) {
            throw new IllegalArgumentException("recentCapacity and the replay windows must be at least 1");
        }
        this.recentCapacity = recentCapacity;
        this.firstSequence = Math.multiplyExact(System.currentTimeMillis(), 1000L);
        this.sequence = firstSequence - 1;
        this.window = new ReplayWindow(replayEvents, replayStats, firstSequence);
    }

    /** In a fleet: this node's role, so that its alarms and other roles' alarms on the same stream stay apart. */
    public void localOrigin(String origin) {
        localOrigin = origin;
    }

    /**
     * Passes every event made here through {@code judge} before it is published (under the hub's lock: it must not
     * call back into the hub). A resolved alarm whose firing was suppressed is marked suppressed here, whatever the
     * judge says, so that paging receivers never see a resolution without its firing.
     */
    public void judgeLocal(UnaryOperator<Event> judge) {
        localJudge = judge == null ? UnaryOperator.identity() : judge;
    }

    /** Publishes a contract event (alarm, summary or error) made here. */
    @Override
    public void accept(Event event) {
        publish(event, true, localOrigin);
    }

    /** Publishes a contract event another fleet node made ({@code origin}: that node's role). */
    public void acceptRemote(Event event, String origin) {
        publish(event, false, origin);
    }

    /**
     * Counts {@code alarm}, made by another node of this node's role, as firing without publishing it again: a
     * stream taken over from a node that died, whose firing alarm this node continues.
     */
    public synchronized void adopt(Event.Alarm alarm) {
        active.putIfAbsent(localOrigin + "|" + alarm.dedupKey(), alarm);
    }

    /** Publishes a statistics sample for the live charts. */
    public void accept(StatsSample sample) {
        publish(sample, true, localOrigin);
    }

    private synchronized void publish(Object payload, boolean local, String origin) {
        if (local && payload instanceof Event event) {
            payload = localJudge.apply(event);
        }
        if (payload instanceof Event.Alarm alarm) {
            String key = origin + "|" + alarm.dedupKey();
            if (alarm.firing()) {
                active.put(key, alarm);
            } else {
                Event.Alarm firing = active.remove(key);
                if (firing != null && firing.silenced() && !alarm.silenced()) {
                    alarm = alarm.withSuppressed();
                    payload = alarm;
                }
            }
            recent.addLast(alarm);
            if (recent.size() > recentCapacity) {
                recent.removeFirst();
            }
        }
        Published item = new Published(++sequence, Instant.now(), payload, local);
        if (payload instanceof Event || payload instanceof StatsSample) {
            window.add(item);
        }
        for (Consumer<Published> listener : listeners) {
            listener.accept(item);
        }
    }

    /**
     * The one {@code kind} of this hub, made by {@code make} at the first ask and the same object at every other: a
     * store the hub feeds (the dashboard's histories) is made by whoever asks first, the stream registry before its
     * first stream starts, and found by whoever asks later, the HTTP API, so that it holds every item from the first
     * whatever the order they started in. It lives as long as the hub.
     */
    public synchronized <T> T shared(Class<T> kind, Function<EventHub, ? extends T> make) {
        Object made = shared.get(kind);
        if (made == null) {
            made = make.apply(this);
            shared.put(kind, made);
        }
        return kind.cast(made);
    }

    /** Adds a listener for every item published from now on. */
    public Subscription subscribe(Consumer<Published> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Adds a listener for every item published after the one numbered {@code lastSequence}: those still in the
     * replay window are returned (the listener gets only what comes after them), in one step under the hub's lock, so
     * that nothing falls between the two and nothing comes twice.
     */
    public synchronized Resumed resume(long lastSequence, Consumer<Published> listener) {
        listeners.add(listener);
        Subscription subscription = () -> listeners.remove(listener);
        if (lastSequence >= sequence) {
            // Nothing missed; an id above ours is from no process of this hub (or a clock set back): say so.
            return new Resumed(subscription, List.of(), lastSequence > sequence, false, false);
        }
        boolean beforeStart = lastSequence < firstSequence - 1;
        return new Resumed(subscription, window.after(lastSequence), beforeStart, window.eventsLostAfter(lastSequence),
                window.statsLostAfter(lastSequence));
    }

    /** The sequence number this process's first item got. */
    public long firstSequence() {
        return firstSequence;
    }

    /**
     * Runs {@code action} on the firing alarm {@code dedupKey} (of any origin; null when none fires) under the hub's
     * lock: nothing is published meanwhile (but what {@code action} publishes itself), so what it records about the
     * alarm cannot fall after the alarm's resolution. {@code action} must not wait on anything but this node's memory.
     */
    public synchronized <T> T whileFiring(String dedupKey, java.util.function.Function<Event.Alarm, T> action) {
        Event.Alarm firing = null;
        for (Event.Alarm a : active.values()) {
            if (a.dedupKey().equals(dedupKey)) {
                firing = a;
                break;
            }
        }
        return action.apply(firing);
    }

    /** The alarms firing now, oldest first. */
    public synchronized List<Event.Alarm> active() {
        return List.copyOf(active.values());
    }

    /** The firing alarms of one stream. */
    public synchronized List<Event.Alarm> active(String stream) {
        List<Event.Alarm> out = new ArrayList<>();
        for (Event.Alarm a : active.values()) {
            if (a.stream().equals(stream)) {
                out.add(a);
            }
        }
        return out;
    }

    /** The last {@code max} alarm events (firing and resolved), newest last. */
    public synchronized List<Event.Alarm> recent(int max) {
        int skip = Math.max(0, recent.size() - max);
        return recent.stream().skip(skip).toList();
    }

    /** The sequence number of the last item published. */
    public synchronized long lastSequence() {
        return sequence;
    }
}
