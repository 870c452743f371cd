package io.vigil.server.delivery;

import static io.vigil.server.delivery.WebhookSinkTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.server.delivery.format.WebhookFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each webhook format against a local receiver that checks the body against the product's documented schema
 * ({@link ProductSchemas}) and answers as the product does (400 for a body it refuses).
 */
@Timeout(60)
class WebhookFormatsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROUTING_KEY = "R0123456789abcdef0123456789abcde";
    static final URI PUBLIC_URL = URI.create("https://vigil.example.net/");

    @TempDir
    Path dir;

    /** One request as the receiver saw it. */
    record Request(String path, JsonNode json, byte[] body, String signature, String timestamp, long sequence,
                   String userAgent, List<String> wrong, int status) {
    }

    /** A product's endpoint: validates each body, answers 400 when it is wrong, else what {@code answer} says. */
    static final class ProductReceiver implements AutoCloseable {
        final HttpServer server;
        final ExecutorService pool = Executors.newCachedThreadPool();
        final List<Request> requests = new ArrayList<>();
        final AtomicInteger count = new AtomicInteger();

        ProductReceiver(Function<JsonNode, List<String>> schema, Function<Integer, Integer> answer)
                throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(pool);
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                var h = exchange.getRequestHeaders();
                JsonNode json;
                List<String> wrong;
                try {
                    json = JSON.readTree(body);
                    wrong = schema.apply(json);
                } catch (IOException e) {
                    json = null;
                    wrong = List.of("not JSON: " + e.getMessage());
                }
                int status = wrong.isEmpty() ? answer.apply(count.incrementAndGet()) : 400;
                synchronized (requests) {
                    requests.add(new Request(exchange.getRequestURI().getPath(), json, body,
                            h.getFirst("X-Vigil-Signature"), h.getFirst("X-Vigil-Timestamp"),
                            Long.parseLong(h.getFirst("X-Vigil-Sequence")), h.getFirst("User-Agent"), wrong, status));
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        List<Request> all() {
            synchronized (requests) {
                return List.copyOf(requests);
            }
        }

        List<Request> accepted() {
            return all().stream().filter(r -> r.status() >= 200 && r.status() < 300).toList();
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    static WebhookSettings settings(URI url, WebhookFormat format, Duration resend) {
        return new WebhookSettings(url, "k", Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(200),
                1 << 20).withFormat(format, format == WebhookFormat.PAGERDUTY ? ROUTING_KEY : null, PUBLIC_URL,
                resend);
    }

    static Event.Alarm firing(String stream, String detector, Integer channel, String thumbnail) {
        return new Event.Alarm(Event.Alarm.FIRING, detector, stream, channel,
                stream + "/" + detector + (channel == null ? "" : "/" + channel), "critical", 10.0, null, null,
                "2026-11-26T10:00:10.000Z", null, "picture black for 2.0 s <&>", Map.of("darkRatio", 0.999), null,
                thumbnail);
    }

    static Event.Alarm resolved(Event.Alarm f) {
        return new Event.Alarm(Event.Alarm.RESOLVED, f.detector(), f.stream(), f.channel(), f.dedupKey(),
                f.severity(), f.start(), 14.033, 4.033, f.wallStart(), "2026-11-26T10:00:14.033Z", null, f.metrics(),
                null, f.thumbnail());
    }

    static Function<JsonNode, List<String>> schema(WebhookFormat format) {
        return switch (format) {
            case ALERTMANAGER -> ProductSchemas::alertmanager;
            case PAGERDUTY -> ProductSchemas::pagerDuty;
            case SLACK -> ProductSchemas::slack;
            case VIGIL -> json -> json.isObject() ? List.of() : List.of("not an object");
        };
    }

    @Test
    void alertmanagerGetsPostableAlertsFiringThenResolvedWithTheSameLabels() throws Exception {
        try (ProductReceiver am = new ProductReceiver(ProductSchemas::alertmanager, n -> 200);
             WebhookSink sink = new WebhookSink(settings(am.base().resolve("/"), WebhookFormat.ALERTMANAGER,
                     Duration.ofMinutes(1)), dir.resolve("spool"))) {
            Event.Alarm f = firing("news 1", "silence", 1, "/api/alarms/news1/thumb.jpg");
            Instant sent = Instant.now();
            sink.accept(f);
            sink.accept(resolved(f));
            await(() -> sink.delivered() == 2, "2 deliveries");
            List<Request> got = am.all();
            assertThat(got).hasSize(2).allSatisfy(r -> {
                assertThat(r.wrong()).isEmpty();
                assertThat(r.path()).isEqualTo("/api/v2/alerts"); // a base URL gets the API path
                assertThat(r.userAgent()).startsWith("vigil/");
            });
            JsonNode fire = got.get(0).json().get(0);
            JsonNode resolve = got.get(1).json().get(0);
            assertThat(fire.get("labels")).isEqualTo(resolve.get("labels"));
            assertThat(JSON.convertValue(fire.get("labels"), Map.class)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "alertname", "vigil_silence", "stream", "news 1", "detector", "silence", "severity", "critical",
                    "channel", "1"));
            assertThat(fire.get("startsAt").asText()).isEqualTo("2026-11-26T10:00:10.000Z");
            // a firing alert expires four re-send intervals after it was sent, unless posted again
            Instant endsAt = Instant.parse(fire.get("endsAt").asText());
            assertThat(endsAt).isBetween(sent.plus(Duration.ofMinutes(4)).minusSeconds(1),
                    Instant.now().plus(Duration.ofMinutes(4)).plusSeconds(1));
            assertThat(resolve.get("endsAt").asText()).isEqualTo("2026-11-26T10:00:14.033Z");
            assertThat(fire.get("generatorURL").asText()).isEqualTo("https://vigil.example.net/#stream=news%201");
            assertThat(fire.at("/annotations/summary").asText()).isEqualTo("news 1: picture black for 2.0 s <&>");
            assertThat(fire.at("/annotations/thumbnail").asText())
                    .isEqualTo("https://vigil.example.net/api/alarms/news1/thumb.jpg");
            assertThat(fire.at("/annotations/dedup_key").asText()).isEqualTo("news 1/silence/1");
            assertThat(resolve.at("/annotations/summary").asText()).contains("resolved after 4.033 s");
        }
    }

    @Test
    void alertmanagerFiringAlarmsArePostedAgainUntilResolved() throws Exception {
        try (ProductReceiver am = new ProductReceiver(ProductSchemas::alertmanager, n -> 200);
             WebhookSink sink = new WebhookSink(settings(am.base().resolve("/am/api/v2/alerts"),
                     WebhookFormat.ALERTMANAGER, Duration.ofMillis(150)), dir.resolve("spool"))) {
            Event.Alarm a = firing("a", "black", null, null);
            Event.Alarm b = firing("b", "freeze", null, null);
            sink.accept(a);
            sink.accept(b);
            await(() -> am.all().stream().filter(r -> r.sequence() == 0 && r.json().size() == 2).count() >= 2,
                    "two re-sends of both firing alarms");
            sink.accept(resolved(a));
            await(() -> sink.delivered() == 3, "the resolve");
            int atResolve = am.all().size();
            await(() -> am.all().stream().skip(atResolve).anyMatch(r -> r.sequence() == 0),
                    "a re-send after the resolve");
            List<Request> got = am.all();
            assertThat(got).allSatisfy(r -> {
                assertThat(r.wrong()).isEmpty();
                assertThat(r.path()).isEqualTo("/am/api/v2/alerts"); // a full URL is kept
            });
            // after its resolve only b is re-sent; a's resolve came after every re-send that carried it
            Request last = got.getLast();
            assertThat(last.json()).hasSize(1);
            assertThat(last.json().get(0).at("/labels/stream").asText()).isEqualTo("b");
            int resolveAt = -1;
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).sequence() == 3) {
                    resolveAt = i;
                }
            }
            assertThat(resolveAt).isPositive();
            for (Request r : got.subList(resolveAt + 1, got.size())) {
                assertThat(r.json().findValuesAsText("stream")).doesNotContain("a");
            }
        }
    }

    @Test
    void pagerDutyGetsTriggerThenResolvePairedByDedupKey() throws Exception {
        try (ProductReceiver pd = new ProductReceiver(ProductSchemas::pagerDuty, n -> 202);
             WebhookSink sink = new WebhookSink(settings(pd.base().resolve("/v2/enqueue"), WebhookFormat.PAGERDUTY,
                     null), dir.resolve("spool"))) {
            Event.Alarm f = firing("news1", "black", null, "https://cdn.example.net/t.jpg");
            Event.Alarm longOne = new Event.Alarm(Event.Alarm.FIRING, "loudness", "news1", null, "news1/loudness",
                    "warning", 1.0, null, null, null, null, "x".repeat(3000), Map.of(), null, "/tmp/a.jpg");
            sink.accept(f);
            sink.accept(longOne);
            sink.accept(resolved(f));
            await(() -> sink.delivered() == 3, "3 deliveries");
            List<Request> got = pd.all();
            assertThat(got).hasSize(3).allSatisfy(r -> assertThat(r.wrong()).isEmpty());
            JsonNode trigger = got.get(0).json();
            assertThat(trigger.get("routing_key").asText()).isEqualTo(ROUTING_KEY);
            assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
            assertThat(trigger.get("dedup_key").asText()).isEqualTo("news1/black");
            assertThat(trigger.at("/payload/summary").asText()).isEqualTo("news1: picture black for 2.0 s <&>");
            assertThat(trigger.at("/payload/source").asText()).isEqualTo("news1");
            assertThat(trigger.at("/payload/severity").asText()).isEqualTo("critical");
            assertThat(trigger.at("/payload/timestamp").asText()).isEqualTo("2026-11-26T10:00:10.000Z");
            assertThat(trigger.at("/payload/component").asText()).isEqualTo("black");
            assertThat(trigger.at("/payload/custom_details/metrics/darkRatio").asDouble()).isEqualTo(0.999);
            assertThat(trigger.at("/images/0/src").asText()).isEqualTo("https://cdn.example.net/t.jpg");
            assertThat(trigger.at("/links/0/href").asText()).isEqualTo("https://vigil.example.net/#stream=news1");
            JsonNode cut = got.get(1).json();
            assertThat(cut.at("/payload/summary").asText()).hasSize(1024).endsWith("…");
            assertThat(cut.has("images")).isFalse(); // a file path on vigil's host is no link
            JsonNode resolve = got.get(2).json();
            assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
            assertThat(resolve.get("dedup_key").asText()).isEqualTo("news1/black");
            assertThat(resolve.get("routing_key").asText()).isEqualTo(ROUTING_KEY);
        }
    }

    @Test
    void slackGetsOneReadableLinePerEvent() throws Exception {
        try (ProductReceiver slack = new ProductReceiver(ProductSchemas::slack, n -> 200);
             WebhookSink sink = new WebhookSink(settings(slack.base().resolve("/services/T0/B0/x"),
                     WebhookFormat.SLACK, null), dir.resolve("spool"))) {
            Event.Alarm f = firing("news1", "black", null, "/api/alarms/news1/thumb.jpg");
            sink.accept(f);
            sink.accept(resolved(f));
            await(() -> sink.delivered() == 2, "2 deliveries");
            List<Request> got = slack.all();
            assertThat(got).hasSize(2).allSatisfy(r -> assertThat(r.wrong()).isEmpty());
            assertThat(got.get(0).json().get("text").asText()).isEqualTo(":red_circle: *CRITICAL* `news1` black: "
                    + "picture black for 2.0 s &lt;&amp;&gt; · since 2026-11-26T10:00:10.000Z"
                    + " · <https://vigil.example.net/api/alarms/news1/thumb.jpg|thumbnail>"
                    + " · <https://vigil.example.net/#stream=news1|dashboard>");
            assertThat(got.get(1).json().get("text").asText()).startsWith(":white_check_mark: *RESOLVED* `news1` black"
                    + " (critical) after 4.033 s · 2026-11-26T10:00:10.000Z to 2026-11-26T10:00:14.033Z");
        }
    }

    /** The spool, retries and signatures work the same whatever the body. */
    @ParameterizedTest
    @EnumSource(WebhookFormat.class)
    void everyFormatRetriesInOrderAndIsSigned(WebhookFormat format) throws Exception {
        try (ProductReceiver r = new ProductReceiver(schema(format), n -> n <= 3 ? 503 : 200);
             WebhookSink sink = new WebhookSink(settings(r.base().resolve("/hook"), format, Duration.ofMinutes(5)),
                     dir.resolve("spool"))) {
            List<Event.Alarm> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Event.Alarm f = firing("s" + i, "black", null, null);
                sent.add(f);
                sent.add(resolved(f));
            }
            sent.forEach(sink::accept);
            await(() -> sink.delivered() == 10, "10 deliveries");
            List<Request> ok = r.accepted();
            assertThat(ok.stream().map(Request::sequence).toList()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L,
                    9L, 10L);
            assertThat(r.all().stream().filter(q -> q.status() == 503)).hasSize(3)
                    .allSatisfy(q -> assertThat(q.sequence()).isEqualTo(1));
            for (int i = 0; i < ok.size(); i++) {
                Request q = ok.get(i);
                assertThat(q.wrong()).isEmpty();
                assertThat(q.signature()).isEqualTo("sha256=" + WebhookSink.sign("k", q.timestamp(), q.sequence(),
                        q.body()));
                assertThat(new String(q.body(), StandardCharsets.UTF_8)).contains("s" + i / 2);
            }
            assertThat(sink.rejected()).isZero();
        }
    }

    @Test
    void aBodyTheProductRefusesIsGivenUpNotRetried() throws Exception {
        try (ProductReceiver pd = new ProductReceiver(json -> json.at("/payload/source").asText().equals("bad")
                ? List.of("refused") : List.of(), n -> 202);
             WebhookSink sink = new WebhookSink(settings(pd.base(), WebhookFormat.PAGERDUTY, null),
                     dir.resolve("spool"))) {
            sink.accept(firing("bad", "black", null, null));
            sink.accept(firing("good", "black", null, null));
            await(() -> sink.delivered() == 1 && sink.rejected() == 1, "one refused, one delivered");
            assertThat(pd.all()).hasSize(2);
        }
    }
}
