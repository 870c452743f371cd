package io.vigil.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.StreamStatus;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The API's JSON: a plain Jackson mapper as {@link JsonLinesSink} uses, so that contract objects come out byte for
 * byte as the JSON-lines log writes them; it only adds {@link Instant} as the contract writes its wall times (ISO 8601
 * UTC with milliseconds, {@code 2026-11-26T10:00:11.000Z}: one precision in every event and answer) and lower-case
 * stream states, neither of which occurs in a contract object.
 */
final class Json {
    /** The contract's wall-clock form (AlarmTracker writes wallStart and wallEnd so). */
    static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new SimpleModule("vigil-api")
            .addSerializer(Instant.class, new JsonSerializer<>() {
                @Override
                public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
                        throws IOException {
                    gen.writeString(WALL.format(value));
                }
            })
            .addSerializer(StreamStatus.State.class, new JsonSerializer<>() {
                @Override
                public void serialize(StreamStatus.State value, JsonGenerator gen, SerializerProvider provider)
                        throws IOException {
                    gen.writeString(value.name().toLowerCase(Locale.ROOT));
                }
            }));

    private Json() {
    }

    /** One object as compact JSON; contract events go through the JSON-lines sink itself. */
    static String write(Object value) {
        if (value instanceof Event event) {
            return JsonLinesSink.toJson(event);
        }
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
