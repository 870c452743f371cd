package io.vigil.server.delivery;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.server.delivery.format.WebhookBody;
import io.vigil.server.delivery.format.WebhookFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs every alarm event (firing and resolved) to one URL, at least once and strictly in the order accepted, through
 * a bounded on-disk spool that survives a receiver down for minutes and a restart of vigil.
 *
 * <p>{@link #accept} appends the contract object to the spool and wakes the sender; it never waits on the network
 * (it runs under {@code EventHub}'s lock). One sender thread delivers the spool head first: 2xx acknowledges it; 408,
 * 429, 5xx, timeouts and connection errors retry it with exponential backoff and jitter up to {@code maxBackoff}
 * (later events wait, which keeps the order); any other status gives that one event up (one log line, counted in
 * {@link #rejected}) so that a bad event cannot block the queue.
 *
 * <p>Request: the body is the contract object exactly as the JSON-lines sink writes it (UTF-8, no newline), or in
 * another {@link WebhookFormat} the body that product expects, made from that object at each attempt
 * ({@link WebhookBody}); with
 * {@value #EVENT_ID}: {@code <spool id>-<sequence>} (the same on every redelivery: receivers dedupe by it),
 * {@value #SEQUENCE}: this sink's sequence number (1, 2, 3... kept across restarts; a gap means events were dropped
 * or given up), {@value #TIMESTAMP}: Unix seconds of this attempt, {@value #ATTEMPT}: 1 for the first try of this
 * process, and with a secret {@value #SIGNATURE}: {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + sequence +
 * "." + body)>}.
 *
 * <p>Alertmanager expires an alert that is not posted again, so for format alertmanager the sender keeps the alarms
 * firing as delivered (at most {@value #MAX_RESENT_ALARMS}) and posts them all again, in one request, every
 * {@code resendInterval} (sequence 0, no event id), each with {@code endsAt} {@value #FIRING_LIFETIME_RESENDS}
 * intervals ahead: an alarm whose resolve never comes (vigil gone) ends by itself. Kept in memory only: after a
 * restart an alarm that still fires is posted again when its stream raises it again.
 *
 * <p>Spool durability: {@code accept} writes the record into the OS page cache (it survives a crash or kill of vigil);
 * the sender fsyncs it right after, woken by the accept, and always before it is POSTed. The committed mark is
 * replaced atomically (temp file, fsync, rename) after each acknowledgement; after a crash the event in flight may be
 * delivered again (same event id). When the spool would pass {@code maxSpoolBytes}, its oldest segment (a sixteenth
 * of the bound) is dropped, its undelivered events counted in {@link #dropped} and logged once per burst.
 */
public final class WebhookSink implements EventSink, AutoCloseable {
    public static final String EVENT_ID = "X-Vigil-Event-Id";
    /** Who is calling, as receivers' logs show it: vigil and its version (the jar's; "development" from classes). */
    static final String USER_AGENT = "vigil/" + java.util.Objects.requireNonNullElse(
            WebhookSink.class.getPackage().getImplementationVersion(), "development");
    public static final String SEQUENCE = "X-Vigil-Sequence";
    public static final String TIMESTAMP = "X-Vigil-Timestamp";
    public static final String ATTEMPT = "X-Vigil-Attempt";
    public static final String SIGNATURE = "X-Vigil-Signature";
    private static final System.Logger LOG = System.getLogger(WebhookSink.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Alertmanager: a firing alert expires this many re-send intervals after its last send, as Prometheus's do. */
    static final int FIRING_LIFETIME_RESENDS = 4;
    /** Alertmanager: at most this many firing alarms are re-sent (the oldest kept); one request carries them all. */
    static final int MAX_RESENT_ALARMS = 10_000;

    private enum Outcome { DELIVERED, REJECTED, RETRY, CLOSED }

    private final URI url;
    private final WebhookBody bodies;
    /** Alertmanager: how often the firing alarms are posted again; 0 for never (every other format). */
    private final long resendNs;
    private final Duration timeout;
    private final long initialBackoffNs;
    private final long maxBackoffNs;
    private final SecretKeySpec key;
    private final Spool spool;
    private final HttpClient client;
    private final Thread sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    // Guarded by lock.
    private boolean closed;
    private CompletableFuture<?> inFlight;
    private long delivered;
    private long dropped;
    private long rejected;
    private long dropBurst;
    private long droppedAfterClose;
    private boolean writeErrorLogged;
    // Sender thread only.
    private int failedAttempts;
    private boolean failing;
    private long retryAtNs;
    private boolean retryPending;
    /** Alertmanager: the alarms firing as delivered so far (the receiver's view), by dedupKey, oldest first. */
    private final Map<String, byte[]> firing = new LinkedHashMap<>();
    private long resendAtNs;
    private boolean resendFailing;

    /**
     * Opens (or resumes) the spool in {@code spoolDir}, which must belong to this sink alone (see
     * {@link #spoolDirFor}), and starts the sender.
     *
     * @throws IllegalArgumentException for a URL that is not http(s) or a non-positive bound or duration
     * @throws IllegalStateException when another sink holds the folder
     * @throws java.io.UncheckedIOException when the folder cannot be made or read
     */
    public WebhookSink(WebhookSettings settings, Path spoolDir) {
        URI u = settings.url();
        if (u == null || u.getHost() == null
                || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
            throw new IllegalArgumentException("webhook url must be an absolute http or https URL: " + u);
        }
        this.bodies = new WebhookBody(settings.format(), settings.publicUrl(), settings.routingKey(),
                settings.format() == WebhookFormat.ALERTMANAGER
                        ? settings.resendInterval().multipliedBy(FIRING_LIFETIME_RESENDS) : Duration.ZERO);
        this.url = bodies.target(u);
        this.resendNs = settings.format() == WebhookFormat.ALERTMANAGER && settings.resendInterval().isPositive()
                ? settings.resendInterval().toNanos() : 0;
        this.timeout = positive(settings.timeout(), WebhookSettings.DEFAULT_TIMEOUT, "timeout");
        this.initialBackoffNs = positive(settings.initialBackoff(), WebhookSettings.DEFAULT_INITIAL_BACKOFF,
                "initialBackoff").toNanos();
        this.maxBackoffNs = Math.max(initialBackoffNs,
                positive(settings.maxBackoff(), WebhookSettings.DEFAULT_MAX_BACKOFF, "maxBackoff").toNanos());
        if (settings.maxSpoolBytes() <= 0) {
            throw new IllegalArgumentException("webhook maxSpoolBytes must be positive: " + settings.maxSpoolBytes());
        }
        String secret = settings.secret();
        this.key = secret == null || secret.isEmpty() ? null
                : new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.spool = new Spool(spoolDir, settings.maxSpoolBytes());
        this.dropped = spool.droppedAtOpen();
        if (dropped > 0) {
            LOG.log(System.Logger.Level.WARNING, "webhook " + u + ": the spool was over maxSpoolBytes, dropped its "
                    + dropped + " oldest undelivered events");
        }
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.sender = Thread.ofPlatform().daemon().name("vigil-webhook " + u.getHost() + ":" + u.getPort())
                .unstarted(this::run);
        sender.start();
    }

    private static Duration positive(Duration d, Duration fallback, String name) {
        Duration v = d == null ? fallback : d;
        if (v.isNegative() || v.isZero()) {
            throw new IllegalArgumentException("webhook " + name + " must be positive: " + v);
        }
        return v;
    }

    /**
     * A folder of its own for a webhook under the configured {@code sinks.spoolDir}: named after the URL (and for
     * PagerDuty, whose webhooks share one URL, the routing key too), so that reordering the config keeps each
     * receiver's spool.
     */
    public static Path spoolDirFor(Path spoolRoot, WebhookSettings settings) {
        return spoolDirFor(spoolRoot, settings.url() + (settings.routingKey() == null ? ""
                : "#" + settings.routingKey()));
    }

    private static Path spoolDirFor(Path spoolRoot, String receiver) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(receiver.getBytes(StandardCharsets.UTF_8));
            return spoolRoot.resolve("webhook-" + HexFormat.of().formatHex(h, 0, 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Spools an event a receiver is paged with (see {@link #pages}; others are ignored) and wakes the sender; never
     * blocks on the network, never throws.
     */
    @Override
    public void accept(Event event) {
        if (!pages(event)) {
            return;
        }
        byte[] body = JsonLinesSink.toJson(event).getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            if (closed) {
                dropped++;
                if (droppedAfterClose++ == 0) { // log the first only
                    LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": events after close are dropped");
                }
                return;
            }
            Spool.AppendResult r = spool.append(body);
            writeErrorLogged = false;
            if (r.sequence() < 0) {
                LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": an event of " + body.length
                        + " bytes is larger than the whole spool; dropped");
            } else if (r.dropped() > 0 && dropBurst == 0) {
                LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": spool full, dropping the oldest "
                        + "undelivered events (receiver unreachable too long)");
            }
            dropped += r.dropped();
            if (r.sequence() >= 0) {
                dropBurst += r.dropped();
            }
            wake.signalAll();
        } catch (IOException e) {
            dropped++;
            if (!writeErrorLogged) {
                writeErrorLogged = true;
                LOG.log(System.Logger.Level.ERROR, "webhook " + url + ": cannot write the spool, event dropped: "
                        + e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * What webhooks carry: alarms, except those suppressed (raised in a maintenance window or a mute: recorded and
     * shown, not paged), and the operators' {@code ack} and {@code mute} events, for a receiver to close or annotate
     * its incident (a receiver ignores types it does not know).
     */
    public static boolean pages(Event event) {
        return event instanceof Event.Alarm a ? !a.silenced()
                : event instanceof Event.Ack || event instanceof Event.Mute;
    }

    /** Events acknowledged with a 2xx. */
    public long delivered() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    /** Events spooled and not yet acknowledged or given up. */
    public long pending() {
        lock.lock();
        try {
            return spool.pendingCount();
        } finally {
            lock.unlock();
        }
    }

    /** Events dropped undelivered: the oldest when the spool was full, or accepted after close. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Events given up because the receiver refused them (a 4xx other than 408 and 429, or a 1xx/3xx). */
    public long rejected() {
        lock.lock();
        try {
            return rejected;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Spool.Entry head;
            byte[] body = null;
            List<Spool.Unsynced> unsynced;
            lock.lock();
            try {
                while (!closed && !ready() && !spool.hasUnsynced() && !resendDue()) {
                    long waitNs = Long.MAX_VALUE;
                    if (spool.head() != null) {
                        waitNs = retryAtNs - System.nanoTime();
                    }
                    if (resendNs > 0 && !firing.isEmpty() && !retryPending) {
                        waitNs = Math.min(waitNs, resendAtNs - System.nanoTime());
                    }
                    if (waitNs == Long.MAX_VALUE) {
                        wake.awaitUninterruptibly();
                    } else {
                        wake.awaitNanos(waitNs);
                    }
                }
                if (closed) {
                    return;
                }
                head = ready() ? spool.head() : null;
                unsynced = spool.unsynced();
                if (head != null) {
                    try {
                        body = spool.read(head);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.ERROR, "webhook " + url + ": cannot read event "
                                + head.sequence() + " from the spool, dropped: " + e.getMessage());
                        spool.acknowledge(head);
                        dropped++;
                        continue;
                    }
                }
            } catch (InterruptedException e) {
                return; // nobody but the JVM interrupts this thread
            } finally {
                lock.unlock();
            }
            // fsync outside the lock: accept() must not wait for the disk either.
            for (Spool.Unsynced u : unsynced) {
                Spool.force(u.segment());
            }
            lock.lock();
            try {
                unsynced.forEach(Spool.Unsynced::markSynced);
            } finally {
                lock.unlock();
            }
            if (head == null) {
                if (resendDue() && resendFiring() == Outcome.CLOSED) {
                    return;
                }
                continue;
            }
            Outcome outcome;
            try {
                outcome = post(head, body);
            } catch (RuntimeException e) { // a bug or a client failure must not end delivery for good
                outcome = retry(head.sequence(), e.toString(), 0);
            }
            if (outcome == Outcome.CLOSED) {
                return;
            }
            if (outcome == Outcome.RETRY) {
                continue;
            }
            if (resendNs > 0) {
                track(body, outcome == Outcome.DELIVERED);
            }
            long committed;
            lock.lock();
            try {
                if (spool.acknowledge(head)) {
                    if (outcome == Outcome.DELIVERED) {
                        delivered++;
                    } else {
                        rejected++;
                    }
                }
                if (outcome == Outcome.DELIVERED && dropBurst > 0) {
                    LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": " + dropBurst
                            + " events were dropped while the spool was full");
                    dropBurst = 0;
                }
                committed = spool.committed();
            } finally {
                lock.unlock();
            }
            spool.persistCommitted(committed);
            lock.lock();
            try {
                spool.deleteAcknowledgedSegments();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean ready() {
        return spool.head() != null && (!retryPending || System.nanoTime() - retryAtNs >= 0);
    }

    /** One attempt at the head; schedules the retry itself. */
    private Outcome post(Spool.Entry head, byte[] event) {
        long sequence = head.sequence();
        byte[] body;
        try {
            body = bodies.render(event, Instant.now());
        } catch (RuntimeException e) { // a spooled record that is not a contract object: no retry will fix it
            LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": cannot make the " + bodies.format().wireName()
                    + " body of event " + sequence + " (" + e.getMessage() + "), giving it up");
            resetRetry();
            return Outcome.REJECTED;
        }
        HttpResponse<Void> response;
        try {
            response = send(body, sequence, spool.spoolId() + "-" + sequence);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return retry(sequence, why, 0);
        }
        if (response == null) {
            return Outcome.CLOSED;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "webhook " + url + ": delivering again (event " + sequence
                        + " after " + (failedAttempts + 1) + " attempts)");
            }
            failing = false;
            resetRetry();
            return Outcome.DELIVERED;
        }
        if (status == 408 || status == 429 || status >= 500) {
            long retryAfterNs = response.headers().firstValue("Retry-After").map(WebhookSink::seconds)
                    .orElse(0L);
            return retry(sequence, "HTTP " + status, retryAfterNs);
        }
        LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": receiver refused event " + sequence
                + " (HTTP " + status + "), giving it up");
        resetRetry();
        return Outcome.REJECTED;
    }

    /**
     * One POST; null when the sink closed meanwhile. {@code eventId} null: a re-send of firing alarms, which is no
     * spooled event (sequence 0, no event id).
     */
    private HttpResponse<Void> send(byte[] body, long sequence, String eventId) throws ExecutionException {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header(SEQUENCE, Long.toString(sequence))
                .header(TIMESTAMP, timestamp)
                .header(ATTEMPT, Integer.toString(eventId == null ? 1 : failedAttempts + 1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (eventId != null) {
            request.header(EVENT_ID, eventId);
        }
        if (key != null) {
            request.header(SIGNATURE, "sha256=" + sign(key, timestamp, sequence, body));
        }
        // Started outside the lock (accept() must not wait for it), then published for close() to cancel.
        CompletableFuture<HttpResponse<Void>> future = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding());
        lock.lock();
        try {
            if (closed) {
                future.cancel(true);
                return null;
            }
            inFlight = future;
        } finally {
            lock.unlock();
        }
        try {
            return future.get();
        } catch (CancellationException | InterruptedException e) {
            return null;
        } finally {
            lock.lock();
            try {
                inFlight = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Alertmanager: whether the firing alarms are due to be posted again (not while the spool's head retries). */
    private boolean resendDue() {
        return resendNs > 0 && !firing.isEmpty() && !retryPending && System.nanoTime() - resendAtNs >= 0;
    }

    /** Alertmanager: keeps the receiver's view of what fires up to date with an event it took (or refused). */
    private void track(byte[] event, boolean delivered) {
        WebhookBody.Key k;
        try {
            k = WebhookBody.key(event);
        } catch (RuntimeException e) {
            return;
        }
        if (!k.firing()) {
            firing.remove(k.dedupKey());
            return;
        }
        if (!delivered) {
            return; // refused: the receiver does not know it fires
        }
        if (firing.isEmpty()) {
            resendAtNs = System.nanoTime() + resendNs;
        }
        firing.put(k.dedupKey(), event);
        if (firing.size() > MAX_RESENT_ALARMS) {
            firing.remove(firing.keySet().iterator().next());
        }
    }

    /**
     * Alertmanager: posts every firing alarm again (one request), renewing their endsAt, as Prometheus re-sends its
     * active alerts; a failure waits for the next interval (the spool's events keep their own retries).
     */
    private Outcome resendFiring() {
        resendAtNs = System.nanoTime() + resendNs;
        byte[] body = bodies.renderFiring(new ArrayList<>(firing.values()), Instant.now());
        if (body == null) {
            return Outcome.DELIVERED;
        }
        String why;
        try {
            HttpResponse<Void> response = send(body, 0, null);
            if (response == null) {
                return Outcome.CLOSED;
            }
            if (response.statusCode() >= 200 && response.statusCode() < 300) {
                resendFailing = false;
                return Outcome.DELIVERED;
            }
            why = "HTTP " + response.statusCode();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            why = cause.getClass().getSimpleName();
        }
        if (!resendFailing) {
            resendFailing = true;
            LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": re-sending " + firing.size()
                    + " firing alarms failed (" + why + "); trying again in "
                    + TimeUnit.NANOSECONDS.toSeconds(resendNs) + " s");
        }
        return Outcome.RETRY;
    }

    private void resetRetry() {
        failedAttempts = 0;
        retryPending = false;
    }

    private Outcome retry(long sequence, String why, long retryAfterNs) {
        failedAttempts++;
        // Exponential, capped, with "equal jitter": half the step fixed, half random, so that many vigil
        // processes behind one receiver do not retry in step.
        int shift = Math.min(failedAttempts - 1, 40);
        long step = initialBackoffNs > (maxBackoffNs >> shift) ? maxBackoffNs : Math.min(maxBackoffNs,
                initialBackoffNs << shift);
        long delay = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
        delay = Math.max(delay, Math.min(retryAfterNs, maxBackoffNs));
        retryAtNs = System.nanoTime() + delay;
        retryPending = true;
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.WARNING, "webhook " + url + ": event " + sequence + " not delivered (" + why
                    + "); retrying with backoff up to " + TimeUnit.NANOSECONDS.toMillis(maxBackoffNs) + " ms");
        }
        return Outcome.RETRY;
    }

    private static long seconds(String retryAfter) {
        try {
            return TimeUnit.SECONDS.toNanos(Math.max(0, Long.parseLong(retryAfter.strip())));
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: the backoff alone decides
        }
    }

    /**
     * Lowercase hex of HMAC-SHA256(secret as UTF-8, timestamp + "." + sequence + "." + body): what a receiver
     * recomputes from the {@value #TIMESTAMP} and {@value #SEQUENCE} headers and the body bytes.
     */
    public static String sign(String secret, String timestamp, long sequence, byte[] body) {
        return sign(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), timestamp, sequence,
                body);
    }

    private static String sign(SecretKeySpec key, String timestamp, long sequence, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((timestamp + "." + sequence + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Stops the sender (an attempt in flight is abandoned and sent again later) and closes the spool; idempotent. */
    @Override
    public void close() {
        CompletableFuture<?> f;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            f = inFlight;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (f != null) {
            f.cancel(true);
        }
        try {
            sender.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.shutdownNow();
        lock.lock();
        try {
            spool.persistCommitted(spool.committed());
            spool.close();
        } finally {
            lock.unlock();
        }
    }
}
