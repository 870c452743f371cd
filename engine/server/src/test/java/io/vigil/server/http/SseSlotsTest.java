package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strangers cannot lock the operators out of /api/events. With a token configured and reads public (a wall
 * screen), 1,000 clients without a token (20 addresses) get at most their half of the 256 places; a dashboard
 * that signed in is still served, its feed and its reads; and when every place is taken, one more client with a token still gets one, the oldest client
 * without a token making way (its feed ends).
 */
@Timeout(120)
class SseSlotsTest extends ApiFixture {
    static final String TOKEN = "admin-token-0123456789";
    static final String VIEWER = "viewer-token-0123456789";
    /** Clients without a token, 50 from each address (under the per-address cap of 64). */
    static final int STRANGERS = 1000;

    /** Opens a feed from {@code from}; returns the client and its status line. */
    RawClient subscribe(String from, String extraHeader) throws IOException {
        RawClient c = open(from);
        c.send("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (extraHeader == null ? "" : extraHeader + "\r\n")
                + "\r\n");
        return c;
    }

    static String statusLine(RawClient c) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = c.socket.getInputStream().read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().trim();
    }

    @Test
    void clientsWithoutATokenCannotLockTheDashboardOut() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(VIEWER, true, false),
                registry, hub);
        List<RawClient> strangers = new ArrayList<>();
        int served = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < STRANGERS; i++) {
            RawClient c = subscribe("127.0.0." + (2 + i / 50), null);
            String status = statusLine(c);
            if (status.startsWith("HTTP/1.1 200")) {
                served++;
                strangers.add(c);
            } else {
                assertThat(status).startsWith("HTTP/1.1 503");
                // answered "Connection: close"; the client closes its end, as EventSource gives up on a 503
                c.close();
                refused++;
            }
        }
        System.out.printf("%d SSE clients without a token in %.1f s: %d served, %d refused%n", STRANGERS,
                (System.nanoTime() - t0) / 1e9, served, refused);
        assertThat(served).isEqualTo(128);
        assertThat(refused).isEqualTo(STRANGERS - 128);

        // the dashboard signs in (a session cookie, as a browser's EventSource sends it) and is served
        HttpClient http = HttpClient.newHttpClient();
        String cookie = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/session"))
                        .header("Authorization", "Bearer " + VIEWER).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        long signedIn = System.nanoTime();
        RawClient dashboard = subscribe("127.0.0.40", "Cookie: " + cookie);
        assertThat(statusLine(dashboard)).startsWith("HTTP/1.1 200");
        HttpResponse<String> streams = http.send(HttpRequest.newBuilder(server.baseUri().resolve("api/streams"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(streams.statusCode()).isEqualTo(200);
        System.out.printf("the signed-in dashboard's feed and stream list answered in %.1f ms%n",
                (System.nanoTime() - signedIn) / 1e6);

        // every place taken (127 more with a token): one more with a token still gets one
        for (int i = 0; i < 127; i++) {
            RawClient c = subscribe("127.0.0." + (41 + i / 50), "Authorization: Bearer " + TOKEN);
            assertThat(statusLine(c)).startsWith("HTTP/1.1 200");
        }
        RawClient stranger = subscribe("127.0.0.50", null);
        assertThat(statusLine(stranger)).startsWith("HTTP/1.1 503");
        RawClient operator = subscribe("127.0.0.51", "Authorization: Bearer " + VIEWER);
        assertThat(statusLine(operator)).startsWith("HTTP/1.1 200");
        // the oldest stranger's feed ended to make way
        RawClient oldest = strangers.getFirst();
        assertThat(oldest.secondsUntilClosed(10)).as("the oldest client without a token was cut off")
                .isGreaterThanOrEqualTo(0);
        String metrics = http.send(HttpRequest.newBuilder(server.baseUri().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        PrometheusParser.Parsed p = PrometheusParser.parse(metrics);
        assertThat(p.value("vigil_sse_clients{}")).isEqualTo(256);
        assertThat(p.value("vigil_http_connections_cut_total{reason=sse_evicted}")).isEqualTo(1);
    }

    @Test
    void withoutATokenEveryClientCountsAlike() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536)
                .withLimits(HttpLimits.DEFAULTS.withSse(10, 5)), registry, hub);
        for (int i = 0; i < 10; i++) {
            assertThat(statusLine(subscribe("127.0.0.2", null))).startsWith("HTTP/1.1 200");
        }
        RawClient eleventh = subscribe("127.0.0.3", "Connection: close");
        assertThat(eleventh.readToEnd()).startsWith("HTTP/1.1 503").contains("server.maxSseClients");
    }
}
