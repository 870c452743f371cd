package io.vigil.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The last items the hub published, for a feed client that reconnects with the id of the last one it saw: contract
 * events and statistics samples in two bounded windows (samples come about once a second per stream and would push
 * the rarer events out of a shared one). Not thread-safe: the hub calls it under its own lock.
 */
final class ReplayWindow {
    private final int eventCapacity;
    private final int statsCapacity;
    private final ArrayDeque<EventHub.Published> events = new ArrayDeque<>();
    private final ArrayDeque<EventHub.Published> stats = new ArrayDeque<>();
    /** The sequence of the newest item each window let go; below the first sequence while none was. */
    private long eventsEvictedThrough;
    private long statsEvictedThrough;

    ReplayWindow(int eventCapacity, int statsCapacity, long firstSequence) {
        this.eventCapacity = eventCapacity;
        this.statsCapacity = statsCapacity;
        this.eventsEvictedThrough = firstSequence - 1;
        this.statsEvictedThrough = firstSequence - 1;
    }

    void add(EventHub.Published item) {
        if (item.isEvent()) {
            events.addLast(item);
            if (events.size() > eventCapacity) {
                eventsEvictedThrough = events.removeFirst().sequence();
            }
        } else {
            stats.addLast(item);
            if (stats.size() > statsCapacity) {
                statsEvictedThrough = stats.removeFirst().sequence();
            }
        }
    }

    /** Every item kept with a sequence above {@code after}, in sequence order. */
    List<EventHub.Published> after(long after) {
        List<EventHub.Published> out = new ArrayList<>();
        Iterator<EventHub.Published> e = tail(events, after);
        Iterator<EventHub.Published> s = tail(stats, after);
        EventHub.Published ne = e.hasNext() ? e.next() : null;
        EventHub.Published ns = s.hasNext() ? s.next() : null;
        while (ne != null || ns != null) {
            if (ns == null || (ne != null && ne.sequence() < ns.sequence())) {
                out.add(ne);
                ne = e.hasNext() ? e.next() : null;
            } else {
                out.add(ns);
                ns = s.hasNext() ? s.next() : null;
            }
        }
        return out;
    }

    private static Iterator<EventHub.Published> tail(ArrayDeque<EventHub.Published> window, long after) {
        // The newest are at the end and a reconnect asks for the last few: walk back from there.
        ArrayDeque<EventHub.Published> picked = new ArrayDeque<>();
        for (Iterator<EventHub.Published> it = window.descendingIterator(); it.hasNext(); ) {
            EventHub.Published p = it.next();
            if (p.sequence() <= after) {
                break;
            }
            picked.addFirst(p);
        }
        return picked.iterator();
    }

    /** Whether contract events after {@code after} were let go. */
    boolean eventsLostAfter(long after) {
        return after < eventsEvictedThrough;
    }

    /** Whether statistics samples after {@code after} were let go. */
    boolean statsLostAfter(long after) {
        return after < statsEvictedThrough;
    }
}
