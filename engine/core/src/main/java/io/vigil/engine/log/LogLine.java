package io.vigil.engine.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log record as one line: text ({@code 2026-12-07T00:20:00.123Z WARN  [cam1] vigil.server: message}) or a JSON
 * object ({@code {"time":...,"level":"WARN","logger":...,"stream":"cam1","message":...,"error":...}}); the stream is
 * the writing thread's ({@link StreamLogContext}), or that of the thread a record names as its first parameter (a
 * line FFmpeg writes on its own threads about a decoder a stream's thread opened), left out where there is none.
 */
public final class LogLine extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final LogFormat format;

    public LogLine(LogFormat format) {
        this.format = format;
    }

    @Override
    public String format(LogRecord record) {
        String time = TIME.format(Instant.ofEpochMilli(record.getInstant().toEpochMilli()));
        String level = levelName(record.getLevel());
        String stream = StreamLogContext.current();
        if (stream == null && record.getParameters() != null && record.getParameters().length > 0
                && record.getParameters()[0] instanceof Thread owner) {
            stream = StreamLogContext.of(owner);   // written on another thread for it: FFmpeg's own threads
        }
        String message = formatMessage(record);
        String error = record.getThrown() == null ? null : describe(record.getThrown());
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        if (format == LogFormat.json) {
            StringBuilder out = new StringBuilder(160).append('{');
            field(out, "time", time).append(',');
            field(out, "level", level).append(',');
            field(out, "logger", logger);
            if (stream != null) {
                field(out.append(','), "stream", stream);
            }
            field(out.append(','), "message", message);
            if (error != null) {
                field(out.append(','), "error", error);
            }
            return out.append("}\n").toString();
        }
        return time + " " + String.format("%-5s", level) + (stream == null ? "" : " [" + stream + "]") + " " + logger
                + ": " + message + (error == null ? "" : " (" + error + ")") + "\n";
    }

    /** JUL's levels by the names log collectors know. */
    public static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getName() + (m == null ? "" : ": " + m.strip().lines().findFirst().orElse(""));
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        out.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
