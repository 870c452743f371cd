package io.vigil.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.engine.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What {@code vigil bench} measured on this host: how many live streams of one size, frame rate and codec it watched
 * with every detector on before frames dropped, latency passed its bound, or the CPU or the GPU's decoders ran out.
 * The bench writes it ({@code ~/.vigil/capacity.json} by default); a node reads it to take its capacity from it
 * ({@code cluster.maxStreams: measured}).
 *
 * @param streams      the most streams that held (0: not even one)
 * @param size         the streams' picture size, "1920x1080"
 * @param codec        their video codec: h264, hevc or mpeg2
 * @param fps          their frame rate
 * @param backend      where their video statistics ran: cpu or gpu
 * @param host         the host's name
 * @param measuredAt   when the ramp ended
 * @param vigilVersion the vigil that measured, null for a development build
 * @param limitedBy    why the ramp stopped, in one line ("frames dropped at 9 streams"), null when it reached its
 *                     maximum
 */
public record MeasuredCapacity(int streams, String size, String codec, int fps, String backend, String host,
                               Instant measuredAt, String vigilVersion, String limitedBy) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code ~/.vigil/capacity.json}: where the bench writes and a node reads by default. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".vigil", "capacity.json");
    }

    /**
     * Reads {@code file}. Throws {@link ConfigException} with one sentence naming the file when it is missing,
     * unreadable, not JSON, or lacks a field or has one of the wrong kind.
     */
    public static MeasuredCapacity read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("No measured capacity at " + file + ": run 'vigil bench' on this host first"
                    + " (it writes that file), or give cluster.maxStreams as a number.");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + " is not JSON (" + e.getOriginalMessage() + "): run 'vigil bench' again"
                    + " to rewrite it.");
        } catch (IOException e) {
            throw new ConfigException("Cannot read the measured capacity " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw malformed(file, "it is not a JSON object");
        }
        int streams = integer(file, root, "streams");
        int fps = integer(file, root, "fps");
        Instant measuredAt;
        try {
            measuredAt = Instant.parse(text(file, root, "measuredAt"));
        } catch (DateTimeParseException e) {
            throw malformed(file, "measuredAt is not an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
        return new MeasuredCapacity(streams, text(file, root, "size"), text(file, root, "codec"), fps,
                text(file, root, "backend"), text(file, root, "host"), measuredAt, optionalText(file, root,
                "vigilVersion"), optionalText(file, root, "limitedBy"));
    }

    /** This as the JSON object the file holds (absent fields left out); the bench adds its steps to it. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("streams", streams);
        o.put("size", size);
        o.put("codec", codec);
        o.put("fps", fps);
        o.put("backend", backend);
        o.put("host", host);
        o.put("measuredAt", measuredAt.toString());
        if (vigilVersion != null) {
            o.put("vigilVersion", vigilVersion);
        }
        if (limitedBy != null) {
            o.put("limitedBy", limitedBy);
        }
        return o;
    }

    /** Writes this to {@code file} (its folder made if need be), replacing what was there in one step. */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, ".capacity", ".part");
            try {
                Files.writeString(part, JSON.writeValueAsString(toJson()) + "\n");
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the measured capacity to " + file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file, JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
            throw malformed(file, n == null ? field + " is missing" : field + " is not a whole number >= 0");
        }
        return n.intValue();
    }

    private static String text(Path file, JsonNode root, String field) {
        String s = optionalText(file, root, field);
        if (s == null || s.isBlank()) {
            throw malformed(file, field + " is missing");
        }
        return s;
    }

    private static String optionalText(Path file, JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw malformed(file, field + " is not a string");
        }
        return n.textValue();
    }

    private static ConfigException malformed(Path file, String what) {
        return new ConfigException(file + " is not a capacity written by 'vigil bench': " + what
                + "; run 'vigil bench' again to rewrite it.");
    }
}
