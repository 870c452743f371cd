package io.vigil.server.delivery;

import io.vigil.server.delivery.format.WebhookFormat;
import java.net.URI;
import java.time.Duration;

/**
 * One webhook receiver, as the serve config's {@code sinks.webhooks} list gives it.
 *
 * @param url where each alarm event is POSTed (http or https); for Alertmanager its base URL or the full
 *        {@code /api/v2/alerts} URL
 * @param secret HMAC-SHA256 key for the {@code X-Vigil-Signature} header; null for no signature
 * @param timeout how long one POST may take
 * @param initialBackoff wait before the first retry; doubles (with jitter) up to {@code maxBackoff}
 * @param maxSpoolBytes how much undelivered events may take on disk before the oldest are dropped (and counted)
 * @param format the body: vigil's contract object, or Alertmanager's, PagerDuty's or Slack's
 * @param routingKey PagerDuty's integration key (format pagerduty); null otherwise
 * @param publicUrl where receivers reach vigil's dashboard (links in the bodies); null for no links
 * @param resendInterval Alertmanager: how often every firing alarm is posted again (zero: never, and a firing alert
 *        then carries no endsAt: Alertmanager's resolve_timeout ends it)
 */
public record WebhookSettings(URI url, String secret, Duration timeout, Duration initialBackoff, Duration maxBackoff,
                              long maxSpoolBytes, WebhookFormat format, String routingKey, URI publicUrl,
                              Duration resendInterval) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_SPOOL_BYTES = 64L << 20;
    /** Prometheus's own resend_delay: Alertmanager's clients re-post active alerts every minute. */
    public static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofMinutes(1);
    /** PagerDuty's Events API v2 endpoint: a pagerduty webhook's url when the config names none. */
    public static final URI PAGERDUTY_EVENTS_URL = URI.create("https://events.pagerduty.com/v2/enqueue");

    public WebhookSettings {
        format = format == null ? WebhookFormat.VIGIL : format;
        resendInterval = resendInterval == null ? DEFAULT_RESEND_INTERVAL : resendInterval;
    }

    /** vigil's own body. */
    public WebhookSettings(URI url, String secret, Duration timeout, Duration initialBackoff, Duration maxBackoff,
                           long maxSpoolBytes) {
        this(url, secret, timeout, initialBackoff, maxBackoff, maxSpoolBytes, WebhookFormat.VIGIL, null, null, null);
    }

    /** The same receiver speaking another format. */
    public WebhookSettings withFormat(WebhookFormat f, String key, URI links, Duration resend) {
        return new WebhookSettings(url, secret, timeout, initialBackoff, maxBackoff, maxSpoolBytes, f, key, links,
                resend);
    }

    /** The same receiver with links to vigil at {@code links}. */
    public WebhookSettings withPublicUrl(URI links) {
        return new WebhookSettings(url, secret, timeout, initialBackoff, maxBackoff, maxSpoolBytes, format, routingKey,
                links, resendInterval);
    }
}
