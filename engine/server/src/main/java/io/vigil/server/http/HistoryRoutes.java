package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRegistry;
import io.vigil.server.history.AlarmHistory;
import io.vigil.server.history.StatsHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The dashboard's history routes: a stream's recent statistics and SCTE-35 markers, and the last day's alarm events
 * as JSON or CSV, answered from the hub's two bounded stores (see {@link StatsHistory#of}, {@link AlarmHistory#of}),
 * which live with the hub: they hold what came before the API started.
 */
final class HistoryRoutes {
    static final int STATS_SECONDS = StatsHistory.SECONDS;
    static final Duration ALARM_WINDOW = AlarmHistory.WINDOW;
    private static final int DEFAULT_MARKER_SECONDS = 900;
    private static final String CSV_HEADER = "time,stream,status,detector,channel,severity,start,end,duration,"
            + "wallStart,wallEnd,summary,dedupKey\r\n";

    private final StreamRegistry registry;
    private final StatsHistory stats;
    private final AlarmHistory alarms;

    HistoryRoutes(StreamRegistry registry, EventHub hub) {
        this.registry = registry;
        this.stats = StatsHistory.of(hub);
        this.alarms = AlarmHistory.of(hub);
    }

    /** GET /api/streams/{id}/stats?seconds=N: the stream's last N seconds of statistics, oldest first. */
    boolean streamStats(Exchange exchange, Map<String, String> params) {
        String id = knownStream(params);
        int seconds = whole(ApiServer.query(exchange), "seconds", STATS_SECONDS, 1, STATS_SECONDS);
        sendJson(exchange, stats.recent(id, seconds, Instant.now()));
        return true;
    }

    /** GET /api/streams/{id}/markers?seconds=N: the stream's SCTE-35 markers of the last N seconds, oldest first. */
    boolean streamMarkers(Exchange exchange, Map<String, String> params) {
        String id = knownStream(params);
        int seconds = whole(ApiServer.query(exchange), "seconds", DEFAULT_MARKER_SECONDS, 1,
                (int) ALARM_WINDOW.toSeconds());
        sendJson(exchange, alarms.markers(id, Instant.now().minusSeconds(seconds)).stream()
                .map(AlarmHistory.Entry::event).toList());
        return true;
    }

    /** GET /api/alarms/history: the alarm events of the last hours, by event time, oldest first. */
    boolean alarmHistory(Exchange exchange, Map<String, String> params) {
        sendJson(exchange, picked(exchange).stream().map(AlarmHistory.Entry::event).toList());
        return true;
    }

    /** GET /api/alarms/history.csv: the same as CSV, one line per event, with its event time first. */
    boolean alarmHistoryCsv(Exchange exchange, Map<String, String> params) {
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        for (AlarmHistory.Entry e : picked(exchange)) {
            Event.Alarm a = (Event.Alarm) e.event();
            csv.append(e.at()).append(',').append(text(a.stream())).append(',').append(a.status()).append(',')
                    .append(text(a.detector())).append(',').append(a.channel() == null ? "" : a.channel())
                    .append(',').append(text(a.severity())).append(',').append(a.start()).append(',')
                    .append(a.end() == null ? "" : a.end()).append(',')
                    .append(a.duration() == null ? "" : a.duration()).append(',')
                    .append(a.wallStart() == null ? "" : a.wallStart()).append(',')
                    .append(a.wallEnd() == null ? "" : a.wallEnd()).append(',')
                    .append(text(a.summary())).append(',').append(text(a.dedupKey())).append("\r\n");
        }
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader("Content-Disposition", "attachment; filename=\"vigil-alarms.csv\"");
        exchange.send(200, "text/csv; charset=utf-8", csv.toString().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** The alarm events the query asks for: hours (1-24), stream, detector, severity. */
    private List<AlarmHistory.Entry> picked(Exchange exchange) {
        Map<String, String> query = ApiServer.query(exchange);
        int hours = whole(query, "hours", (int) ALARM_WINDOW.toHours(), 1, (int) ALARM_WINDOW.toHours());
        Predicate<Event.Alarm> keep = a -> matches(query.get("stream"), a.stream())
                && matches(query.get("detector"), a.detector()) && matches(query.get("severity"), a.severity());
        return alarms.alarms(Instant.now().minus(Duration.ofHours(hours)), keep);
    }

    private static boolean matches(String wanted, String value) {
        return wanted == null || wanted.isEmpty() || wanted.equals(value);
    }

    private String knownStream(Map<String, String> params) {
        String id = params.get("id");
        if (registry.get(id).isEmpty()) {
            throw new ApiServer.ApiError(404, "There is no stream named " + shortText(id) + ".");
        }
        return id;
    }

    private static int whole(Map<String, String> query, String name, int fallback, int min, int max) {
        String raw = query.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiServer.ApiError(400, "The parameter " + name + " must be a whole number from " + min + " to "
                + max + ".");
    }

    /**
     * A CSV cell: quoted, quotes doubled, and a leading =, +, - or @ defused with an apostrophe (a spreadsheet would
     * take the cell for a formula).
     */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        String cell = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    private static String shortText(String s) {
        return s == null ? "" : s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static void sendJson(Exchange exchange, Object value) {
        exchange.setHeader("Cache-Control", "no-store");
        exchange.send(200, "application/json", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }
}
