package io.vigil.server.delivery;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.sink.JsonLinesSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The serve config's {@code sinks.jsonl}: every contract event (alarm, summary, error) appended to one file, one JSON
 * object per line, exactly as {@code analyze --format jsonl} writes them. Each line goes to the OS in one write as it
 * happens (it survives a crash of vigil; no fsync, so not a power loss). The file is opened in append mode, so that
 * logrotate's {@code copytruncate} rotates it safely. Thread-safe; never throws from {@link #accept}.
 */
public final class JsonLinesFileSink implements EventSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JsonLinesFileSink.class.getName());

    private final Path file;
    private final FileChannel channel;
    private long written;
    private long failed;
    private boolean failing;
    private boolean closed;

    /** Opens {@code file} for appending, making its folder if missing. */
    public JsonLinesFileSink(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the JSON-lines log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void accept(Event event) {
        if (closed) {
            failed++;
            return;
        }
        ByteBuffer line = ByteBuffer.wrap((JsonLinesSink.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            written++;
            failing = false;
        } catch (IOException e) {
            failed++;
            if (!failing) { // once per burst: a full disk must not flood the log
                failing = true;
                LOG.log(System.Logger.Level.ERROR, "cannot append to the JSON-lines log " + file + ": "
                        + e.getMessage());
            }
        }
    }

    /** Lines written. */
    public synchronized long written() {
        return written;
    }

    /** Events that could not be written (I/O errors, or accepted after close). */
    public synchronized long failed() {
        return failed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the JSON-lines log " + file + ": " + e.getMessage());
        }
    }
}
