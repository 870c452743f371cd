package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@code GET /api/events} client: the hub's listener only offers each item to a bounded queue (never blocks the
 * hub); this connection's own virtual thread serialises and writes them. A client that falls {@code capacity} items
 * behind is cut off: its queue stops taking items and its writer is interrupted, which closes the socket even when
 * the writer is stuck in a write to a client that does not read.
 *
 * <p>Each message carries the hub's sequence number as its {@code id}. A client that comes back with the last one it
 * saw ({@code Last-Event-ID}, or {@code ?lastEventId=} for clients that cannot set headers) first gets what the hub's
 * replay window kept after it, then the live feed, with no gap and no duplicate; when some of what it missed is no
 * longer kept (or the id is none this server sent) a {@code gap} event says so before the replay.
 */
final class SseConnection implements Consumer<EventHub.Published> {
    /** A comment line this often keeps proxies (and the idle timeout) from taking a quiet feed for a dead one. */
    static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
    /** The last item of a feed that the server closes. */
    private static final EventHub.Published END = new EventHub.Published(-1, java.time.Instant.EPOCH, "end", true);

    /** The SSE event name of the notice that a reconnecting client missed items the server no longer has. */
    static final String GAP = "gap";

    private final Exchange exchange;
    private final SseFilter filter;
    private final String lastEventId;
    private final BlockingQueue<EventHub.Published> queue;
    private final Runnable onEnd;
    private final Runnable onOverflow;
    private final long keepaliveNanos;
    private volatile boolean closing;
    private volatile boolean overflowed;
    private volatile boolean evicted;
    private volatile Thread writer;
    private EventHub.Subscription subscription;
    /** What the writer sends before the live feed: the replay after {@link #lastEventId}, and its gap notice. */
    private List<EventHub.Published> replay = List.of();
    private String gapNotice;

    /**
     * @param keepaliveNanos how often a quiet feed sends a comment line; below the server's idle timeout
     * @param filter what the client asked for
     * @param lastEventId the id of the last message the client saw, as it sent it; null for a new client
     */
    SseConnection(Exchange exchange, int capacity, long keepaliveNanos, SseFilter filter, String lastEventId,
                  Runnable onEnd, Runnable onOverflow) {
        this.exchange = exchange;
        this.filter = filter;
        this.lastEventId = lastEventId;
        this.keepaliveNanos = keepaliveNanos;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onEnd = onEnd;
        this.onOverflow = onOverflow;
    }

    /** Subscribes to the hub and starts the writer, whose first write sends the response headers set so far. */
    void start(EventHub hub, String name) {
        long after = -1;
        if (lastEventId != null) {
            try {
                after = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                gapNotice = "Last-Event-ID '" + truncate(lastEventId) + "' is not an id this feed sent: nothing was "
                        + "replayed; the live feed follows.";
            }
        }
        if (after < 0) {
            subscription = hub.subscribe(this);
        } else {
            EventHub.Resumed resumed = hub.resume(after, this);
            subscription = resumed.subscription();
            replay = resumed.missed().stream().filter(filter::test).toList();
            if (resumed.beforeStart()) {
                gapNotice = "Id " + after + " is from before this server started (or from another server): what "
                        + "happened in between is not kept; this run's events follow.";
            } else if (resumed.eventsLost() && filter.wantsEvents() || resumed.statsLost() && filter.wantsStats()) {
                gapNotice = "Some of what followed id " + after + " is no longer kept (the server keeps the last "
                        + EventHub.REPLAY_EVENTS + " events and " + EventHub.REPLAY_STATS + " stats samples): it "
                        + "is missed; what is kept follows.";
            }
        }
        writer = Thread.ofVirtual().name(name).start(this::writeLoop);
    }

    /** The hub's listener: runs under the hub's lock, so it only hands the item over. */
    @Override
    public void accept(EventHub.Published item) {
        if (closing) {
            return;
        }
        if (!(item.payload() instanceof Event || item.payload() instanceof StatsSample) || !filter.test(item)
                || queue.offer(item)) {
            return;
        }
        overflowed = true;
        closing = true;
        onOverflow.run();
        if (subscription != null) {
            subscription.close();
        }
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
            if (gapNotice != null) {
                Map<String, String> gap = new LinkedHashMap<>();
                gap.put("type", GAP);
                gap.put("lastEventId", truncate(lastEventId));
                gap.put("message", gapNotice);
                // No id: the client's last id stays the one it had until a replayed or live item comes.
                exchange.write(("event: " + GAP + "\ndata: " + Json.write(gap) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < replay.size() && !overflowed && !closing; ) {
                text.setLength(0);
                while (i < replay.size() && text.length() < 65536) {
                    append(text, replay.get(i++));
                }
                exchange.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            replay = List.of();
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

    private static String truncate(String id) {
        return id.length() > 64 ? id.substring(0, 64) + "..." : id;
    }

    private static void append(StringBuilder text, EventHub.Published item) {
        String event = item.payload() instanceof Event e ? e.type() : "stats";
        text.append("id: ").append(item.sequence()).append('\n')
                .append("event: ").append(event).append('\n')
                .append("data: ").append(Json.write(item.payload())).append("\n\n");
    }
}
