package io.vigil.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Deadlines for a request's headers and body, counted from their first byte. Jetty's idle timeout alone does not
 * stop a client that sends a byte every few seconds (slowloris): each byte restarts it. Every {@code sweepMillis}
 * this looks at where each connection's HTTP parser stands (Jetty's own, a volatile state) and closes a connection
 * that has been in the same request's headers, or body, for longer than allowed. A bean of the connector: Jetty
 * tells it of every connection opened and closed there.
 *
 * <p>{@link HttpConnection} is in Jetty's {@code internal} package; its parser is the one public way to see how far a
 * request has come before it reaches a handler. RequestDeadlinesTest would show a Jetty upgrade that moves it.
 */
final class RequestDeadlines extends AbstractLifeCycle implements Connection.Listener {
    private enum Phase { IDLE, HEADERS, BODY }

    /** Where one connection's current request stood at the last sweep, and since when. */
    private static final class Watch {
        Phase phase = Phase.IDLE;
        long messagesIn = -1;
        long sinceNanos;
    }

    private final Scheduler scheduler;
    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final long sweepMillis;
    private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();
    private final AtomicLong headerTimeouts = new AtomicLong();
    private final AtomicLong bodyTimeouts = new AtomicLong();
    private volatile Scheduler.Task next;

    RequestDeadlines(Scheduler scheduler, long headerTimeoutMillis, long bodyTimeoutMillis) {
        this.scheduler = scheduler;
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
        this.bodyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMillis);
        // A tenth of the shorter deadline: a connection is cut at most 10 % late.
        this.sweepMillis = Math.clamp(Math.min(headerTimeoutMillis, bodyTimeoutMillis) / 10, 20, 1000);
    }

    /** Connections cut off because their headers took too long. */
    long headerTimeouts() {
        return headerTimeouts.get();
    }

    /** Connections cut off because a request body took too long. */
    long bodyTimeouts() {
        return bodyTimeouts.get();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.put(http, new Watch());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = next;
        if (task != null) {
            task.cancel();
        }
        open.clear();
    }

    private void schedule() {
        if (isRunning() || isStarting()) {
            next = scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            open.forEach((connection, watch) -> check(connection, watch, now));
        } finally {
            schedule();
        }
    }

    private void check(HttpConnection connection, Watch watch, long now) {
        HttpParser parser = connection.getParser();
        Phase phase = parser.inContentState() ? Phase.BODY
                : parser.inHeaderState() && !parser.isStart() ? Phase.HEADERS : Phase.IDLE;
        long messages = connection.getMessagesIn();
        if (phase != watch.phase || messages != watch.messagesIn) {
            watch.phase = phase;
            watch.messagesIn = messages;
            watch.sinceNanos = now;
            return;
        }
        long limit = phase == Phase.HEADERS ? headerTimeoutNanos : bodyTimeoutNanos;
        if (phase == Phase.IDLE || now - watch.sinceNanos <= limit) {
            return;
        }
        (phase == Phase.HEADERS ? headerTimeouts : bodyTimeouts).incrementAndGet();
        open.remove(connection);
        connection.getEndPoint().close(new TimeoutException(phase == Phase.HEADERS
                ? "request headers took too long" : "request body took too long"));
    }
}
