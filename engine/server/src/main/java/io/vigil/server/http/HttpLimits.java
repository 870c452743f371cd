package io.vigil.server.http;

/**
 * What the API grants one connection and one client, so that slow or hostile clients cannot hold it (the README's
 * {@code server:} keys of the same names).
 *
 * @param headerTimeoutSeconds how long a request's line and headers may take to arrive, from their first byte; a
 *        client that sends them slowly (a byte at a time) is cut off then
 * @param bodyTimeoutSeconds how long a request's body may take to arrive, from its first byte
 * @param idleTimeoutSeconds how long a connection may stay silent (between kept-alive requests, or a client that
 *        reads no answer) before it is closed
 */
public record HttpLimits(double headerTimeoutSeconds, double bodyTimeoutSeconds, double idleTimeoutSeconds) {
    public static final HttpLimits DEFAULTS = new HttpLimits(10, 10, 30);

    public HttpLimits {
        positive("headerTimeoutSeconds", headerTimeoutSeconds);
        positive("bodyTimeoutSeconds", bodyTimeoutSeconds);
        positive("idleTimeoutSeconds", idleTimeoutSeconds);
    }

    long headerTimeoutMillis() {
        return Math.round(headerTimeoutSeconds * 1000);
    }

    long bodyTimeoutMillis() {
        return Math.round(bodyTimeoutSeconds * 1000);
    }

    long idleTimeoutMillis() {
        return Math.round(idleTimeoutSeconds * 1000);
    }

    private static void positive(String name, double seconds) {
        if (!(seconds >= 0.05 && seconds <= 3600)) {
            throw new IllegalArgumentException("The API's " + name + " must be between 0.05 and 3600 s, not "
                    + seconds + ".");
        }
    }
}
