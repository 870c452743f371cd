package io.vigil.server.history;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The alarm events (firing and resolved) and SCTE-35 markers of the last {@code window} (a day by default), for the
 * dashboard's history page, its CSV export and the stream page's timeline. Bounded by age and by count (the oldest
 * go first). Each is kept with its event time: an alarm's {@code wallStart} when it fires, its {@code wallEnd} when
 * it resolves, a marker's {@code wallStart}; where the event carries none (a file's), the time it was published.
 * Thread-safe; fed by the hub's listener.
 */
public final class AlarmHistory implements EventHub.Subscription {
    /** An event and its time. */
    public record Entry(Instant at, Event event) {
        public String stream() {
            return event instanceof Event.Alarm a ? a.stream() : ((Event.Marker) event).stream();
        }
    }

    /** How far back the hub's history goes. */
    public static final Duration WINDOW = Duration.ofHours(24);
    /** Alarm and marker events the hub's history keeps at most over the window. */
    public static final int MAX_EVENTS = 50_000;

    private final Duration window;
    private final int maxEvents;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final EventHub.Subscription subscription;

    public AlarmHistory(EventHub hub, Duration window, int maxEvents) {
        if (window.isNegative() || window.isZero() || maxEvents < 1) {
            throw new IllegalArgumentException("the alarm history needs a window and room for one event");
        }
        this.window = window;
        this.maxEvents = maxEvents;
        this.subscription = hub.subscribe(item -> {
            if (item.payload() instanceof Event.Alarm || item.payload() instanceof Event.Marker) {
                add((Event) item.payload(), item.at());
            }
        });
    }

    /**
     * The hub's history ({@link #WINDOW}, {@link #MAX_EVENTS}), made at the first ask: the stream registry asks
     * before its first stream starts, so that it has every alarm from the first.
     */
    public static AlarmHistory of(EventHub hub) {
        return hub.shared(AlarmHistory.class, h -> new AlarmHistory(h, WINDOW, MAX_EVENTS));
    }

    synchronized void add(Event event, Instant published) {
        entries.addLast(new Entry(eventTime(event, published), event));
        Instant oldest = published.minus(window);
        while (!entries.isEmpty() && (entries.size() > maxEvents || entries.getFirst().at().isBefore(oldest))) {
            entries.removeFirst();
        }
    }

    /** The alarm events since {@code from} that {@code keep} accepts, by event time, oldest first. */
    public synchronized List<Entry> alarms(Instant from, Predicate<Event.Alarm> keep) {
        return sorted(e -> e.event() instanceof Event.Alarm a && keep.test(a) && !e.at().isBefore(from));
    }

    /** One stream's markers since {@code from}, by event time, oldest first. */
    public synchronized List<Entry> markers(String stream, Instant from) {
        return sorted(e -> e.event() instanceof Event.Marker m && m.stream().equals(stream) && !e.at().isBefore(from));
    }

    private List<Entry> sorted(Predicate<Entry> keep) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (keep.test(e)) {
                out.add(e);
            }
        }
        // stable: events of one moment keep their published order (a firing before its resolution)
        out.sort(Comparator.comparing(Entry::at));
        return out;
    }

    /** The time the event says it happened, else {@code published}. */
    static Instant eventTime(Event event, Instant published) {
        String wall = switch (event) {
            case Event.Alarm a -> a.firing() ? a.wallStart() : a.wallEnd();
            case Event.Marker m -> m.wallStart();
            default -> null;
        };
        if (wall == null) {
            return published;
        }
        try {
            return Instant.parse(wall);
        } catch (DateTimeParseException e) {
            return published;
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
