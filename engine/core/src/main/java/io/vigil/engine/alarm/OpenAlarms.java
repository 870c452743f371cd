package io.vigil.engine.alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Passes events on to a sink and keeps the alarms firing among them, so that an analysis that died (a bug, not the
 * input) can still resolve what it raised: the contract wants a resolved event after each firing one. Thread-safe.
 */
public final class OpenAlarms implements EventSink {
    private final EventSink next;
    private final Map<String, Event.Alarm> firing = new LinkedHashMap<>();

    public OpenAlarms(EventSink next) {
        this.next = next;
    }

    /** Passes {@code event} on; an alarm counts as firing once the sink took its firing event. */
    @Override
    public void accept(Event event) {
        next.accept(event);
        if (event instanceof Event.Alarm a) {
            synchronized (this) {
                if (a.firing()) {
                    firing.put(a.dedupKey(), a);
                } else {
                    firing.remove(a.dedupKey());
                }
            }
        }
    }

    /** The alarms firing now, oldest first. */
    public synchronized List<Event.Alarm> firing() {
        return new ArrayList<>(firing.values());
    }

    /**
     * Resolves every alarm still firing at media time {@code endSeconds} (never before its start); {@code live}:
     * whether the resolved events carry the wall clock now, as live alarms do.
     */
    public void resolveAll(double endSeconds, boolean live) {
        for (Event.Alarm a : firing()) {
            accept(resolved(a, endSeconds, live ? Instant.now() : null));
        }
    }

    /** The resolved event of the firing alarm {@code a}, ended at {@code endSeconds} (and at {@code wallEnd}, or null). */
    public static Event.Alarm resolved(Event.Alarm a, double endSeconds, Instant wallEnd) {
        double end = Double.isFinite(endSeconds) ? Math.max(a.start(), endSeconds) : a.start();
        double endRounded = round(end);
        return new Event.Alarm(Event.Alarm.RESOLVED, a.detector(), a.stream(), a.channel(), a.check(), a.priority(),
                a.pid(), a.dedupKey(), a.severity(), a.start(), endRounded, round(endRounded - a.start()), a.wallStart(),
                wallEnd == null ? null : wall(wallEnd),
                a.summary(), a.metrics(), a.cause(), a.thumbnail(), a.clip(), a.suppressed());
    }

    /** A wall time as the contract writes it: UTC, to the millisecond. */
    public static String wall(Instant at) {
        return AlarmTracker.WALL_FORMAT.format(at);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
