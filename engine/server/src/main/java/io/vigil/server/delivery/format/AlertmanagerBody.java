package io.vigil.server.delivery.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Alertmanager's {@code POST /api/v2/alerts} body: an array of postableAlert objects ({@code labels},
 * {@code annotations}, {@code startsAt}, {@code endsAt}, {@code generatorURL}).
 *
 * <p>Labels (what Alertmanager groups, routes, silences and dedupes on; equal on firing and resolved):
 * {@code alertname} = {@code vigil_<detector>}, {@code stream}, {@code detector}, {@code severity}, and when the
 * event has them {@code channel}, {@code check}, {@code pid}, {@code node}, {@code role}. Annotations:
 * {@code summary}, {@code description}, {@code dedup_key}, and {@code thumbnail}, {@code clip}, {@code cause} when
 * present. {@code startsAt} is the alarm's wallStart; a resolved alarm's {@code endsAt} is its wallEnd (in the past:
 * Alertmanager resolves it at once); a firing one's is the send time plus {@code firingEndsAfter}, renewed by each
 * re-send, as Prometheus does, so that an alarm whose resolve never comes (vigil gone) expires by itself.
 */
final class AlertmanagerBody {
    /** The API path a base URL gets. */
    static final String PATH = "/api/v2/alerts";
    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AlertmanagerBody() {
    }

    /** The configured URL as given when it ends with {@value #PATH}, else that path appended to it. */
    static URI target(URI configured) {
        String s = configured.toString();
        int q = s.indexOf('?');
        String base = q < 0 ? s : s.substring(0, q);
        if (base.endsWith(PATH)) {
            return configured;
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + PATH + (q < 0 ? "" : s.substring(q)));
    }

    /** One array for any number of events (a re-send of every firing alarm goes in one request). */
    static byte[] render(List<AlarmView> alarms, URI publicUrl, Duration firingEndsAfter, Instant now) {
        ArrayNode array = AlarmView.MAPPER.createArrayNode();
        for (AlarmView a : alarms) {
            array.add(alert(a, publicUrl, firingEndsAfter, now));
        }
        return Bodies.bytes(array);
    }

    private static ObjectNode alert(AlarmView a, URI publicUrl, Duration firingEndsAfter, Instant now) {
        ObjectNode alert = AlarmView.MAPPER.createObjectNode();
        ObjectNode labels = alert.putObject("labels");
        labels.put("alertname", "vigil_" + a.detector());
        labels.put("stream", a.stream());
        labels.put("detector", a.detector());
        labels.put("severity", a.severity());
        for (String field : List.of("channel", "check", "pid", "node", "role")) {
            String v = a.text(field);
            if (v != null && !v.isEmpty()) {
                labels.put(field, v);
            }
        }
        ObjectNode annotations = alert.putObject("annotations");
        annotations.put("summary", a.stream() + ": " + a.summary());
        annotations.put("description", Bodies.description(a));
        annotations.put("dedup_key", a.dedupKey());
        putIfPresent(annotations, "thumbnail", a.url("thumbnail", publicUrl));
        putIfPresent(annotations, "clip", a.url("clip", publicUrl));
        putIfPresent(annotations, "cause", a.text("cause"));
        String startsAt = a.text("wallStart");
        if (startsAt != null) {
            alert.put("startsAt", startsAt);
        }
        if (!a.firing()) {
            String wallEnd = a.text("wallEnd");
            alert.put("endsAt", wallEnd != null ? wallEnd : WALL.format(now.truncatedTo(ChronoUnit.MILLIS)));
        } else if (firingEndsAfter != null && firingEndsAfter.isPositive()) {
            alert.put("endsAt", WALL.format(now.plus(firingEndsAfter)));
        }
        String generator = Links.dashboard(publicUrl, a.stream());
        if (generator != null) {
            alert.put("generatorURL", generator);
        }
        return alert;
    }

    private static void putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
