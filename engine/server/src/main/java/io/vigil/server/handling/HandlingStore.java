package io.vigil.server.handling;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.vigil.engine.alarm.Event;
import io.vigil.server.live.StateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * The acknowledgements and mutes of one node, kept in {@code <server.stateDir>/handling.json} beside
 * {@code streams.json} so that a restart keeps them; written whole on every change (a crash leaves the old state or the
 * new one).
 */
public final class HandlingStore {
    private static final Logger LOG = Logger.getLogger(HandlingStore.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new SimpleModule("vigil-handling")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new FromStringDeserializer<>(Instant.class) {
                        @Override
                        protected Instant _deserialize(String value, com.fasterxml.jackson.databind.DeserializationContext ctxt) {
                            return Instant.parse(value);
                        }
                    }))
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What the file holds. */
    public record Saved(List<Event.Ack> acks, List<MuteRule> mutes) {
        public Saved {
            acks = acks == null ? List.of() : List.copyOf(acks);
            mutes = mutes == null ? List.of() : List.copyOf(mutes);
        }

        static final Saved EMPTY = new Saved(List.of(), List.of());
    }

    private final Path file;

    /** A store in {@code stateDir}, which is made when missing. */
    public HandlingStore(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the state folder " + stateDir + ": " + e.getMessage(), e);
        }
        this.file = stateDir.resolve("handling.json");
    }

    public Path file() {
        return file;
    }

    /** What was saved last; nothing when there is no file yet, or (with a warning) when it cannot be read. */
    public Saved load() {
        if (!Files.exists(file)) {
            return Saved.EMPTY;
        }
        try {
            Saved saved = MAPPER.readValue(file.toFile(), Saved.class);
            return saved == null ? Saved.EMPTY : saved;
        } catch (IOException e) {
            LOG.warning("cannot read " + file + " (" + e.getMessage() + "); starting without its acknowledgements and"
                    + " mutes");
            return Saved.EMPTY;
        }
    }

    /** Replaces what is saved; a failure is logged (handling goes on in memory). */
    synchronized void save(Saved state) {
        try {
            StateFile.write(MAPPER.writerWithDefaultPrettyPrinter(), file, state);
        } catch (IOException e) {
            LOG.warning("cannot save the acknowledgements and mutes to " + file + ": " + e.getMessage());
        }
    }
}
