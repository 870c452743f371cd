package io.vigil.server;

/**
 * How one alarm sink beyond the process (a webhook) is doing, for the metrics.
 *
 * @param sink the receiver, as an operator recognises it (a URL without user info or query)
 * @param delivered events the receiver acknowledged
 * @param pending events spooled and not yet acknowledged
 * @param dropped events dropped because the spool was full
 * @param rejected events the receiver refused for good (a 4xx other than 408 and 429)
 */
public record DeliveryFigures(String sink, long delivered, long pending, long dropped, long rejected) {
}
