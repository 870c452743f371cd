package io.vigil.server.handling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Schedule math: one-off and recurring windows, days of week, zones, and the days the clocks change. */
class MaintenanceWindowTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static MaintenanceWindow every(Set<DayOfWeek> days, String at, Duration duration, ZoneId zone) {
        return MaintenanceWindow.recurring("w", List.of("e1"), List.of(), days, LocalTime.parse(at), duration, zone);
    }

    static Instant t(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void aOneOffWindowRunsFromItsStartUntilItsEnd() {
        MaintenanceWindow w = MaintenanceWindow.once("w", List.of("e1"), List.of(), t("2026-12-24T22:00:00Z"),
                t("2026-12-25T02:00:00Z"));
        assertThat(w.activeAt(t("2026-12-24T21:59:59.999Z"))).isFalse();
        assertThat(w.activeAt(t("2026-12-24T22:00:00Z"))).isTrue();
        assertThat(w.activeAt(t("2026-12-25T01:59:59Z"))).isTrue();
        assertThat(w.activeAt(t("2026-12-25T02:00:00Z"))).isFalse();
        assertThat(w.nextStart(t("2026-12-01T00:00:00Z"))).contains(t("2026-12-24T22:00:00Z"));
        assertThat(w.nextStart(t("2026-12-24T23:00:00Z"))).isEmpty();
    }

    @Test
    void aRecurringWindowRunsOnItsDaysAtItsLocalTime() {
        // Mondays and Wednesdays 02:00-03:30 Berlin time (CET, UTC+1, in December).
        MaintenanceWindow w = every(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY), "02:00",
                Duration.ofMinutes(90), BERLIN);
        // 2026-12-07 is a Monday.
        assertThat(w.activeAt(t("2026-12-07T00:59:00Z"))).isFalse();
        assertThat(w.activeAt(t("2026-12-07T01:00:00Z"))).isTrue();
        assertThat(w.occurrenceAt(t("2026-12-07T02:00:00Z")).orElseThrow()[1]).isEqualTo(t("2026-12-07T02:30:00Z"));
        assertThat(w.activeAt(t("2026-12-07T02:30:00Z"))).isFalse();
        assertThat(w.activeAt(t("2026-12-08T01:30:00Z"))).as("Tuesday").isFalse();
        assertThat(w.activeAt(t("2026-12-09T01:30:00Z"))).as("Wednesday").isTrue();
        assertThat(w.nextStart(t("2026-12-07T01:30:00Z"))).contains(t("2026-12-09T01:00:00Z"));
        assertThat(w.nextStart(t("2026-12-09T02:00:00Z"))).contains(t("2026-12-14T01:00:00Z"));
    }

    @Test
    void aWindowCrossingMidnightRunsIntoTheNextDayEvenWhenThatDayIsNotOneOfItsDays() {
        MaintenanceWindow w = every(EnumSet.of(DayOfWeek.FRIDAY), "23:00", Duration.ofHours(3), ZoneId.of("UTC"));
        // 2026-12-11 is a Friday; Saturday 01:30 is still inside.
        assertThat(w.activeAt(t("2026-12-12T01:30:00Z"))).isTrue();
        assertThat(w.activeAt(t("2026-12-12T02:00:00Z"))).isFalse();
        assertThat(w.activeAt(t("2026-12-11T22:59:00Z"))).isFalse();
    }

    @Test
    void theSameLocalTimeIsADifferentInstantInEachZone() {
        Set<DayOfWeek> daily = EnumSet.allOf(DayOfWeek.class);
        MaintenanceWindow ny = every(daily, "02:00", Duration.ofHours(1), ZoneId.of("America/New_York"));
        MaintenanceWindow tokyo = every(daily, "02:00", Duration.ofHours(1), ZoneId.of("Asia/Tokyo"));
        // 02:00 EST is 07:00Z; 02:00 JST is 17:00Z the day before.
        assertThat(ny.activeAt(t("2026-12-07T07:30:00Z"))).isTrue();
        assertThat(ny.activeAt(t("2026-12-07T02:30:00Z"))).isFalse();
        assertThat(tokyo.activeAt(t("2026-12-06T17:30:00Z"))).isTrue();
        assertThat(tokyo.activeAt(t("2026-12-07T07:30:00Z"))).isFalse();
    }

    @Test
    void onTheDayTheClocksGoForwardAStartInTheGapMovesLaterAndTheDurationIsElapsedTime() {
        // Berlin, Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:30 does not exist that day.
        MaintenanceWindow w = every(EnumSet.of(DayOfWeek.SUNDAY), "02:30", Duration.ofHours(1), BERLIN);
        Instant[] run = w.occurrenceAt(t("2026-03-29T01:45:00Z")).orElseThrow();
        assertThat(run[0]).as("03:30 CEST").isEqualTo(t("2026-03-29T01:30:00Z"));
        assertThat(run[1]).isEqualTo(t("2026-03-29T02:30:00Z"));
        assertThat(w.activeAt(t("2026-03-29T01:29:00Z"))).isFalse();
        // The Sunday before (CET) and after (CEST): 02:30 local each time.
        assertThat(w.occurrenceAt(t("2026-03-22T01:30:00Z")).orElseThrow()[0]).isEqualTo(t("2026-03-22T01:30:00Z"));
        assertThat(w.occurrenceAt(t("2026-04-05T00:30:00Z")).orElseThrow()[0]).isEqualTo(t("2026-04-05T00:30:00Z"));
        // A window spanning the jump lasts its elapsed duration: 01:00 CET for 2 h ends 04:00 CEST, not 03:00.
        MaintenanceWindow across = every(EnumSet.of(DayOfWeek.SUNDAY), "01:00", Duration.ofHours(2), BERLIN);
        Instant[] span = across.occurrenceAt(t("2026-03-29T01:30:00Z")).orElseThrow();
        assertThat(span[0]).isEqualTo(t("2026-03-29T00:00:00Z"));
        assertThat(span[1]).as("04:00 CEST").isEqualTo(t("2026-03-29T02:00:00Z"));
    }

    @Test
    void onTheDayTheClocksGoBackAStartInTheOverlapTakesTheFirstOfItsTwoMoments() {
        // Berlin, Sunday 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:30 happens twice.
        MaintenanceWindow w = every(EnumSet.of(DayOfWeek.SUNDAY), "02:30", Duration.ofMinutes(60), BERLIN);
        Instant[] run = w.occurrenceAt(t("2026-10-25T00:45:00Z")).orElseThrow();
        assertThat(run[0]).as("02:30 CEST").isEqualTo(t("2026-10-25T00:30:00Z"));
        assertThat(run[1]).isEqualTo(t("2026-10-25T01:30:00Z"));
        assertThat(w.activeAt(t("2026-10-25T01:30:00Z"))).as("not again at the second 02:30").isFalse();
        assertThat(w.nextStart(t("2026-10-24T12:00:00Z"))).contains(t("2026-10-25T00:30:00Z"));
    }

    @Test
    void itCoversItsStreamsAndTheStreamsOfItsGroups() {
        MaintenanceWindow w = MaintenanceWindow.once("w", List.of("e1"), List.of("sports"), t("2026-12-24T22:00:00Z"),
                t("2026-12-25T02:00:00Z"));
        assertThat(w.covers("e1", List.of())).isTrue();
        assertThat(w.covers("e2", List.of("news", "sports"))).isTrue();
        assertThat(w.covers("e2", List.of("news"))).isFalse();
    }
}
