package io.vigil.server.delivery.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;

/**
 * One spooled alarm event read back from its contract JSON. Read by field name, not through the record, so that
 * fields the contract adds (clip, node, role) reach the products' bodies as soon as the events carry them.
 */
record AlarmView(ObjectNode json) {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static AlarmView parse(byte[] contractJson) {
        try {
            JsonNode node = MAPPER.readTree(contractJson);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("a spooled event is not a JSON object");
            }
            return new AlarmView(object);
        } catch (IOException e) {
            throw new UncheckedIOException("a spooled event is not JSON: " + e.getMessage(), e);
        }
    }

    /** A text field, or null when absent or not text. */
    String text(String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : null;
    }

    boolean firing() {
        return !"resolved".equals(text("status"));
    }

    String stream() {
        return orElse(text("stream"), "unknown");
    }

    String detector() {
        return orElse(text("detector"), "unknown");
    }

    String dedupKey() {
        return orElse(text("dedupKey"), stream() + "/" + detector());
    }

    /** The contract's severity (the PagerDuty scale); {@code error} for anything else. */
    String severity() {
        String s = text("severity");
        return s != null && switch (s) {
            case "critical", "error", "warning", "info" -> true;
            default -> false;
        } ? s : "error";
    }

    /**
     * What the alarm is about in a few words: detector, channel, TR 101 290 check and PID when present
     * ("silence channel 1", "tr101290 Continuity_count_error PID 256").
     */
    String subject() {
        StringBuilder s = new StringBuilder(detector());
        if (text("check") != null) {
            s.append(' ').append(text("check"));
        }
        if (text("channel") != null) {
            s.append(" channel ").append(text("channel"));
        }
        if (text("pid") != null) {
            s.append(" PID ").append(text("pid"));
        }
        return s.toString();
    }

    /** The detector's sentence for a firing alarm; for a resolved one (which carries none) how long it lasted. */
    String summary() {
        String s = text("summary");
        if (s != null && !s.isBlank()) {
            return s;
        }
        String duration = text("duration");
        return firing() ? subject() + " firing" : subject() + " resolved" + (duration == null ? ""
                : " after " + duration + " s");
    }

    String severityUpper() {
        return severity().toUpperCase(Locale.ROOT);
    }

    private static String orElse(String v, String fallback) {
        return v == null || v.isEmpty() ? fallback : v;
    }

    /**
     * An absolute http(s) URL for a field that holds one (thumbnail, clip): as given when absolute, resolved against
     * {@code publicUrl} when a path of the API ("/api/..."), else null (a file path on vigil's host links nowhere).
     */
    String url(String field, URI publicUrl) {
        String v = text(field);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (u.isAbsolute()) {
                return "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()) ? v : null;
            }
            if (publicUrl != null && v.startsWith("/api/")) {
                return Links.join(publicUrl, v);
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
