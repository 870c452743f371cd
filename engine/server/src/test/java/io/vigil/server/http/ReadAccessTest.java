package io.vigil.server.http;

import static io.vigil.server.http.ApiServerTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.server.StreamSpec;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With a token configured, reading needs a token too: the token or the viewer token as a bearer header, or a
 * dashboard session (an HttpOnly, SameSite=Strict cookie that reads and never changes anything). What stays open:
 * the dashboard's files, the description, health, and /metrics unless configured otherwise; public reads on demand.
 */
@Timeout(60)
class ReadAccessTest extends ApiFixture {
    static final String TOKEN = "admin-token-0123456789";
    static final String VIEWER = "viewer-token-0123456789";
    static final List<String> READS = List.of("api/streams", "api/streams/a", "api/alarms", "api/events",
            "api/streams/a/thumbnail.jpg");
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    void start(ApiSettings settings) throws Exception {
        registry.add(new StreamSpec("a", "udp://h:1", null, null));
        server = ApiServer.start(settings, registry, hub);
    }

    /** The status and the headers of a request, its body not read (SSE never ends). */
    HttpResponse<InputStream> get(String path, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
        if (header != null) {
            b.header(header, value);
        }
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r;
    }

    HttpResponse<String> send(String method, String path, String body, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 200 for everything but the thumbnail, which TinyRegistry never has (404 once past the token check). */
    static int served(String path) {
        return path.endsWith("thumbnail.jpg") ? 404 : 200;
    }

    @Test
    void readingNeedsATokenAndTheViewerTokenOnlyReads() throws Exception {
        start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(VIEWER, false, false));
        for (String path : READS) {
            HttpResponse<InputStream> none = get(path, null, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"vigil\"");
            assertThat(get(path, "Authorization", "Bearer wrong-token-0123456789").statusCode()).as(path)
                    .isEqualTo(401);
            assertThat(get(path, "Authorization", "Bearer " + VIEWER).statusCode()).as(path).isEqualTo(served(path));
            assertThat(get(path, "Authorization", "Bearer " + TOKEN).statusCode()).as(path).isEqualTo(served(path));
        }
        for (String open : List.of("", "dashboard/app.js", "api/openapi.yaml", "health/live", "health/ready",
                "metrics")) {
            // health/ready is 503 here (stream a is still starting): open all the same
            assertThat(get(open, null, null).statusCode()).as(open).isIn(200, 503);
        }
        String spec = "{\"id\":\"b\",\"url\":\"udp://h:2\"}";
        assertError(send("POST", "api/streams", spec, "Authorization", "Bearer " + VIEWER), 403);
        assertError(send("DELETE", "api/streams/a", null, "Authorization", "Bearer " + VIEWER), 403);
        assertThat(send("POST", "api/streams", spec, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(201);
    }

    @Test
    void metricsCanNeedATokenToo() throws Exception {
        start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(VIEWER, false, true));
        assertThat(get("metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(get("metrics", "Authorization", "Bearer " + VIEWER).statusCode()).isEqualTo(200);
        assertThat(get("health/live", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void publicReadsOpenReadingAndNothingElse() throws Exception {
        start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(null, true, false));
        for (String path : READS) {
            assertThat(get(path, null, null).statusCode()).as(path).isEqualTo(served(path));
        }
        assertError(send("POST", "api/streams", "{\"id\":\"b\",\"url\":\"udp://h:2\"}", null, null), 401);
        assertError(send("DELETE", "api/streams/a", null, null, null), 401);
    }

    @Test
    void aSessionCookieReadsAndChangesNothing() throws Exception {
        start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(VIEWER, false, false));
        assertError(send("POST", "api/session", null, null, null), 401);
        assertError(send("POST", "api/session", null, "Authorization", "Bearer not-the-token-0123"), 401);
        HttpResponse<String> signedIn = send("POST", "api/session", null, "Authorization", "Bearer " + VIEWER);
        assertThat(signedIn.statusCode()).isEqualTo(204);
        String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("vigil_session=").contains("; Path=/").contains("; HttpOnly")
                .contains("; SameSite=Strict").contains("; Max-Age=43200");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(cookie.length()).isEqualTo("vigil_session=".length() + 43);
        for (String path : READS) {
            assertThat(get(path, "Cookie", cookie).statusCode()).as(path).isEqualTo(served(path));
        }
        // a session never changes anything, whichever token opened it
        String adminCookie = send("POST", "api/session", null, "Authorization", "Bearer " + TOKEN).headers()
                .firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertError(send("POST", "api/streams", "{\"id\":\"b\",\"url\":\"udp://h:2\"}", "Cookie", adminCookie), 401);
        assertError(send("DELETE", "api/streams/a", null, "Cookie", adminCookie), 401);
        // a made-up or ended session reads nothing
        assertThat(get("api/streams", "Cookie", "vigil_session=" + "A".repeat(43)).statusCode()).isEqualTo(401);
        HttpResponse<String> signedOut = send("DELETE", "api/session", null, "Cookie", cookie);
        assertThat(signedOut.statusCode()).isEqualTo(204);
        assertThat(signedOut.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                c -> assertThat(c).startsWith("vigil_session=;").contains("Max-Age=0"));
        assertThat(get("api/streams", "Cookie", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void withoutATokenEverythingIsOpenAsBefore() throws Exception {
        start(new ApiSettings("127.0.0.1", 0, null, 65536));
        for (String path : READS) {
            assertThat(get(path, null, null).statusCode()).as(path).isEqualTo(served(path));
        }
        HttpResponse<String> session = send("POST", "api/session", null, null, null);
        assertThat(session.statusCode()).isEqualTo(204);
        assertThat(session.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void sessionsExpireAndStayBounded() {
        long[] now = {0};
        Sessions sessions = new Sessions(() -> now[0]);
        String first = sessions.open();
        assertThat(sessions.valid(first)).isTrue();
        assertThat(sessions.valid(first.substring(1) + "x")).isFalse();
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(Sessions.TTL_SECONDS) + 1;
        assertThat(sessions.valid(first)).isFalse();
        String kept = sessions.open();
        for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
            sessions.open();
        }
        assertThat(sessions.valid(kept)).as("the oldest made way").isFalse();
    }

    @Test
    void aViewerTokenNeedsATokenBesideIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new ApiSettings("127.0.0.1", 0, null, 65536).withReadAccess(VIEWER, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a token");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(TOKEN, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
    }
}
