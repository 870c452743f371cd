package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow clients are cut off: headers sent a byte at a time (each byte would restart a plain idle timeout), a body
 * sent a byte at a time, and a kept-alive connection left silent. Deadlines of 1 s here (10 s by default).
 */
@Timeout(60)
class RequestDeadlinesTest extends ApiFixture {
    void start(HttpLimits limits) {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536).withLimits(limits), registry, hub);
    }

    /** Sends {@code start}, then {@code trickle} a byte every 100 ms on its own thread; seconds until cut off. */
    double trickle(String start, String trickle) throws Exception {
        try (RawClient c = RawClient.connect(server.port(), null)) {
            c.send(start);
            AtomicReference<IOException> writeFailed = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (char ch : trickle.toCharArray()) {
                        Thread.sleep(100);
                        c.send(String.valueOf(ch));
                    }
                } catch (IOException e) {
                    writeFailed.set(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            double seconds = c.secondsUntilClosed(8);
            writer.interrupt();
            writer.join(2000);
            return seconds;
        }
    }

    @Test
    void headersSentAByteAtATimeAreCutOffAtTheDeadline() throws Exception {
        start(HttpLimits.DEFAULTS.withTimeouts(1, 30, 30));
        double seconds = trickle("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: " + "a".repeat(200));
        System.out.printf("slow headers cut off after %.2f s (deadline 1 s)%n", seconds);
        assertThat(seconds).as("cut off, and not before the deadline").isBetween(0.9, 4.0);
        assertThat(PrometheusParser.parse(metrics(null)).value(
                "vigil_http_connections_cut_total{reason=header_timeout}")).isEqualTo(1);
    }

    @Test
    void aBodySentAByteAtATimeIsCutOffAtTheDeadline() throws Exception {
        start(HttpLimits.DEFAULTS.withTimeouts(30, 1, 30));
        String body = "{\"id\":\"a\",\"url\":\"udp://h:1\",\"x\":\"" + "a".repeat(150) + "\"}";
        double seconds = trickle("POST /api/streams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n", body);
        System.out.printf("slow body cut off after %.2f s (deadline 1 s)%n", seconds);
        assertThat(seconds).as("cut off, and not before the deadline").isBetween(0.9, 4.0);
        assertThat(registry.list()).isEmpty();
        assertThat(PrometheusParser.parse(metrics(null)).value(
                "vigil_http_connections_cut_total{reason=body_timeout}")).isEqualTo(1);
    }

    @Test
    void aSilentKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(HttpLimits.DEFAULTS.withTimeouts(30, 30, 1));
        try (RawClient c = RawClient.connect(server.port(), null)) {
            c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200").endsWith("{\"status\":\"live\"}");
            double seconds = c.secondsUntilClosed(8);
            System.out.printf("silent connection closed after %.2f s (idle timeout 1 s)%n", seconds);
            assertThat(seconds).as("idle counts from the answer, before this wait began").isBetween(0.3, 4.0);
        }
    }

    @Test
    void requestsWithinTheDeadlinesAreServedOnOneConnection() throws Exception {
        start(HttpLimits.DEFAULTS.withTimeouts(1, 1, 30));
        try (RawClient c = RawClient.connect(server.port(), null)) {
            for (int i = 0; i < 5; i++) {
                c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
                Thread.sleep(400);
            }
        }
    }
}
