package io.vigil.server.delivery.format;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Makes one webhook's request bodies from spooled contract events, in its {@link WebhookFormat}. The spool keeps the
 * contract object; the body is made at each attempt (the same bytes each time but for Alertmanager's renewed
 * {@code endsAt}), so that a spool written by another format is still delivered in this one.
 *
 * @param publicUrl where receivers reach this vigil (links to the dashboard, thumbnails, clips); null for no links
 * @param routingKey PagerDuty's integration key (format pagerduty only)
 * @param firingEndsAfter Alertmanager: a firing alert's {@code endsAt} after each send; zero leaves it out
 */
public record WebhookBody(WebhookFormat format, URI publicUrl, String routingKey, Duration firingEndsAfter) {
    public WebhookBody {
        if (format == WebhookFormat.PAGERDUTY && (routingKey == null || routingKey.isBlank())) {
            throw new IllegalArgumentException("a pagerduty webhook needs a routing key");
        }
    }

    /** Where to POST: the configured URL, with Alertmanager's {@code /api/v2/alerts} added to a base URL. */
    public URI target(URI configured) {
        return format == WebhookFormat.ALERTMANAGER ? AlertmanagerBody.target(configured) : configured;
    }

    /** The body for one spooled event ({@code contractJson}: the JSON-lines object's bytes), sent at {@code now}. */
    public byte[] render(byte[] contractJson, Instant now) {
        return switch (format) {
            case VIGIL -> contractJson;
            case ALERTMANAGER -> AlertmanagerBody.render(List.of(AlarmView.parse(contractJson)), publicUrl,
                    firingEndsAfter, now);
            case PAGERDUTY -> PagerDutyBody.render(AlarmView.parse(contractJson), routingKey, publicUrl);
            case SLACK -> SlackBody.render(AlarmView.parse(contractJson), publicUrl);
        };
    }

    /** Alertmanager: one body re-asserting every alarm still firing (their contract objects), or null for none. */
    public byte[] renderFiring(List<byte[]> firing, Instant now) {
        if (format != WebhookFormat.ALERTMANAGER || firing.isEmpty()) {
            return null;
        }
        return AlertmanagerBody.render(firing.stream().map(AlarmView::parse).toList(), publicUrl, firingEndsAfter, now);
    }

    /** The dedupKey of a spooled event and whether it fires: what re-sends keep track of. */
    public static Key key(byte[] contractJson) {
        AlarmView a = AlarmView.parse(contractJson);
        return new Key(a.dedupKey(), a.firing());
    }

    /** An event's dedupKey and status. */
    public record Key(String dedupKey, boolean firing) {
    }
}
