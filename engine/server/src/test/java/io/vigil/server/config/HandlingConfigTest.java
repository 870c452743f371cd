package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.VigilConfig;
import io.vigil.server.StreamSpec;
import io.vigil.server.handling.MaintenanceWindow;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Serve's threshold profiles, stream groups and maintenance windows: read, resolved, and refused with file:line. */
class HandlingConfigTest {
    static final String PROFILES = """
            defaults:
              detectors:
                black: {duration: 3}
            profiles:
              sports:
                detectors:
                  black: {duration: 5, pictureThreshold: 0.9}
                  freeze: {duration: 8}
            """;

    @Test
    void aStreamTakesItsProfilesSettingsUnderItsOwn() {
        ServeConfig c = ServeConfigLoader.parse("vigil.yaml", PROFILES + """
                streams:
                  - {id: s1, url: "udp://239.0.0.1:1234", profile: sports, black: {duration: 1}, group: arena}
                  - {id: s2, url: "udp://239.0.0.1:1235", profile: sports, groups: [arena, night]}
                  - {id: n1, url: "udp://239.0.0.1:1236"}
                """);
        assertThat(c.profiles()).containsOnlyKeys("sports");
        StreamSpec s1 = c.streams().get(0);
        assertThat(s1.profile()).isEqualTo("sports");
        assertThat(s1.groups()).containsExactly("arena");
        assertThat(c.streams().get(1).groups()).containsExactly("arena", "night");
        assertThat(c.streams().get(2).groups()).isEmpty();

        VigilConfig one = ServeConfigLoader.streamConfig(c.defaults(), c.profiles(), s1);
        assertThat(one.detectors().get("black").durationSeconds()).as("the stream's own").isEqualTo(1);
        assertThat(one.detectors().get("black").number("pictureThreshold")).as("the profile's").isEqualTo(0.9);
        assertThat(one.detectors().get("freeze").durationSeconds()).as("the profile's").isEqualTo(8);
        VigilConfig two = ServeConfigLoader.streamConfig(c.defaults(), c.profiles(), c.streams().get(1));
        assertThat(two.detectors().get("black").durationSeconds()).isEqualTo(5);
        VigilConfig plain = ServeConfigLoader.streamConfig(c.defaults(), c.profiles(), c.streams().get(2));
        assertThat(plain.detectors().get("black").durationSeconds()).as("the defaults'").isEqualTo(3);
    }

    @Test
    void anUnknownProfileIsRefused() {
        refuses(PROFILES + """
                streams:
                  - id: s1
                    url: "udp://239.0.0.1:1234"
                    profile: sprots
                """, "vigil.yaml:12: streams[].profile: unknown profile 'sprots'; known: sports");
        assertThatThrownBy(() -> ServeConfigLoader.streamConfig(VigilConfig.defaults(), Map.of(),
                new StreamSpec("a", "udp://127.0.0.1:1", null, Map.of(), "sports", List.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown profile 'sports'; the config defines none (profiles:).");
    }

    @Test
    void aProfilesSettingsAreCheckedAgainstTheDetectorSpecs() {
        refuses("""
                profiles:
                  sports:
                    detectors:
                      black: {duration: -4}
                """, "vigil.yaml:4: ");
        refuses("""
                profiles:
                  sports:
                    detectors:
                      blak: {duration: 4}
                """, "vigil.yaml:4: ");
        refuses("""
                profiles:
                  sports:
                    thresholds: {}
                """, "vigil.yaml:3: profiles.sports.thresholds");
        // A stream's own value is checked over its profile's.
        refuses(PROFILES + """
                streams:
                  - id: s1
                    url: "udp://239.0.0.1:1234"
                    profile: sports
                    freeze: {duration: nope}
                """, "vigil.yaml:13: ");
    }

    @Test
    void readsMaintenanceWindows() {
        ServeConfig c = ServeConfigLoader.parse("vigil.yaml", """
                maintenance:
                  - name: xmas
                    streams: [e1]
                    from: 2026-12-24T22:00:00Z
                    to: "2026-12-25T03:00:00+01:00"
                  - name: nightly
                    groups: [sports, news]
                    days: [mon, Wednesday, fri]
                    at: "2:30"
                    duration: 5400
                    zone: Europe/Berlin
                  - streams: e2
                    days: weekends
                    at: "23:00"
                    duration: 3600
                """);
        assertThat(c.maintenance()).containsExactly(
                MaintenanceWindow.once("xmas", List.of("e1"), List.of(), Instant.parse("2026-12-24T22:00:00Z"),
                        Instant.parse("2026-12-25T02:00:00Z")),
                MaintenanceWindow.recurring("nightly", List.of(), List.of("sports", "news"),
                        java.util.EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY, DayOfWeek.FRIDAY),
                        LocalTime.of(2, 30), Duration.ofMinutes(90), ZoneId.of("Europe/Berlin")),
                MaintenanceWindow.recurring("window-3", List.of("e2"), List.of(),
                        java.util.EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), LocalTime.of(23, 0),
                        Duration.ofHours(1), ZoneId.of("UTC")));
    }

    @Test
    void refusesMaintenanceMistakesWithFileAndLine() {
        refuses("""
                maintenance:
                  - {name: a, from: 2026-12-24T22:00:00Z, to: 2026-12-25T02:00:00Z}
                """, "vigil.yaml:2: maintenance[]: window 'a' names no streams and no groups");
        refuses("""
                maintenance:
                  - {streams: [e1], from: 2026-12-24T22:00:00Z}
                """, "vigil.yaml:2: maintenance[]: window 'window-1' needs both from and to");
        refuses("""
                maintenance:
                  - {streams: [e1], from: 2026-12-24T22:00:00Z, to: 2026-12-24T21:00:00Z}
                """, "vigil.yaml:2: maintenance[].to: must be after from");
        refuses("""
                maintenance:
                  - {streams: [e1], days: [mon], at: "02:00", duration: 60, from: 2026-12-24T22:00:00Z}
                """, "vigil.yaml:2: maintenance[]: window 'window-1' needs either from and to");
        refuses("""
                maintenance:
                  - {streams: [e1], days: [mon], at: "02:00"}
                """, "vigil.yaml:2: maintenance[]: recurring window 'window-1' needs days, at and duration");
        refuses("""
                maintenance:
                  - streams: [e1]
                    days: [mon, funday]
                    at: "02:00"
                    duration: 60
                """, "vigil.yaml:3: maintenance[].days: 'funday' is not a day");
        refuses("""
                maintenance:
                  - streams: [e1]
                    days: [mon]
                    at: "25:00"
                    duration: 60
                """, "vigil.yaml:4: maintenance[].at: must be a time of day");
        refuses("""
                maintenance:
                  - streams: [e1]
                    days: [mon]
                    at: "02:00"
                    duration: 60
                    zone: Mars/Olympus
                """, "vigil.yaml:6: maintenance[].zone: 'Mars/Olympus' is not a time zone");
        refuses("""
                maintenance:
                  - streams: [e1]
                    days: [mon]
                    at: "02:00"
                    duration: 0
                """, "vigil.yaml:5: maintenance[].duration: must be between 1 and 604800");
        refuses("""
                maintenance:
                  - {streams: [e1], when: now}
                """, "vigil.yaml:2: maintenance[].when");
        refuses("""
                streams:
                  - {id: s1, url: "udp://239.0.0.1:1234", groups: ["bad group"]}
                """, "vigil.yaml:2: streams[].groups: 'bad group' must be");
    }

    private static void refuses(String yaml, String message) {
        assertThatThrownBy(() -> ServeConfigLoader.parse("vigil.yaml", yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }
}
