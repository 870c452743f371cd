package io.vigil.server.handling;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.OpenAlarms;
import io.vigil.server.EventHub;
import io.vigil.server.handling.HandlingRefusedException.Reason;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One node's alarm handling: acknowledgements (until the alarm resolves), mutes (a stream or one detector on it,
 * until a time) and maintenance windows (serve's config). It judges every alarm this node raises as the
 * {@link EventHub} publishes it: one firing while its stream or detector is muted, or while a maintenance window
 * covers its stream, is marked {@code suppressed} (the hub marks its resolution the same way). Acks and mutes are
 * events of the contract, published through the hub (so they reach SSE, webhooks, the events log and Kafka); those
 * other fleet nodes made arrive through the hub too and are applied here as this node's own.
 *
 * <p>Locking: the judge and the listener run under the hub's lock and take this object's; the API's methods take
 * this object's lock and let it go before they call the hub, so the two locks are never taken in the other order.
 */
public final class AlarmHandling implements AutoCloseable {
    /** The longest mute: a week (longer silences belong in a maintenance window). */
    public static final long MAX_MUTE_MINUTES = 7 * 24 * 60;
    /** The longest {@code by} (who) and {@code note}. */
    static final int MAX_BY_CHARS = 64;
    static final int MAX_NOTE_CHARS = 500;
    /**
     * An acknowledgement read back at start waits this long for its alarm to fire again (the restart resolved it); past
     * that, an alarm firing under the same key is a new one, not acknowledged.
     */
    static final Duration RESTORED_ACK_GRACE = Duration.ofMinutes(10);
    private static final Pattern DETECTOR_NAME = Pattern.compile("[a-z0-9_]{1,64}");

    /** What the handling needs to know of the streams. */
    public interface Streams {
        /** Whether a stream of that id is watched (anywhere in a fleet). */
        boolean exists(String id);

        /** The groups of a stream this node runs; asked under the hub's lock, so it must not wait on a lock. */
        List<String> groups(String id);
    }

    /** A maintenance window as {@code GET /api/maintenance} shows it. */
    public record WindowState(MaintenanceWindow window, boolean active, Instant activeUntil, Instant nextStart) {
    }

    private final Clock clock;
    private final List<MaintenanceWindow> windows;
    private final Streams streams;
    private final HandlingStore store;
    private final Map<String, Event.Ack> acks = new LinkedHashMap<>();
    /** Acks read back at start whose alarm has not fired again yet: until when they wait for it. */
    private final Map<String, Instant> restoredAcks = new HashMap<>();
    private final Map<String, MuteRule> mutes = new LinkedHashMap<>();
    private volatile EventHub hub;
    private EventHub.Subscription listening;
    private boolean closing;

    /**
     * @param store where acks and mutes are kept across restarts; null to keep them in memory only
     */
    public AlarmHandling(Clock clock, List<MaintenanceWindow> windows, Streams streams, HandlingStore store) {
        this.clock = clock;
        this.windows = List.copyOf(windows);
        this.streams = streams;
        this.store = store;
        if (store != null) {
            HandlingStore.Saved saved = store.load();
            Instant waitUntil = clock.instant().plus(RESTORED_ACK_GRACE);
            for (Event.Ack ack : saved.acks()) {
                acks.put(ack.dedupKey(), ack);
                restoredAcks.put(ack.dedupKey(), waitUntil);
            }
            for (MuteRule m : saved.mutes()) {
                if (!m.expiredAt(clock.instant())) {
                    mutes.put(m.id(), m);
                }
            }
        }
    }

    /** Judges {@code eventHub}'s local alarms from now on and follows its events; once. */
    public synchronized AlarmHandling attach(EventHub eventHub) {
        if (hub != null) {
            throw new IllegalStateException("already attached to a hub");
        }
        hub = eventHub;
        eventHub.judgeLocal(this::judge);
        listening = eventHub.subscribe(this::heard);
        return this;
    }

    // ---- the hub's side (under its lock) ----

    /** A firing alarm raised while muted or in maintenance comes out suppressed. */
    private Event judge(Event event) {
        if (event instanceof Event.Alarm alarm && alarm.firing() && !alarm.silenced()
                && suppresses(alarm.stream(), alarm.detector(), clock.instant())) {
            return alarm.withSuppressed();
        }
        return event;
    }

    private void heard(EventHub.Published item) {
        if (!(item.payload() instanceof Event event)) {
            return;
        }
        boolean changed = false;
        synchronized (this) {
            if (closing) {
                return;   // the resolutions of a stop are not the alarms ending: their acks stay for the restart
            }
            switch (event) {
                case Event.Alarm a when a.firing() -> {
                    Instant waited = restoredAcks.remove(a.dedupKey());
                    if (waited != null && clock.instant().isAfter(waited)) {
                        changed = acks.remove(a.dedupKey()) != null;
                    }
                }
                case Event.Alarm a -> {
                    restoredAcks.remove(a.dedupKey());
                    changed = acks.remove(a.dedupKey()) != null;
                }
                case Event.Ack k when !item.local() -> {
                    acks.put(k.dedupKey(), k);
                    changed = true;
                }
                case Event.Mute m when !item.local() -> {
                    changed = true;
                    if (Boolean.TRUE.equals(m.ended())) {
                        mutes.remove(m.id());
                    } else {
                        mutes.put(m.id(), new MuteRule(m.id(), m.stream(), m.detector(), Instant.parse(m.until()),
                                m.by(), m.note(), Instant.parse(m.wall())));
                    }
                }
                default -> { }
            }
        }
        if (changed) {
            save();
        }
    }

    // ---- the API's side ----

    /** Whether an alarm of {@code detector} on {@code stream} raised at {@code at} is suppressed. */
    public boolean suppresses(String stream, String detector, Instant at) {
        synchronized (this) {
            for (MuteRule m : mutes.values()) {
                if (m.silences(stream, detector, at)) {
                    return true;
                }
            }
        }
        if (windows.isEmpty()) {
            return false;
        }
        List<String> groups = streams.groups(stream);
        return windows.stream().anyMatch(w -> w.covers(stream, groups) && w.activeAt(at));
    }

    /**
     * Acknowledges the firing alarm {@code dedupKey}; publishes and returns the {@code ack} event. Refused (NOT_FOUND)
     * for an unknown stream, (CONFLICT) for an alarm not firing, (INVALID) without {@code by}.
     */
    public Event.Ack acknowledge(String dedupKey, String by, String note) {
        EventHub eventHub = attached();
        if (dedupKey == null || dedupKey.isBlank()) {
            throw new HandlingRefusedException(Reason.INVALID, "An acknowledgement needs the alarm's dedupKey.");
        }
        String who = who(by);
        String why = note(note);
        // Found, recorded and published in one step under the hub's lock: a resolution published between the look-up
        // and the record would leave this ack behind, on the alarm's next firing.
        Event.Ack ack = eventHub.whileFiring(dedupKey, firing -> {
            if (firing == null) {
                return null;
            }
            Event.Ack made = new Event.Ack(firing.stream(), firing.detector(), dedupKey, who, why,
                    OpenAlarms.wall(now()));
            synchronized (this) {
                acks.put(dedupKey, made);
                restoredAcks.remove(dedupKey);
            }
            eventHub.accept(made);
            return made;
        });
        if (ack == null) {
            String stream = dedupKey.contains("/") ? dedupKey.substring(0, dedupKey.indexOf('/')) : dedupKey;
            if (!streams.exists(stream)) {
                throw new HandlingRefusedException(Reason.NOT_FOUND, "There is no stream named " + shorten(stream)
                        + ", so no alarm " + shorten(dedupKey) + " to acknowledge.");
            }
            throw new HandlingRefusedException(Reason.CONFLICT, "The alarm " + shorten(dedupKey) + " is not firing;"
                    + " only a firing alarm can be acknowledged.");
        }
        save();
        return ack;
    }

    /** The acknowledgement of the firing alarm {@code dedupKey}, if any. */
    public synchronized Optional<Event.Ack> ackOf(String dedupKey) {
        return Optional.ofNullable(acks.get(dedupKey));
    }

    /**
     * Mutes {@code stream} (or one {@code detector} on it) for {@code minutes} or until {@code until} (ISO 8601 with
     * an offset, exactly one of the two); publishes and returns the {@code mute} event.
     */
    public Event.Mute mute(String stream, String detector, Double minutes, String until, String by, String note) {
        EventHub eventHub = attached();
        if (stream == null || !streams.exists(stream)) {
            throw new HandlingRefusedException(stream == null ? Reason.INVALID : Reason.NOT_FOUND,
                    stream == null ? "A mute needs the stream it mutes." : "There is no stream named "
                            + shorten(stream) + ".");
        }
        if (detector != null && !DETECTOR_NAME.matcher(detector).matches()) {
            throw new HandlingRefusedException(Reason.INVALID, "A detector is named in lower-case letters, digits"
                    + " and '_', such as black or silence; got " + shorten(detector) + ".");
        }
        String who = who(by);
        String why = note(note);
        Instant now = now();
        Instant end = end(now, minutes, until);
        MuteRule rule = new MuteRule(UUID.randomUUID().toString().substring(0, 8), stream, detector, end, who, why,
                now);
        synchronized (this) {
            mutes.put(rule.id(), rule);
        }
        save();
        Event.Mute event = new Event.Mute(rule.id(), stream, detector, OpenAlarms.wall(end), who, why, OpenAlarms.wall(now), null);
        eventHub.accept(event);
        return event;
    }

    private static Instant end(Instant now, Double minutes, String until) {
        if ((minutes == null) == (until == null)) {
            throw new HandlingRefusedException(Reason.INVALID, "A mute needs either minutes (how long) or until"
                    + " (an ISO 8601 time with its offset, such as 2026-12-07T06:00:00Z), not both.");
        }
        Instant end;
        if (minutes != null) {
            if (!(minutes > 0 && minutes <= MAX_MUTE_MINUTES)) {
                throw new HandlingRefusedException(Reason.INVALID, "A mute lasts more than 0 and at most "
                        + MAX_MUTE_MINUTES + " minutes (a week).");
            }
            end = now.plusMillis(Math.round(minutes * 60_000));
        } else {
            try {
                end = OffsetDateTime.parse(until).toInstant();
            } catch (DateTimeException e) {
                throw new HandlingRefusedException(Reason.INVALID, "The until time must be ISO 8601 with its offset,"
                        + " such as 2026-12-07T06:00:00Z; got " + shorten(until) + ".");
            }
            if (!end.isAfter(now)) {
                throw new HandlingRefusedException(Reason.INVALID, "The until time (" + shorten(until) + ") has passed.");
            }
            if (end.isAfter(now.plus(MAX_MUTE_MINUTES, ChronoUnit.MINUTES))) {
                throw new HandlingRefusedException(Reason.INVALID, "The until time is more than a week away; a longer"
                        + " silence belongs in a maintenance window.");
            }
        }
        return end.truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Lifts the mute {@code id} before its time; publishes and returns the {@code mute} event that ends it ({@code
     * until}: now, {@code ended: true}). Refused (NOT_FOUND) when no such mute is active.
     */
    public Event.Mute unmute(String id, String by) {
        EventHub eventHub = attached();
        Instant now = now();
        MuteRule rule;
        synchronized (this) {
            rule = mutes.get(id);
            if (rule == null || rule.expiredAt(now)) {
                mutes.remove(id);
                throw new HandlingRefusedException(Reason.NOT_FOUND, "There is no active mute " + shorten(id) + ".");
            }
            mutes.remove(id);
        }
        save();
        String who = by == null || by.isBlank() ? rule.by() : who(by);
        Event.Mute event = new Event.Mute(rule.id(), rule.stream(), rule.detector(), OpenAlarms.wall(now), who, rule.note(),
                OpenAlarms.wall(now), Boolean.TRUE);
        eventHub.accept(event);
        return event;
    }

    /** The mutes in force now, oldest first. */
    public synchronized List<MuteRule> mutes() {
        Instant now = now();
        mutes.values().removeIf(m -> m.expiredAt(now));
        return List.copyOf(mutes.values());
    }

    /** Every maintenance window of the config, whether it runs now, and when it ends or next starts. */
    public List<WindowState> maintenance() {
        Instant now = now();
        List<WindowState> out = new ArrayList<>();
        for (MaintenanceWindow w : windows) {
            Optional<Instant[]> running = w.occurrenceAt(now);
            out.add(new WindowState(w, running.isPresent(), running.map(r -> r[1]).orElse(null),
                    w.nextStart(now).orElse(null)));
        }
        return out;
    }

    /** Stops following the hub and saves: what the stop resolves next keeps its acknowledgement for the restart. */
    @Override
    public void close() {
        EventHub.Subscription s;
        synchronized (this) {
            closing = true;
            s = listening;
            listening = null;
        }
        if (s != null) {
            s.close();
        }
        save();
    }

    private void save() {
        if (store == null) {
            return;
        }
        HandlingStore.Saved state;
        synchronized (this) {
            Instant now = now();
            mutes.values().removeIf(m -> m.expiredAt(now));
            state = new HandlingStore.Saved(List.copyOf(acks.values()), List.copyOf(mutes.values()));
        }
        store.save(state);
    }

    private EventHub attached() {
        EventHub h = hub;
        if (h == null) {
            throw new IllegalStateException("alarm handling is not attached to a hub");
        }
        return h;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String who(String by) {
        if (by == null || by.isBlank()) {
            throw new HandlingRefusedException(Reason.INVALID, "Say who you are: by is required (a name or initials).");
        }
        String b = by.strip();
        if (b.length() > MAX_BY_CHARS || b.chars().anyMatch(Character::isISOControl)) {
            throw new HandlingRefusedException(Reason.INVALID, "The by field must be one line of at most " + MAX_BY_CHARS
                    + " characters.");
        }
        return b;
    }

    private static String note(String note) {
        if (note == null) {
            return null;
        }
        String n = note.strip();
        if (n.length() > MAX_NOTE_CHARS || n.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
            throw new HandlingRefusedException(Reason.INVALID, "The note must be text of at most " + MAX_NOTE_CHARS
                    + " characters.");
        }
        return n.isEmpty() ? null : n;
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
}
