package io.vigil.server.http;

import io.vigil.server.EventHub;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the API's guard tests share: an {@link ApiServer} over {@link TinyRegistry}, the raw connections a test opens
 * (closed after it), and /metrics read over a connection of its own.
 */
abstract class ApiFixture {
    final TinyRegistry registry = new TinyRegistry();
    final EventHub hub = new EventHub(100);
    final List<RawClient> clients = new ArrayList<>();
    ApiServer server;

    @AfterEach
    void stopServerAndClients() throws IOException {
        if (server != null) {
            server.close();
        }
        for (RawClient c : clients) {
            c.close();
        }
    }

    /** A connection to the main port from {@code from} (null: 127.0.0.1), closed after the test. */
    RawClient open(String from) throws IOException {
        RawClient c = RawClient.connect(server.port(), from);
        clients.add(c);
        return c;
    }

    /** The text of /metrics, asked from {@code from} (null: 127.0.0.1). */
    String metrics(String from) throws IOException {
        try (RawClient c = RawClient.connect(server.port(), from)) {
            c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            String all = c.readToEnd();
            return all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }
}
