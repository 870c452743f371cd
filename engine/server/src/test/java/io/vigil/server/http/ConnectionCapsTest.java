package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client address cannot hold more than its share of connections (one more is answered 429), and past the total
 * further connections wait until one closes; clients from other addresses are still served. Clients come from other
 * loopback addresses (127.0.0.2, ...) to be told apart.
 */
@Timeout(60)
class ConnectionCapsTest extends ApiFixture {
    static final String GET_LIVE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    void start(int total, int perAddress) {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536)
                .withLimits(HttpLimits.DEFAULTS.withConnections(total, perAddress)), registry, hub);
    }

    @Test
    void oneAddressGetsAtMostItsShare() throws Exception {
        start(100, 4);
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(open("127.0.0.2"));
        }
        awaitConnections(4);
        RawClient fifth = open("127.0.0.2");
        fifth.send(GET_LIVE);
        String refused = fifth.readToEnd();
        assertThat(refused).startsWith("HTTP/1.1 429").contains("server.maxConnectionsPerAddress");
        // another address is served meanwhile, and so is the first one once a connection of its own closes
        RawClient other = open("127.0.0.3");
        other.send(GET_LIVE);
        assertThat(other.readResponse()).startsWith("HTTP/1.1 200");
        held.getFirst().close();
        awaitConnections(4);
        RawClient again = open("127.0.0.2");
        again.send(GET_LIVE);
        assertThat(again.readResponse()).startsWith("HTTP/1.1 200");
        PrometheusParser.Parsed metrics = PrometheusParser.parse(metrics("127.0.0.4"));
        assertThat(metrics.value("vigil_http_connections_cut_total{reason=per_address_limit}")).isEqualTo(1);
    }

    @Test
    void pastTheTotalConnectionsWaitUntilOneCloses() throws Exception {
        start(7, 64);
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            held.add(open("127.0.0.2"));
        }
        awaitConnections(6);
        held.add(open("127.0.0.2"));
        RawClient waiting = open("127.0.0.3");
        waiting.send(GET_LIVE);
        waiting.socket.setSoTimeout(1000);
        assertThatThrownBy(waiting::readResponse).as("not answered while 7 are open")
                .isInstanceOf(SocketTimeoutException.class);
        held.get(0).close();
        held.get(1).close();
        waiting.socket.setSoTimeout(5000);
        assertThat(waiting.readResponse()).startsWith("HTTP/1.1 200");
    }

    /** Waits until the server counts {@code n} open connections besides the one asking. */
    void awaitConnections(int n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        double seen = -1;
        while (System.nanoTime() < deadline) {
            seen = PrometheusParser.parse(metrics("127.0.0.9")).value("vigil_http_connections{}") - 1;
            if (seen == n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server never counted " + n + " connections (last " + seen + ")");
    }
}
