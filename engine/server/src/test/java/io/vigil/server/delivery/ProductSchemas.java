package io.vigil.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request schemas of the products vigil's webhooks speak, written from their documentation, as a receiver checks
 * them: each method returns what is wrong with a body (empty when it would be accepted).
 *
 * <ul>
 *   <li>Alertmanager API v2 ({@code api/v2/openapi.yaml}: postableAlerts, postableAlert, labelSet; and
 *       {@code model.Alert.Validate}): an array of objects with only labels (required, non-empty), annotations,
 *       startsAt, endsAt (RFC 3339 date-time, endsAt not before startsAt) and generatorURL (a URI); label and
 *       annotation names match {@code [a-zA-Z_][a-zA-Z0-9_]*}, values are strings.</li>
 *   <li>PagerDuty Events API v2 ({@code /v2/enqueue}): routing_key (32 characters), event_action
 *       trigger|acknowledge|resolve, dedup_key (at most 255 characters; required but for trigger), payload for a
 *       trigger with summary (1 to 1024 characters), source, severity critical|error|warning|info, and optional
 *       timestamp (ISO 8601), component, group, class (strings) and custom_details (object); images [{src, href,
 *       alt}], links [{href, text}], client, client_url.</li>
 *   <li>Slack incoming webhooks: an object with a non-empty {@code text} (at most 40,000 characters) or blocks, and
 *       only the fields Slack documents for it.</li>
 * </ul>
 */
final class ProductSchemas {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

    private ProductSchemas() {
    }

    static List<String> alertmanager(JsonNode body) {
        List<String> wrong = new ArrayList<>();
        if (!body.isArray()) {
            wrong.add("body: not an array of postableAlert");
            return wrong;
        }
        for (int i = 0; i < body.size(); i++) {
            JsonNode a = body.get(i);
            String at = "[" + i + "]";
            if (!a.isObject()) {
                wrong.add(at + ": not an object");
                continue;
            }
            onlyFields(a, Set.of("labels", "annotations", "startsAt", "endsAt", "generatorURL"), at, wrong);
            if (!a.has("labels")) {
                wrong.add(at + ".labels: required");
            } else {
                labelSet(a.get("labels"), at + ".labels", wrong);
                if (a.get("labels").isEmpty()) {
                    wrong.add(at + ".labels: at least one label pair required");
                }
            }
            if (a.has("annotations")) {
                labelSet(a.get("annotations"), at + ".annotations", wrong);
            }
            OffsetDateTime starts = dateTime(a, "startsAt", at, wrong);
            OffsetDateTime ends = dateTime(a, "endsAt", at, wrong);
            if (starts != null && ends != null && ends.isBefore(starts)) {
                wrong.add(at + ": end time must not be before start time");
            }
            if (a.has("generatorURL")) {
                uri(a.get("generatorURL"), at + ".generatorURL", wrong);
            }
        }
        return wrong;
    }

    static List<String> pagerDuty(JsonNode body) {
        List<String> wrong = new ArrayList<>();
        if (!body.isObject()) {
            wrong.add("body: not an object");
            return wrong;
        }
        onlyFields(body, Set.of("routing_key", "event_action", "dedup_key", "payload", "images", "links", "client",
                "client_url"), "", wrong);
        String key = text(body, "routing_key", "", wrong, true);
        if (key != null && key.length() != 32) {
            wrong.add("routing_key: must be 32 characters");
        }
        String action = text(body, "event_action", "", wrong, true);
        if (action != null && !Set.of("trigger", "acknowledge", "resolve").contains(action)) {
            wrong.add("event_action: not trigger, acknowledge or resolve");
        }
        String dedup = text(body, "dedup_key", "", wrong, !"trigger".equals(action));
        if (dedup != null && (dedup.isEmpty() || dedup.length() > 255)) {
            wrong.add("dedup_key: 1 to 255 characters");
        }
        JsonNode payload = body.get("payload");
        if ("trigger".equals(action) && payload == null) {
            wrong.add("payload: required for trigger");
        }
        if (payload != null) {
            if (!payload.isObject()) {
                wrong.add("payload: not an object");
            } else {
                onlyFields(payload, Set.of("summary", "source", "severity", "timestamp", "component", "group",
                        "class", "custom_details"), "payload.", wrong);
                String summary = text(payload, "summary", "payload.", wrong, true);
                if (summary != null && (summary.isEmpty() || summary.length() > 1024)) {
                    wrong.add("payload.summary: 1 to 1024 characters");
                }
                String source = text(payload, "source", "payload.", wrong, true);
                if (source != null && source.isEmpty()) {
                    wrong.add("payload.source: empty");
                }
                String severity = text(payload, "severity", "payload.", wrong, true);
                if (severity != null && !SEVERITIES.contains(severity)) {
                    wrong.add("payload.severity: not critical, error, warning or info");
                }
                dateTime(payload, "timestamp", "payload.", wrong);
                for (String f : List.of("component", "group", "class")) {
                    text(payload, f, "payload.", wrong, false);
                }
                if (payload.has("custom_details") && !payload.get("custom_details").isObject()) {
                    wrong.add("payload.custom_details: not an object");
                }
            }
        }
        objects(body, "images", Set.of("src", "href", "alt"), "src", wrong);
        objects(body, "links", Set.of("href", "text"), "href", wrong);
        text(body, "client", "", wrong, false);
        if (body.has("client_url")) {
            uri(body.get("client_url"), "client_url", wrong);
        }
        return wrong;
    }

    static List<String> slack(JsonNode body) {
        List<String> wrong = new ArrayList<>();
        if (!body.isObject()) {
            wrong.add("body: not an object");
            return wrong;
        }
        onlyFields(body, Set.of("text", "blocks", "attachments", "thread_ts", "mrkdwn", "username", "icon_emoji",
                "icon_url", "channel", "unfurl_links", "unfurl_media"), "", wrong);
        String text = text(body, "text", "", wrong, !body.has("blocks"));
        if (text != null && (text.isBlank() || text.length() > 40_000)) {
            wrong.add("text: 1 to 40000 characters");
        }
        return wrong;
    }

    private static void onlyFields(JsonNode o, Set<String> allowed, String at, List<String> wrong) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                wrong.add(at + f + ": not a field of this schema");
            }
        }
    }

    private static void labelSet(JsonNode set, String at, List<String> wrong) {
        if (!set.isObject()) {
            wrong.add(at + ": not an object");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!LABEL_NAME.matcher(e.getKey()).matches()) {
                wrong.add(at + ": invalid name " + e.getKey());
            }
            if (!e.getValue().isTextual()) {
                wrong.add(at + "." + e.getKey() + ": not a string");
            } else if (e.getValue().asText().isEmpty()) {
                wrong.add(at + "." + e.getKey() + ": empty value");
            }
        }
    }

    private static OffsetDateTime dateTime(JsonNode o, String field, String at, List<String> wrong) {
        if (!o.has(field)) {
            return null;
        }
        if (!o.get(field).isTextual()) {
            wrong.add(at + field + ": not a string");
            return null;
        }
        try {
            return OffsetDateTime.parse(o.get(field).asText());
        } catch (DateTimeParseException e) {
            wrong.add(at + field + ": not an RFC 3339 date-time: " + o.get(field).asText());
            return null;
        }
    }

    private static void uri(JsonNode v, String at, List<String> wrong) {
        try {
            if (!v.isTextual() || !URI.create(v.asText()).isAbsolute()) {
                wrong.add(at + ": not an absolute URI");
            }
        } catch (IllegalArgumentException e) {
            wrong.add(at + ": not a URI");
        }
    }

    private static String text(JsonNode o, String field, String at, List<String> wrong, boolean required) {
        JsonNode v = o.get(field);
        if (v == null) {
            if (required) {
                wrong.add(at + field + ": required");
            }
            return null;
        }
        if (!v.isTextual()) {
            wrong.add(at + field + ": not a string");
            return null;
        }
        return v.asText();
    }

    private static void objects(JsonNode body, String field, Set<String> allowed, String required,
                                List<String> wrong) {
        JsonNode list = body.get(field);
        if (list == null) {
            return;
        }
        if (!list.isArray()) {
            wrong.add(field + ": not an array");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String at = field + "[" + i + "].";
            onlyFields(item, allowed, at, wrong);
            text(item, required, at, wrong, true);
            for (String f : allowed) {
                text(item, f, at, wrong, false);
            }
        }
    }
}
