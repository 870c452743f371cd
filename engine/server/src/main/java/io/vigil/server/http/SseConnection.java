package io.vigil.server.http;

import com.sun.net.httpserver.HttpExchange;
import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.io.IOException;
import java.io.OutputStream;
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
    static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
    /** The last item of a feed that the server closes. */
    private static final EventHub.Published END = new EventHub.Published(-1, java.time.Instant.EPOCH, "end", true);

    private final HttpExchange exchange;
    private final BlockingQueue<EventHub.Published> queue;
    private final Runnable onEnd;
    private final Runnable onOverflow;
    private volatile boolean closing;
    private volatile boolean overflowed;
    private volatile Thread writer;
    private EventHub.Subscription subscription;

    SseConnection(HttpExchange exchange, int capacity, Runnable onEnd, Runnable onOverflow) {
        this.exchange = exchange;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onEnd = onEnd;
        this.onOverflow = onOverflow;
    }

    /** Subscribes to the hub and starts the writer; the response headers must have been sent. */
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

    /** Waits up to {@code millis} for the writer to end the response cleanly (after {@link #close}). */
    void awaitEnd(long millis) throws InterruptedException {
        Thread w = writer;
        if (w != null) {
            w.join(millis);
        }
    }

    private void writeLoop() {
        OutputStream out = exchange.getResponseBody();
        StringBuilder text = new StringBuilder(4096);
        try {
            out.write("retry: 3000\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            boolean end = false;
            while (!end && !overflowed && !(closing && queue.isEmpty())) {
                EventHub.Published item = queue.poll(KEEPALIVE_NANOS, TimeUnit.NANOSECONDS);
                if (item == null) {
                    out.write(KEEPALIVE);
                    out.flush();
                    continue;
                }
                // Everything queued goes out in one flush: a burst costs one write, not one per event.
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
                    out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away, fell too far behind, or the server is closing: nothing to tell anyone.
        } finally {
            closing = true;
            if (subscription != null) {
                subscription.close();
            }
            try {
                exchange.close();
            } catch (RuntimeException ignored) {
                // closing a socket that is already gone
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
