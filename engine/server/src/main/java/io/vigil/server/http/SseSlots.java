package io.vigil.server.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Who gets one of the {@code max} places on {@code /api/events}. Where a token is configured and reads are public,
 * clients without a token take at most {@code maxWithoutToken} of them, and a client with a token (or a dashboard
 * session) always gets one: when all are taken, the oldest client without a token makes way. So idle connections
 * from strangers cannot lock the operators' dashboards out. Without a token configured nobody can prove anything,
 * and every client counts alike.
 */
final class SseSlots {
    /** The answer to a client asking for a place. */
    record Admission(boolean admitted, SseConnection evicted, String refusal) {
    }

    private final int max;
    private final int maxWithoutToken;
    private final Deque<SseConnection> withoutToken = new ArrayDeque<>();
    private final Deque<SseConnection> withToken = new ArrayDeque<>();
    private long evictions;

    SseSlots(int max, int maxWithoutToken) {
        this.max = max;
        this.maxWithoutToken = maxWithoutToken;
    }

    /**
     * Takes a place for {@code connection}, or says why not (one sentence). {@code proven}: the client showed a
     * token or a session; {@code shares}: a token is configured, so the share for clients without one applies. The
     * connection evicted to make way, if any, is the caller's to close.
     */
    synchronized Admission admit(SseConnection connection, boolean proven, boolean shares) {
        int taken = withToken.size() + withoutToken.size();
        if (!proven && shares && withoutToken.size() >= maxWithoutToken) {
            return new Admission(false, null, "There are already " + withoutToken.size()
                    + " clients without a token on /api/events, the most this server lets in"
                    + " (server.maxSseClientsWithoutToken).");
        }
        SseConnection evicted = null;
        if (taken >= max) {
            if (!(proven && shares) || withoutToken.isEmpty()) {
                return new Admission(false, null, "There are already " + taken + " clients on /api/events, the most"
                        + " this server takes (server.maxSseClients).");
            }
            evicted = withoutToken.removeFirst();
            evictions++;
        }
        (proven && shares ? withToken : withoutToken).addLast(connection);
        return new Admission(true, evicted, null);
    }

    /** Gives the place back (the feed ended); idempotent. */
    synchronized void release(SseConnection connection) {
        if (!withToken.remove(connection)) {
            withoutToken.remove(connection);
        }
    }

    synchronized int size() {
        return withToken.size() + withoutToken.size();
    }

    /** Clients cut off to make way for one with a token. */
    synchronized long evictions() {
        return evictions;
    }

    synchronized List<SseConnection> all() {
        List<SseConnection> out = new ArrayList<>(withToken);
        out.addAll(withoutToken);
        return out;
    }
}
