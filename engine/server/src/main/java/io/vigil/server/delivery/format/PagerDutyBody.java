package io.vigil.server.delivery.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A PagerDuty Events API v2 event ({@code POST https://events.pagerduty.com/v2/enqueue}): {@code event_action}
 * trigger for a firing alarm, resolve for a resolved one, paired by {@code dedup_key} = the alarm's dedupKey. A
 * trigger's {@code payload}: {@code summary} (stream and the detector's sentence, at most 1024 characters),
 * {@code source} (the stream), {@code severity}, {@code timestamp} (wallStart), {@code component} (the detector),
 * {@code group} (the fleet role when there is one), {@code class} (what the alarm is about: detector, channel,
 * check), {@code custom_details} (the whole contract object). {@code links}: the dashboard page of the stream and
 * the clip; {@code images}: the thumbnail when served over https (PagerDuty shows https images only, else a link).
 */
final class PagerDutyBody {
    static final int MAX_SUMMARY = 1024;
    static final int MAX_DEDUP_KEY = 255;

    private PagerDutyBody() {
    }

    static byte[] render(AlarmView a, String routingKey, URI publicUrl) {
        ObjectNode event = AlarmView.MAPPER.createObjectNode();
        event.put("routing_key", routingKey);
        event.put("event_action", a.firing() ? "trigger" : "resolve");
        event.put("dedup_key", dedupKey(a.dedupKey()));
        if (a.firing()) {
            ObjectNode payload = event.putObject("payload");
            payload.put("summary", Bodies.cut(a.stream() + ": " + a.summary(), MAX_SUMMARY));
            payload.put("source", a.stream());
            payload.put("severity", a.severity());
            String wallStart = a.text("wallStart");
            if (wallStart != null) {
                payload.put("timestamp", wallStart);
            }
            payload.put("component", a.detector());
            String role = a.text("role");
            if (role != null) {
                payload.put("group", role);
            }
            payload.put("class", a.subject());
            payload.set("custom_details", a.json().deepCopy());
            ArrayNode links = AlarmView.MAPPER.createArrayNode();
            ArrayNode images = AlarmView.MAPPER.createArrayNode();
            String dashboard = Links.dashboard(publicUrl, a.stream());
            if (dashboard != null) {
                links.addObject().put("href", dashboard).put("text", "vigil dashboard: " + a.stream());
            }
            String clip = a.url("clip", publicUrl);
            if (clip != null) {
                links.addObject().put("href", clip).put("text", "Clip around the alarm");
            }
            String thumbnail = a.url("thumbnail", publicUrl);
            if (thumbnail != null && thumbnail.regionMatches(true, 0, "https:", 0, 6)) {
                images.addObject().put("src", thumbnail).put("href", thumbnail).put("alt", "Frame where the alarm began");
            } else if (thumbnail != null) {
                links.addObject().put("href", thumbnail).put("text", "Frame where the alarm began");
            }
            if (!links.isEmpty()) {
                event.set("links", links);
            }
            if (!images.isEmpty()) {
                event.set("images", images);
            }
            event.put("client", "vigil");
            if (dashboard != null) {
                event.put("client_url", dashboard);
            }
        }
        return Bodies.bytes(event);
    }

    /** The dedupKey, or past PagerDuty's 255 characters its start and a hash of the whole (still one per alarm). */
    static String dedupKey(String key) {
        if (key.length() <= MAX_DEDUP_KEY) {
            return key;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(h, 0, 16);
            return key.substring(0, MAX_DEDUP_KEY - hash.length() - 1) + "#" + hash;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
