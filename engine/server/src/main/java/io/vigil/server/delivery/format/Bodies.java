package io.vigil.server.delivery.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/** What the products' bodies share: JSON bytes and the one-paragraph account of an alarm. */
final class Bodies {
    private Bodies() {
    }

    static byte[] bytes(JsonNode node) {
        try {
            return AlarmView.MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a webhook body", e);
        }
    }

    /**
     * "black on news1 (critical): picture black for 2.0 s. Since 2026-11-26T10:00:10.000Z (media 10.0 s)." and for a
     * resolved one the end and how long it lasted.
     */
    static String description(AlarmView a) {
        StringBuilder s = new StringBuilder();
        s.append(a.subject()).append(" on ").append(a.stream()).append(" (").append(a.severity()).append(')');
        s.append(a.firing() ? " firing: " : " resolved: ").append(a.summary()).append('.');
        String wallStart = a.text("wallStart");
        String start = a.text("start");
        if (wallStart != null || start != null) {
            s.append(" Since ").append(wallStart != null ? wallStart : "media " + start + " s");
            if (wallStart != null && start != null) {
                s.append(" (media ").append(start).append(" s)");
            }
            s.append('.');
        }
        if (!a.firing()) {
            String wallEnd = a.text("wallEnd");
            String duration = a.text("duration");
            if (wallEnd != null) {
                s.append(" Until ").append(wallEnd).append('.');
            }
            if (duration != null) {
                s.append(" Lasted ").append(duration).append(" s.");
            }
        }
        String cause = a.text("cause");
        if (cause != null) {
            s.append(" Caused by ").append(cause).append('.');
        }
        return s.toString();
    }

    /** {@code text} cut to {@code max} characters (code points kept whole), with "…" when cut. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isLowSurrogate(text.charAt(end)) && end > 0) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
