package io.vigil.server.handling;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A time during which some streams' alarms are suppressed (serve's {@code maintenance}): once, from {@code from} to
 * {@code to}, or every {@code days} at {@code at} in {@code zone} for {@code duration}. It covers the streams it
 * names and the streams of the groups it names.
 *
 * <p>A recurring window starts at its local time on each of its days, as the zone's clocks show it: on the day the
 * clocks jump forward over {@code at} it starts as much later as they jumped (02:30 in a 02:00-03:00 gap is 03:30);
 * when they go back over it, at the first of the two moments. Its {@code duration} is elapsed time, so a window crossing a change of clocks lasts
 * as long as on any other day.
 *
 * @param name how the API and the log name it
 * @param streams stream ids it covers
 * @param groups stream groups it covers
 * @param from one-off: its start; null for a recurring window
 * @param to one-off: its end (exclusive)
 * @param days recurring: the days it starts on, in {@code zone}
 * @param at recurring: the local time it starts at
 * @param duration recurring: how long it lasts
 * @param zone recurring: the IANA time zone of {@code days} and {@code at}
 */
public record MaintenanceWindow(String name, List<String> streams, List<String> groups, Instant from, Instant to,
                                Set<DayOfWeek> days, LocalTime at, Duration duration, ZoneId zone) {
    public MaintenanceWindow {
        streams = List.copyOf(streams);
        groups = List.copyOf(groups);
        days = days == null ? Set.of() : Set.copyOf(days);
    }

    /** A one-off window. */
    public static MaintenanceWindow once(String name, List<String> streams, List<String> groups, Instant from,
                                         Instant to) {
        return new MaintenanceWindow(name, streams, groups, from, to, null, null, null, null);
    }

    /** A window every {@code days} at {@code at} in {@code zone}, for {@code duration}. */
    public static MaintenanceWindow recurring(String name, List<String> streams, List<String> groups,
                                              Set<DayOfWeek> days, LocalTime at, Duration duration, ZoneId zone) {
        return new MaintenanceWindow(name, streams, groups, null, null, days, at, duration, zone);
    }

    public boolean recurs() {
        return from == null;
    }

    /** Whether it covers {@code stream}, a member of {@code streamGroups}. */
    public boolean covers(String stream, List<String> streamGroups) {
        return streams.contains(stream) || streamGroups.stream().anyMatch(groups::contains);
    }

    /** The occurrence running at {@code now}, as [start, end); empty when none is. */
    public Optional<Instant[]> occurrenceAt(Instant now) {
        if (!recurs()) {
            return !now.isBefore(from) && now.isBefore(to) ? Optional.of(new Instant[] {from, to}) : Optional.empty();
        }
        // Occurrences that began up to the duration (in whole days, and one more for the zone's offsets) ago.
        LocalDate today = now.atZone(zone).toLocalDate();
        long back = duration.toDays() + 1;
        for (long d = 0; d <= back; d++) {
            LocalDate day = today.minusDays(d);
            if (!days.contains(day.getDayOfWeek())) {
                continue;
            }
            Instant start = startOn(day);
            Instant end = start.plus(duration);
            if (!now.isBefore(start) && now.isBefore(end)) {
                return Optional.of(new Instant[] {start, end});
            }
        }
        return Optional.empty();
    }

    /** Whether an occurrence runs at {@code now}. */
    public boolean activeAt(Instant now) {
        return occurrenceAt(now).isPresent();
    }

    /** The first start after {@code now}; empty for a one-off window that has begun. */
    public Optional<Instant> nextStart(Instant now) {
        if (!recurs()) {
            return now.isBefore(from) ? Optional.of(from) : Optional.empty();
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        for (int d = 0; d <= 8; d++) {
            LocalDate day = today.plusDays(d);
            if (days.contains(day.getDayOfWeek())) {
                Instant start = startOn(day);
                if (start.isAfter(now)) {
                    return Optional.of(start);
                }
            }
        }
        return Optional.empty();
    }

    /** The start of the occurrence on local {@code day} (ZonedDateTime.of: a gap pushes it later, an overlap takes the earlier). */
    private Instant startOn(LocalDate day) {
        return ZonedDateTime.of(day, at, zone).toInstant();
    }
}
