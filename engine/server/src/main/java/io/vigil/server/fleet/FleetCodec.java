package io.vigil.server.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.StreamSpec;
import java.nio.charset.StandardCharsets;

/**
 * The JSON of the fleet's records: contract events exactly as the JSON-lines log writes them, stream specs and
 * statuses as plain objects. A record that does not parse is reported to the caller as null (and logged there), never
 * thrown: one bad record in a topic must not stop a node.
 */
final class FleetCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private FleetCodec() {
    }

    static byte[] event(Event event) {
        return JsonLinesSink.toJson(event).getBytes(StandardCharsets.UTF_8);
    }

    /** A contract event, or null when {@code bytes} is not one. */
    static Event event(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            String type = node.path("type").asText("");
            return switch (type) {
                case "alarm" -> MAPPER.treeToValue(node, Event.Alarm.class);
                case "summary" -> MAPPER.treeToValue(node, Event.Summary.class);
                case "error" -> MAPPER.treeToValue(node, Event.Error.class);
                case "warning" -> MAPPER.treeToValue(node, Event.Warning.class);
                case "marker" -> MAPPER.treeToValue(node, Event.Marker.class);
                case "ack" -> MAPPER.treeToValue(node, Event.Ack.class);
                case "mute" -> MAPPER.treeToValue(node, Event.Mute.class);
                default -> null;
            };
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** A stream spec, or null when {@code bytes} is not one. */
    static StreamSpec spec(byte[] bytes) {
        return read(bytes, StreamSpec.class);
    }

    /** A remote status, or null when {@code bytes} is not one. */
    static RemoteStatus status(byte[] bytes) {
        return read(bytes, RemoteStatus.class);
    }

    /** A node beat, or null when {@code bytes} is not one. */
    static NodeBeat beat(byte[] bytes) {
        return read(bytes, NodeBeat.class);
    }

    /** A line of the crash record, or null when {@code bytes} is not one. */
    static FleetCrashRecord.Entry crashLine(byte[] bytes) {
        return read(bytes, FleetCrashRecord.Entry.class);
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
