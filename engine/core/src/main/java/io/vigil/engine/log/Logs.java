package io.vigil.engine.log;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sets up the process's logging once the command line is read: the root logger's one handler, on stderr, writing
 * {@link LogLine}s in the chosen format, at the chosen level. Everything logs to it: vigil's own classes
 * (java.util.logging or System.Logger), Jetty and Kafka (SLF4J, bound to java.util.logging), FFmpeg (its callback).
 */
public final class Logs {
    private Logs() {
    }

    /**
     * Replaces the root logger's handlers with one on {@code err} at {@code level} in {@code format}. Called again
     * (a second flag), it replaces the first.
     */
    public static synchronized void configure(LogFormat format, Level level, PrintStream err) {
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler handler = new StreamHandler(err, new LogLine(format)) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();   // a line as it happens, as the console handler did
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(level);
    }

    /** A {@code --log-level} value: error, warn, info, debug or trace. */
    public static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("'" + name + "' is not a log level: use error, warn, info, debug or trace");
        };
    }
}
