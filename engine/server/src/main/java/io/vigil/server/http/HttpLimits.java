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
 * @param maxConnections connections open at once; more wait in the operating system's accept queue until one closes
 * @param maxConnectionsPerAddress connections open at once from one client address; more are answered 429 and closed
 * @param maxSseClients clients on {@code /api/events} at once; more are answered 503
 * @param maxSseClientsWithoutToken of those, clients without a token or session, where a token is configured (and
 *        reads are public); a client with one always gets a place, the oldest without one making way
 */
public record HttpLimits(double headerTimeoutSeconds, double bodyTimeoutSeconds, double idleTimeoutSeconds,
                         int maxConnections, int maxConnectionsPerAddress, int maxSseClients,
                         int maxSseClientsWithoutToken) {
    public static final HttpLimits DEFAULTS = new HttpLimits(10, 10, 30, 1024, 64, 256, 128);

    public HttpLimits {
        positive("headerTimeoutSeconds", headerTimeoutSeconds);
        positive("bodyTimeoutSeconds", bodyTimeoutSeconds);
        positive("idleTimeoutSeconds", idleTimeoutSeconds);
        atLeastOne("maxConnections", maxConnections);
        atLeastOne("maxConnectionsPerAddress", maxConnectionsPerAddress);
        atLeastOne("maxSseClients", maxSseClients);
        if (maxSseClientsWithoutToken < 0 || maxSseClientsWithoutToken > maxSseClients) {
            throw new IllegalArgumentException("The API's maxSseClientsWithoutToken must be between 0 and"
                    + " maxSseClients (" + maxSseClients + "), not " + maxSseClientsWithoutToken + ".");
        }
    }

    /** The same caps with other deadlines. */
    public HttpLimits withTimeouts(double headerSeconds, double bodySeconds, double idleSeconds) {
        return new HttpLimits(headerSeconds, bodySeconds, idleSeconds, maxConnections, maxConnectionsPerAddress,
                maxSseClients, maxSseClientsWithoutToken);
    }

    /** The same deadlines with other connection caps. */
    public HttpLimits withConnections(int total, int perAddress) {
        return new HttpLimits(headerTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds, total, perAddress,
                maxSseClients, maxSseClientsWithoutToken);
    }

    /** The same deadlines and connection caps with other SSE places. */
    public HttpLimits withSse(int total, int withoutToken) {
        return new HttpLimits(headerTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds, maxConnections,
                maxConnectionsPerAddress, total, withoutToken);
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

    private static void atLeastOne(String name, int count) {
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("The API's " + name + " must be between 1 and 1000000, not " + count
                    + ".");
        }
    }

    private static void positive(String name, double seconds) {
        if (!(seconds >= 0.05 && seconds <= 3600)) {
            throw new IllegalArgumentException("The API's " + name + " must be between 0.05 and 3600 s, not "
                    + seconds + ".");
        }
    }
}
