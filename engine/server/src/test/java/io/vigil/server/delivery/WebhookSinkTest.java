package io.vigil.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.EventHub;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WebhookSink against a real HTTP receiver on loopback (the JDK's HttpServer), with a real spool in a temp folder. */
@Timeout(60)
class WebhookSinkTest {
    @TempDir
    Path dir;

    /** One request as the receiver saw it, with the status it answered. */
    record Hit(long sequence, String eventId, String timestamp, String signature, String attempt, String contentType,
               byte[] body, int status) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** A webhook receiver; {@code answer} picks each response's status (it may block to play a slow receiver). */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final ExecutorService pool = Executors.newCachedThreadPool();
        final List<Hit> hits = new ArrayList<>();
        volatile ToIntFunction<Hit> answer;
        /** The User-Agent of the latest request. */
        volatile String userAgent;

        Receiver(int port, ToIntFunction<Hit> answer) throws IOException {
            this.answer = answer;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.setExecutor(pool);
            server.createContext("/hook", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                var h = exchange.getRequestHeaders();
                userAgent = h.getFirst("User-Agent");
                Hit probe = new Hit(Long.parseLong(h.getFirst("X-Vigil-Sequence")), h.getFirst("X-Vigil-Event-Id"),
                        h.getFirst("X-Vigil-Timestamp"), h.getFirst("X-Vigil-Signature"),
                        h.getFirst("X-Vigil-Attempt"), h.getFirst("Content-Type"), body, 0);
                int status = this.answer.applyAsInt(probe);
                synchronized (hits) {
                    hits.add(new Hit(probe.sequence(), probe.eventId(), probe.timestamp(), probe.signature(),
                            probe.attempt(), probe.contentType(), body, status));
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        Receiver(ToIntFunction<Hit> answer) throws IOException {
            this(0, answer);
        }

        int port() {
            return server.getAddress().getPort();
        }

        List<Hit> all() {
            synchronized (hits) {
                return List.copyOf(hits);
            }
        }

        List<Hit> ok() {
            return all().stream().filter(Hit::ok).toList();
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    static WebhookSettings settings(int port, String secret, long maxSpoolBytes) {
        return new WebhookSettings(URI.create("http://127.0.0.1:" + port + "/hook"), secret, Duration.ofSeconds(2),
                Duration.ofMillis(20), Duration.ofMillis(200), maxSpoolBytes);
    }

    static WebhookSettings settings(int port) {
        return settings(port, null, 1 << 20);
    }

    /** Alarm number {@code i}: four dedupKeys in turn, each firing then resolved. */
    static Event.Alarm alarm(int i) {
        String detector = List.of("black", "freeze", "silence", "clipping").get(i % 4);
        boolean firing = (i / 4) % 2 == 0;
        double start = i;
        return new Event.Alarm(firing ? Event.Alarm.FIRING : Event.Alarm.RESOLVED, detector, "news1", null,
                "news1/" + detector, "critical", start, firing ? null : start + 2.5, firing ? null : 2.5,
                "2026-11-26T10:00:00.000Z", firing ? null : "2026-11-26T10:00:02.500Z", "alarm number " + i,
                Map.of("value", (double) i), null, null);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static List<Long> sequences(List<Hit> hits) {
        return hits.stream().map(Hit::sequence).toList();
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    @Test
    void deliversEveryAlarmInOrderWithConsecutiveSequences() throws Exception {
        try (Receiver receiver = new Receiver(hit -> 200);
             WebhookSink sink = new WebhookSink(settings(receiver.port()), dir.resolve("spool"))) {
            for (int i = 0; i < 30; i++) {
                sink.accept(alarm(i));
            }
            sink.accept(new Event.Error("news1", "udp://x", "read", "ignored: not an alarm"));
            await(() -> sink.delivered() == 30, "30 deliveries");
            List<Hit> hits = receiver.ok();
            assertThat(sequences(hits)).isEqualTo(range(1, 30));
            for (int i = 0; i < 30; i++) {
                assertThat(hits.get(i).text()).isEqualTo(JsonLinesSink.toJson(alarm(i)));
                assertThat(hits.get(i).contentType()).isEqualTo("application/json");
                assertThat(hits.get(i).attempt()).isEqualTo("1");
                assertThat(hits.get(i).signature()).isNull();
                assertThat(hits.get(i).eventId()).endsWith("-" + (i + 1));
            }
            assertThat(hits.stream().map(Hit::eventId).distinct()).hasSize(30);
            assertThat(sink.pending()).isZero();
            assertThat(sink.dropped()).isZero();
            assertThat(receiver.all()).hasSize(30);
            // vigil names itself (the jar's version; "development" when run from the build's classes)
            assertThat(receiver.userAgent).matches("vigil/(development|\\d+\\.\\d+\\.\\d+.*)");
        }
    }

    /** A burst, as when one multicast feed carrying many channels dies; prints the cost of accept() and the rate. */
    @Test
    void aBurstOfSignedAlarmsIsDeliveredInOrder() throws Exception {
        int n = 500;
        try (Receiver receiver = new Receiver(hit -> 200);
             WebhookSink sink = new WebhookSink(settings(receiver.port(), "k", 64L << 20), dir.resolve("spool"))) {
            long worstNs = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long a = System.nanoTime();
                sink.accept(alarm(i));
                worstNs = Math.max(worstNs, System.nanoTime() - a);
            }
            long acceptedNs = System.nanoTime() - t0;
            await(() -> sink.delivered() == n, n + " deliveries");
            long deliveredNs = System.nanoTime() - t0;
            assertThat(sequences(receiver.all())).isEqualTo(range(1, n));
            System.out.printf("webhooks: burst of %d: accept %.1f us mean, %.2f ms worst; all delivered in %.2f s"
                            + " (%.0f events/s, each fsynced and committed)%n", n, acceptedNs / 1e3 / n, worstNs / 1e6,
                    deliveredNs / 1e9, n / (deliveredNs / 1e9));
        }
    }

    /** Wired as serve wires it: streams publish from their own threads; the receiver sees the hub's one order. */
    @Test
    void throughTheEventHubTheReceiverSeesTheHubsOrder() throws Exception {
        EventHub hub = new EventHub(16);
        List<String> hubOrder = new ArrayList<>();
        try (Receiver receiver = new Receiver(hit -> 200);
             WebhookSink sink = new WebhookSink(settings(receiver.port()), dir.resolve("spool"));
             EventHub.Subscription a = hub.subscribe(p -> {
                 if (p.payload() instanceof Event e) {
                     sink.accept(e);
                 }
             });
             EventHub.Subscription b = hub.subscribe(p -> {
                 if (p.payload() instanceof Event.Alarm e) {
                     hubOrder.add(JsonLinesSink.toJson(e)); // under the hub's lock: in its order
                 }
             })) {
            List<Thread> streams = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int stream = t;
                streams.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 25; i++) {
                        Event.Alarm x = alarm(i);
                        hub.accept(new Event.Alarm(x.status(), x.detector(), "s" + stream, null,
                                "s" + stream + "/" + x.detector(), x.severity(), x.start(), x.end(), x.duration(),
                                x.wallStart(), x.wallEnd(), x.summary(), x.metrics(), null, null));
                        hub.accept(new Event.Error("s" + stream, "udp://x", "read", "not delivered"));
                    }
                }));
            }
            for (Thread t : streams) {
                t.join();
            }
            await(() -> sink.delivered() == 100, "100 deliveries");
            assertThat(receiver.all().stream().map(Hit::text).toList()).isEqualTo(hubOrder);
            assertThat(sequences(receiver.all())).isEqualTo(range(1, 100));
        }
    }

    @Test
    void receiverDownForAWhileGetsEveryAlarmInOrderOnceItListens() throws Exception {
        int port = freePort();
        try (WebhookSink sink = new WebhookSink(settings(port), dir.resolve("spool"))) {
            for (int i = 0; i < 10; i++) {
                sink.accept(alarm(i));
            }
            Thread.sleep(1500); // connection refused all along: retries back off to 200 ms
            assertThat(sink.delivered()).isZero();
            assertThat(sink.pending()).isEqualTo(10);
            for (int i = 10; i < 15; i++) {
                sink.accept(alarm(i));
            }
            try (Receiver receiver = new Receiver(port, hit -> 200)) {
                await(() -> sink.delivered() == 15, "15 deliveries");
                assertThat(sequences(receiver.ok())).isEqualTo(range(1, 15));
                for (int i = 0; i < 15; i++) {
                    assertThat(receiver.ok().get(i).text()).isEqualTo(JsonLinesSink.toJson(alarm(i)));
                }
                assertThat(Integer.parseInt(receiver.ok().getFirst().attempt())).isGreaterThan(1);
            }
        }
    }

    @Test
    void serverErrorsAndTooManyRequestsAreRetriedInOrder() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Receiver receiver = new Receiver(hit -> switch (calls.incrementAndGet()) {
            case 1, 2 -> 503;
            case 3 -> 429;
            case 4 -> 408;
            default -> 200;
        }); WebhookSink sink = new WebhookSink(settings(receiver.port()), dir.resolve("spool"))) {
            for (int i = 0; i < 5; i++) {
                sink.accept(alarm(i));
            }
            await(() -> sink.delivered() == 5, "5 deliveries");
            assertThat(sequences(receiver.all())).containsExactly(1L, 1L, 1L, 1L, 1L, 2L, 3L, 4L, 5L);
            assertThat(receiver.ok().getFirst().attempt()).isEqualTo("5");
            assertThat(sink.rejected()).isZero();
        }
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsTriedAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Receiver receiver = new Receiver(hit -> {
            if (calls.incrementAndGet() == 1) {
                try {
                    Thread.sleep(1500); // past the sink's 300 ms timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        })) {
            WebhookSettings quick = new WebhookSettings(URI.create("http://127.0.0.1:" + receiver.port() + "/hook"),
                    null, Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(200), 1 << 20);
            try (WebhookSink sink = new WebhookSink(quick, dir.resolve("spool"))) {
                sink.accept(alarm(0));
                sink.accept(alarm(1));
                await(() -> sink.delivered() == 2, "2 deliveries");
                List<Hit> hits = receiver.all();
                assertThat(hits.stream().filter(h -> h.attempt().equals("2")).map(Hit::sequence)).containsExactly(1L);
                assertThat(sequences(hits).subList(0, 2)).containsExactly(1L, 2L); // retried, then the next
            }
        }
    }

    @Test
    void aRefusedEventDoesNotBlockTheOnesAfterIt() throws Exception {
        try (Receiver receiver = new Receiver(hit -> hit.text().contains("alarm number 1\"") ? 400 : 200);
             WebhookSink sink = new WebhookSink(settings(receiver.port()), dir.resolve("spool"))) {
            for (int i = 0; i < 5; i++) {
                sink.accept(alarm(i));
            }
            await(() -> sink.delivered() == 4 && sink.rejected() == 1, "4 deliveries and 1 refusal");
            assertThat(sequences(receiver.ok())).containsExactly(1L, 3L, 4L, 5L);
            assertThat(sequences(receiver.all())).containsExactly(1L, 2L, 3L, 4L, 5L); // the 400 is not retried
            assertThat(sink.pending()).isZero();
        }
    }

    @Test
    void aRestartLosesNoneAndDoesNotRedeliverAcknowledgedOnes() throws Exception {
        Path spool = dir.resolve("spool");
        try (Receiver receiver = new Receiver(hit -> 200)) {
            WebhookSink first = new WebhookSink(settings(receiver.port()), spool);
            for (int i = 0; i < 5; i++) {
                first.accept(alarm(i));
            }
            await(() -> first.delivered() == 5, "5 deliveries");
            receiver.answer = hit -> 503; // the receiver fails while vigil stops
            for (int i = 5; i < 10; i++) {
                first.accept(alarm(i));
            }
            await(() -> receiver.all().size() > 6, "a few failed attempts");
            long t0 = System.nanoTime();
            first.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            List<Long> acknowledged = sequences(receiver.ok());
            assertThat(acknowledged).isEqualTo(range(1, 5));

            receiver.answer = hit -> 200;
            try (WebhookSink second = new WebhookSink(settings(receiver.port()), spool)) {
                for (int i = 10; i < 12; i++) {
                    second.accept(alarm(i));
                }
                await(() -> second.delivered() == 7, "7 deliveries after the restart");
                assertThat(second.pending()).isZero();
            }
            List<Hit> ok = receiver.ok();
            assertThat(sequences(ok)).isEqualTo(range(1, 12)); // none lost, none twice, in order
            for (int i = 0; i < 12; i++) {
                assertThat(ok.get(i).text()).isEqualTo(JsonLinesSink.toJson(alarm(i)));
            }
            assertThat(ok.stream().map(Hit::eventId).distinct()).hasSize(12);
        }
    }

    /**
     * vigil killed (SIGKILL) while it accepts and delivers: a new sink on the spool delivers every event the dead one
     * had accepted, in order; at most the one in flight when it died comes twice, with the same id.
     */
    @Test
    void aKilledVigilLosesNoAcceptedAlarm() throws Exception {
        Path spool = dir.resolve("spool");
        try (Receiver receiver = new Receiver(hit -> 200)) {
            Process vigil = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashingVigil.class.getName(), spool.toString(),
                    Integer.toString(receiver.port())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int accepted = -1;
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(vigil.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = out.readLine()) != null) {
                    accepted = Integer.parseInt(line.strip());
                    if (accepted == 150) {
                        vigil.destroyForcibly(); // SIGKILL: nothing is closed or flushed by vigil itself
                        break;
                    }
                }
            }
            assertThat(vigil.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(accepted).isEqualTo(150);
            int deliveredBeforeKill = receiver.ok().size();

            try (WebhookSink sink = new WebhookSink(settings(receiver.port(), "k", 1 << 20), spool)) {
                await(() -> sink.pending() == 0, "the rest after the kill");
            }
            List<Hit> ok = receiver.ok();
            List<Long> deduped = new ArrayList<>();
            Set<String> ids = new LinkedHashSet<>();
            for (Hit h : ok) {
                if (ids.add(h.eventId())) {
                    deduped.add(h.sequence());
                }
                int index = (int) h.sequence() - 1;
                assertThat(h.text()).isEqualTo(JsonLinesSink.toJson(alarm(index)));
            }
            // Every accepted one (the 151 reported and any accepted after the last report), in order, once by id.
            assertThat(deduped.size()).isGreaterThanOrEqualTo(151);
            assertThat(deduped).isEqualTo(range(1, deduped.size()));
            assertThat(ok.size() - deduped.size()).isLessThanOrEqualTo(1);
            System.out.printf("webhooks: killed after 151 accepts, %d delivered before the kill, %d after, "
                    + "%d twice%n", deliveredBeforeKill, ok.size() - deliveredBeforeKill, ok.size() - deduped.size());
        }
    }

    @Test
    void closeWhileAPostHangsIsPromptAndTheEventInFlightComesAgainWithTheSameId() throws Exception {
        Path spool = dir.resolve("spool");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Receiver receiver = new Receiver(hit -> {
            if (hit.sequence() == 3 && entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await(); // a receiver that takes the request and never answers in time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        })) {
            WebhookSettings slow = new WebhookSettings(URI.create("http://127.0.0.1:" + receiver.port() + "/hook"),
                    null, Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(200), 1 << 20);
            WebhookSink first = new WebhookSink(slow, spool);
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                first.accept(alarm(i)); // never waits for the hung receiver
            }
            Duration accepting = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(accepting).isLessThan(Duration.ofSeconds(2));
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue(); // the third is in flight now
            assertThat(first.delivered()).isEqualTo(2);
            t0 = System.nanoTime();
            first.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(closing).isLessThan(Duration.ofSeconds(2));
            release.countDown(); // the receiver now processes the abandoned request: it has event 3 once
            await(() -> receiver.ok().size() == 3, "the abandoned request to finish");

            try (WebhookSink second = new WebhookSink(slow, spool)) {
                await(() -> second.delivered() == 198, "the rest after the restart");
            }
            List<Hit> ok = receiver.ok();
            // At least once: event 3 twice (abandoned, then redelivered); deduping by id gives each once, in order.
            assertThat(sequences(ok).subList(0, 4)).containsExactly(1L, 2L, 3L, 3L);
            assertThat(ok.get(2).eventId()).isEqualTo(ok.get(3).eventId());
            Set<String> ids = new LinkedHashSet<>();
            List<Long> deduped = new ArrayList<>();
            for (Hit h : ok) {
                if (ids.add(h.eventId())) {
                    deduped.add(h.sequence());
                }
            }
            assertThat(deduped).isEqualTo(range(1, 200));
            System.out.printf("webhooks: 200 accepts in %.1f ms while the receiver hung; close in %.1f ms%n",
                    accepting.toNanos() / 1e6, closing.toNanos() / 1e6);
        }
    }

    @Test
    void hmacSignatureVerifiesWithTheSecretOnly() throws Exception {
        String secret = "s3cret-ключ";
        try (Receiver receiver = new Receiver(hit -> 200);
             WebhookSink sink = new WebhookSink(settings(receiver.port(), secret, 1 << 20), dir.resolve("spool"))) {
            for (int i = 0; i < 4; i++) {
                sink.accept(alarm(i));
            }
            await(() -> sink.delivered() == 4, "4 deliveries");
            for (Hit h : receiver.ok()) {
                assertThat(h.signature()).startsWith("sha256=");
                String signed = h.signature().substring("sha256=".length());
                // What a receiver does: recompute over "<timestamp>.<sequence>." + the body bytes as received.
                assertThat(hmac(secret, h)).isEqualTo(signed);
                assertThat(hmac("wrong", h)).isNotEqualTo(signed);
                assertThat(WebhookSink.sign(secret, h.timestamp(), h.sequence(), h.body())).isEqualTo(signed);
                assertThat(Long.parseLong(h.timestamp()))
                        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            }
        }
    }

    static String hmac(String secret, Hit h) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((h.timestamp() + "." + h.sequence() + ".").getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac.doFinal(h.body()));
    }

    @Test
    void aFullSpoolDropsTheOldestAndCountsThem() throws Exception {
        int port = freePort();
        long maxSpoolBytes = 8 * 1024;
        Path spool = dir.resolve("spool");
        try (WebhookSink sink = new WebhookSink(settings(port, null, maxSpoolBytes), spool)) {
            for (int i = 0; i < 100; i++) {
                sink.accept(alarm(i));
            }
            assertThat(sink.dropped()).isPositive();
            assertThat(sink.pending() + sink.dropped()).isEqualTo(100);
            assertThat(spoolBytes(spool)).isLessThanOrEqualTo(maxSpoolBytes);
            long kept = sink.pending();
            try (Receiver receiver = new Receiver(port, hit -> 200)) {
                await(() -> sink.pending() == 0, "the kept events");
                // The newest survive, in order, with their own sequence numbers: the gap shows what was dropped.
                List<Long> got = sequences(receiver.ok());
                assertThat(got.subList(got.size() - (int) kept, got.size())).isEqualTo(range(100 - kept + 1, 100));
                // Before them, at most the one that was in flight when the spool dropped it (its POST went on).
                List<Long> before = got.subList(0, got.size() - (int) kept);
                assertThat(before).hasSizeLessThanOrEqualTo(1);
                assertThat(before).allMatch(sequence -> sequence <= 100 - kept);
                assertThat(receiver.ok().getLast().text()).isEqualTo(JsonLinesSink.toJson(alarm(99)));
            }
            System.out.printf("webhooks: spool of %d bytes kept %d of 100 events, dropped %d%n", maxSpoolBytes, kept,
                    sink.dropped());
        }
    }

    @Test
    void aSmallerBoundAtRestartDropsTheOldestThere() throws Exception {
        int port = freePort();
        Path spool = dir.resolve("spool");
        try (WebhookSink sink = new WebhookSink(settings(port), spool)) {
            for (int i = 0; i < 50; i++) {
                sink.accept(alarm(i));
            }
        }
        try (WebhookSink sink = new WebhookSink(settings(port, null, 4096), spool)) {
            assertThat(sink.dropped()).isPositive();
            assertThat(sink.pending() + sink.dropped()).isEqualTo(50);
            assertThat(spoolBytes(spool)).isLessThanOrEqualTo(4096);
        }
    }

    static long spoolBytes(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().startsWith("seg-")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    /** A torn write: a header that promises more body than there is (500), or a whole record of bad checksum (10). */
    @ParameterizedTest
    @ValueSource(ints = {500, 10})
    void aTornLastRecordIsSkippedAndTheRestDeliveredAfterARestart(int tornLength) throws Exception {
        int port = freePort();
        Path spool = dir.resolve("spool");
        try (WebhookSink sink = new WebhookSink(settings(port), spool)) {
            for (int i = 0; i < 3; i++) {
                sink.accept(alarm(i));
            }
        }
        Path last;
        try (Stream<Path> files = Files.list(spool)) {
            last = files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList().getLast();
        }
        // What a crash in the middle of a write leaves behind the last good record.
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(30).putInt(Spool.MAGIC).putInt(tornLength).putLong(4).putInt(0)
                    .put("xxxxxxxxxx".getBytes(StandardCharsets.US_ASCII));
            ch.write(torn.flip());
        }
        try (Receiver receiver = new Receiver(port, hit -> 200);
             WebhookSink sink = new WebhookSink(settings(port), spool)) {
            sink.accept(alarm(3));
            await(() -> sink.delivered() == 4, "4 deliveries");
            assertThat(sequences(receiver.ok())).isEqualTo(range(1, 4));
            assertThat(receiver.ok().getLast().text()).isEqualTo(JsonLinesSink.toJson(alarm(3)));
        }
    }

    @Test
    void oneSpoolFolderServesOneSinkAtATime() {
        Path spool = dir.resolve("spool");
        try (WebhookSink sink = new WebhookSink(settings(9), spool)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WebhookSink(settings(9), spool))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WebhookSink(new WebhookSettings(
                        URI.create("ftp://127.0.0.1/x"), null, null, null, null, 1024), dir.resolve("other")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
