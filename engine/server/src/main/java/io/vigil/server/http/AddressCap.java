package io.vigil.server.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

/**
 * At most {@code max} connections open at once from one client address (the TCP peer's: a proxy in front counts as
 * one client). One more is answered 429 and closed before a byte of it is read: a single host cannot take the
 * slots of the whole server ({@code maxConnections}). A bean of the connector, told of every connection opened and
 * closed there.
 */
final class AddressCap implements Connection.Listener {
    private final int max;
    private final byte[] refusal;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    /** Each open connection's address, kept: a closed socket no longer tells its peer. */
    private final Map<Connection, InetAddress> addresses = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    AddressCap(int max) {
        this.max = max;
        String body = Json.write(Map.of("error", "This client address already has " + max
                + " connections open here, the most one address may (server.maxConnectionsPerAddress)."));
        this.refusal = ("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Connections refused because their address had {@code max} open already. */
    long refused() {
        return refused.get();
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress address = address(connection.getEndPoint());
        if (address == null) {
            return;
        }
        addresses.put(connection, address);
        int count = open.merge(address, 1, Integer::sum);
        if (count <= max) {
            return;
        }
        refused.incrementAndGet();
        EndPoint endPoint = connection.getEndPoint();
        try {
            // A fresh socket's send buffer takes these few hundred bytes at once: no wait, no pending write.
            endPoint.flush(ByteBuffer.wrap(refusal));
        } catch (IOException e) {
            // the client is gone already
        }
        endPoint.close();
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress address = addresses.remove(connection);
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
        }
    }

    private static InetAddress address(EndPoint endPoint) {
        SocketAddress remote = endPoint.getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
