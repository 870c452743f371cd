package io.vigil.server.delivery;

import java.net.URI;
import java.time.Duration;

/**
 * One webhook receiver, as the serve config's {@code sinks.webhooks} list gives it.
 *
 * @param url where each alarm event is POSTed (http or https)
 * @param secret HMAC-SHA256 key for the {@code X-Vigil-Signature} header; null for no signature
 * @param timeout how long one POST may take
 * @param initialBackoff wait before the first retry; doubles (with jitter) up to {@code maxBackoff}
 * @param maxSpoolBytes how much undelivered events may take on disk before the oldest are dropped (and counted)
 */
public record WebhookSettings(URI url, String secret, Duration timeout, Duration initialBackoff, Duration maxBackoff,
                              long maxSpoolBytes) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_SPOOL_BYTES = 64L << 20;
}
