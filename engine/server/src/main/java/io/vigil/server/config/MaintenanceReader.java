package io.vigil.server.config;

import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.YamlNodes;
import io.vigil.server.handling.MaintenanceWindow;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads serve's {@code maintenance} list: each window once ({@code from}, {@code to}) or recurring ({@code days},
 * {@code at}, {@code duration}, {@code zone}), over {@code streams} and {@code groups}; errors with file, line and key.
 */
final class MaintenanceReader {
    /** The longest window: a week (a recurring one must end before it starts again). */
    static final double MAX_DURATION_SECONDS = 7 * 86_400;
    private static final Set<String> KEYS = Set.of("name", "streams", "groups", "from", "to", "days", "at", "duration",
            "zone");

    private final YamlNodes nodes;

    MaintenanceReader(YamlNodes nodes) {
        this.nodes = nodes;
    }

    List<MaintenanceWindow> read(Node list) {
        List<MaintenanceWindow> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node item : nodes.list(list, "maintenance")) {
            MaintenanceWindow w = window(item, out.size() + 1);
            if (!names.add(w.name())) {
                throw new ConfigException(nodes.where(item) + "maintenance[].name: '" + w.name() + "' is used twice");
            }
            out.add(w);
        }
        return out;
    }

    private MaintenanceWindow window(Node item, int number) {
        String name = "window-" + number;
        List<String> streams = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        Node from = null;
        Node to = null;
        Set<DayOfWeek> days = null;
        LocalTime at = null;
        Duration duration = null;
        ZoneId zone = null;
        String p = "maintenance[]";
        for (NodeTuple t : nodes.mapping(item, p).getValue()) {
            String k = nodes.key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "name" -> name = nodes.text(v, p + ".name");
                case "streams" -> streams.addAll(ids(v, p + ".streams"));
                case "groups" -> groups.addAll(ids(v, p + ".groups"));
                case "from" -> from = v;
                case "to" -> to = v;
                case "days" -> days = days(v, p + ".days");
                case "at" -> {
                    String s = nodes.text(v, p + ".at");
                    try {
                        at = LocalTime.parse(s.length() == 4 ? "0" + s : s);
                    } catch (DateTimeParseException e) {
                        throw new ConfigException(nodes.where(v) + p + ".at: must be a time of day such as \"02:30\","
                                + " got " + s);
                    }
                }
                case "duration" -> {
                    nodes.text(v, p + ".duration");
                    duration = Duration.ofMillis(Math.round(1000 * nodes.number(v, p + ".duration", 1,
                            MAX_DURATION_SECONDS)));
                }
                case "zone" -> {
                    String s = nodes.text(v, p + ".zone");
                    try {
                        zone = ZoneId.of(s);
                    } catch (DateTimeException e) {
                        throw new ConfigException(nodes.where(v) + p + ".zone: '" + s + "' is not a time zone; use an"
                                + " IANA name such as Europe/Berlin or UTC");
                    }
                }
                default -> throw nodes.unknown(t.getKeyNode(), p + "." + k, KEYS);
            }
        }
        if (streams.isEmpty() && groups.isEmpty()) {
            throw new ConfigException(nodes.where(item) + p + ": window '" + name + "' names no streams and no groups");
        }
        boolean once = from != null || to != null;
        boolean recurring = days != null || at != null || duration != null;
        if (once == recurring) {
            throw new ConfigException(nodes.where(item) + p + ": window '" + name + "' needs either from and to (once)"
                    + " or days, at and duration (recurring, with zone)");
        }
        ZoneId z = zone != null ? zone : ZoneId.of("UTC");
        if (once) {
            if (from == null || to == null) {
                throw new ConfigException(nodes.where(item) + p + ": window '" + name + "' needs both from and to");
            }
            Instant start = instant(from, p + ".from", z);
            Instant end = instant(to, p + ".to", z);
            if (!end.isAfter(start)) {
                throw new ConfigException(nodes.where(to) + p + ".to: must be after from");
            }
            return MaintenanceWindow.once(name, streams, groups, start, end);
        }
        if (days == null || at == null || duration == null) {
            throw new ConfigException(nodes.where(item) + p + ": recurring window '" + name + "' needs days, at and"
                    + " duration");
        }
        return MaintenanceWindow.recurring(name, streams, groups, days, at, duration, z);
    }

    /** ISO 8601 with an offset, or a local date and time read in {@code zone}. */
    private Instant instant(Node v, String path, ZoneId zone) {
        String s = nodes.text(v, path);
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).atZone(zone).toInstant();
            } catch (DateTimeParseException e2) {
                throw new ConfigException(nodes.where(v) + path + ": must be an ISO 8601 time such as"
                        + " 2026-12-24T22:00:00Z (or without offset, read in zone), got " + s);
            }
        }
    }

    private List<String> ids(Node v, String path) {
        List<String> out = new ArrayList<>();
        List<Node> items = v instanceof org.snakeyaml.engine.v2.nodes.SequenceNode ? nodes.list(v, path) : List.of(v);
        for (Node n : items) {
            String id = nodes.text(n, path);
            if (!ServeConfigLoader.STREAM_ID.matcher(id).matches()) {
                throw new ConfigException(nodes.where(n) + path + ": '" + id + "' must be "
                        + ServeConfigLoader.STREAM_ID_RULE);
            }
            out.add(id);
        }
        return out;
    }

    /** mon..sun (or full names), or one of daily, weekdays, weekends. */
    private Set<DayOfWeek> days(Node v, String path) {
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        List<Node> items = v instanceof org.snakeyaml.engine.v2.nodes.SequenceNode ? nodes.list(v, path) : List.of(v);
        for (Node n : items) {
            String s = nodes.text(n, path).toLowerCase(Locale.ROOT);
            switch (s) {
                case "daily" -> out.addAll(EnumSet.allOf(DayOfWeek.class));
                case "weekdays" -> out.addAll(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
                case "weekends" -> out.addAll(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
                default -> {
                    DayOfWeek day = null;
                    for (DayOfWeek d : DayOfWeek.values()) {
                        String full = d.name().toLowerCase(Locale.ROOT);
                        if (s.equals(full) || s.equals(full.substring(0, 3))) {
                            day = d;
                        }
                    }
                    if (day == null) {
                        throw new ConfigException(nodes.where(n) + path + ": '" + s + "' is not a day; use mon, tue,"
                                + " wed, thu, fri, sat, sun, daily, weekdays or weekends");
                    }
                    out.add(day);
                }
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(nodes.where(v) + path + ": names no day");
        }
        return out;
    }
}
