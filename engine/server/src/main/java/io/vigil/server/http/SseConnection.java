package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@code GET /api/events} client: the hub's listener only offers each item to a bounded queue (never blocks the
 * hub); this connection's own virtual thread serialises and writes them. A client that falls {@code capacity} items
 * behind is cut off: its queue stops taking items and its writer is interrupted, which closes the socket even when
 * the writer is stuck in a write to a client that does not read.
 */
final class SseConnection implements Consumer<EventHub.Published> {
    /** A comment line this often keeps proxies (and the idle timeout) from taking a quiet feed for a dead one. */
    static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
    /** The last item of a feed that the server closes. */
    private static final EventHub.Published END = new EventHub.Published(-1, java.time.Instant.EPOCH, "end", true);

    private final Exchange exchange;
    private final BlockingQueue<EventHub.Published> queue;
    private final Runnable onEnd;
    private final Runnable onOverflow;
    private final long keepaliveNanos;
    private volatile boolean closing;
    private volatile boolean overflowed;
    private volatile boolean evicted;
    private volatile Thread writer;
    private EventHub.Subscription subscription;

    /**
     * @param keepaliveNanos how often a quiet feed sends a comment line; below the server's idle timeout
     */
    SseConnection(Exchange exchange, int capacity, long keepaliveNanos, Runnable onEnd, Runnable onOverflow) {
        this.exchange = exchange;
        this.keepaliveNanos = keepaliveNanos;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onEnd = onEnd;
        this.onOverflow = onOverflow;
    }

    /** Subscribes to the hub and starts the writer, whose first write sends the response headers set so far. */
    void start(EventHub hub, String name) {
        subscription = hub.subscribe(this);
        writer = Thread.ofVirtual().name(name).start(this::writeLoop);
    }

    /** The hub's listener: runs under the hub's lock, so it only hands the item over. */
    @Override
    public void accept(EventHub.Published item) {
        if (closing) {
            return;
        }
        if (!(item.payload() instanceof Event || item.payload() instanceof StatsSample) || queue.offer(item)) {
            return;
        }
        overflowed = true;
        closing = true;
        onOverflow.run();
        subscription.close();
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
    }

    /**
     * Ends this connection (server shutdown); idempotent. The writer is woken by a last item rather than an
     * interrupt, which could land in the write of the final chunk and close the socket before it; only a writer
     * whose queue is full (perhaps stuck in a write) is interrupted.
     */
    void close() {
        closing = true;
        if (subscription != null) {
            subscription.close();
        }
        if (!queue.offer(END)) {
            overflowed = true;
            Thread w = writer;
            if (w != null) {
                w.interrupt();
            }
        }
    }

    /**
     * Ends this connection to make way for another client: its feed ends and the connection closes (the client's
     * EventSource tries again later, and may find no place).
     */
    void evict() {
        evicted = true;
        close();
    }

    /** Waits up to {@code millis} for the writer to end the response cleanly (after {@link #close}). */
    void awaitEnd(long millis) throws InterruptedException {
        Thread w = writer;
        if (w != null) {
            w.join(millis);
        }
    }

    private void writeLoop() {
        StringBuilder text = new StringBuilder(4096);
        boolean clean = false;
        try {
            exchange.write("retry: 3000\n\n".getBytes(StandardCharsets.US_ASCII));
            boolean end = false;
            while (!end && !overflowed && !(closing && queue.isEmpty())) {
                EventHub.Published item = queue.poll(keepaliveNanos, TimeUnit.NANOSECONDS);
                if (item == null) {
                    exchange.write(KEEPALIVE);
                    continue;
                }
                // Everything queued goes out in one write: a burst costs one write, not one per event.
                text.setLength(0);
                while (item != null) {
                    if (item == END) {
                        end = true;
                        break;
                    }
                    append(text, item);
                    item = text.length() < 65536 ? queue.poll() : null;
                }
                if (!text.isEmpty()) {
                    exchange.write(text.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
            clean = !overflowed && !evicted;
        } catch (IOException | InterruptedException e) {
            // The client went away, fell too far behind, or the server is closing: nothing to tell anyone.
        } finally {
            closing = true;
            if (subscription != null) {
                subscription.close();
            }
            try {
                if (clean) {
                    exchange.end();
                } else {
                    exchange.abort(new IOException(evicted ? "SSE client evicted" : "SSE client cut off"));
                }
            } catch (IOException | RuntimeException ignored) {
                // ending a feed whose client is already gone
            }
            onEnd.run();
        }
    }

    private static void append(StringBuilder text, EventHub.Published item) {
        String event = item.payload() instanceof Event e ? e.type() : "stats";
        text.append("id: ").append(item.sequence()).append('\n')
                .append("event: ").append(event).append('\n')
                .append("data: ").append(Json.write(item.payload())).append("\n\n");
    }
}
