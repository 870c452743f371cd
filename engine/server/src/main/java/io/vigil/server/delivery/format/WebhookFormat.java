package io.vigil.server.delivery.format;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The body a webhook sends, as {@code sinks.webhooks[].format} names it. */
public enum WebhookFormat {
    /** The contract object exactly as the JSON-lines log writes it. */
    VIGIL,
    /** A JSON array of one Alertmanager postableAlert, POSTed to {@code /api/v2/alerts}. */
    ALERTMANAGER,
    /** A PagerDuty Events API v2 event: trigger on firing, resolve on resolved, paired by dedup_key. */
    PAGERDUTY,
    /** A Slack incoming-webhook message: one readable line. */
    SLACK;

    /** The name in the config file. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name} (as the config writes it), or null when there is none of that name. */
    public static WebhookFormat byName(String name) {
        for (WebhookFormat f : values()) {
            if (f.wireName().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Every name, for an error message: "vigil, alertmanager, pagerduty, slack". */
    public static String names() {
        return Arrays.stream(values()).map(WebhookFormat::wireName).collect(Collectors.joining(", "));
    }
}
