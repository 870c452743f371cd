package io.vigil.server.delivery.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;

/**
 * A Slack incoming-webhook message: {@code {"text": ...}}, one line in Slack's mrkdwn, e.g.
 * {@code :red_circle: *CRITICAL* `news1` black: picture black for 2.0 s · since 2026-11-26T10:00:10.000Z · <url|thumbnail>}
 * and {@code :white_check_mark: *RESOLVED* `news1` black (critical) after 4.033 s · ...}. No blocks: an image block
 * whose picture Slack cannot fetch makes Slack refuse the whole message, and a link shows the picture anyway.
 */
final class SlackBody {
    /** Slack truncates a message's text beyond this many characters. */
    static final int MAX_TEXT = 40_000;

    private SlackBody() {
    }

    static byte[] render(AlarmView a, URI publicUrl) {
        StringBuilder line = new StringBuilder();
        if (a.firing()) {
            line.append(emoji(a.severity())).append(" *").append(a.severityUpper()).append("* `")
                    .append(escape(a.stream())).append("` ").append(escape(a.subject())).append(": ")
                    .append(escape(a.summary()));
            String wallStart = a.text("wallStart");
            if (wallStart != null) {
                line.append(" · since ").append(wallStart);
            }
        } else {
            line.append(":white_check_mark: *RESOLVED* `").append(escape(a.stream())).append("` ")
                    .append(escape(a.subject())).append(" (").append(a.severity()).append(')');
            String duration = a.text("duration");
            if (duration != null) {
                line.append(" after ").append(duration).append(" s");
            }
            String wallStart = a.text("wallStart");
            String wallEnd = a.text("wallEnd");
            if (wallStart != null && wallEnd != null) {
                line.append(" · ").append(wallStart).append(" to ").append(wallEnd);
            }
        }
        link(line, a.url("thumbnail", publicUrl), "thumbnail");
        link(line, a.url("clip", publicUrl), "clip");
        link(line, Links.dashboard(publicUrl, a.stream()), "dashboard");
        ObjectNode message = AlarmView.MAPPER.createObjectNode();
        message.put("text", Bodies.cut(line.toString(), MAX_TEXT));
        return Bodies.bytes(message);
    }

    private static void link(StringBuilder line, String url, String label) {
        if (url != null) {
            // Slack's link syntax ends at '|' or '>': a URL here has neither (AlarmView.url passes parsed URIs only).
            line.append(" · <").append(url).append('|').append(label).append('>');
        }
    }

    static String emoji(String severity) {
        return switch (severity) {
            case "critical" -> ":red_circle:";
            case "error" -> ":large_orange_circle:";
            case "warning" -> ":large_yellow_circle:";
            default -> ":large_blue_circle:";
        };
    }

    /** Slack's mrkdwn escapes: &, < and > (everything else is text). */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
