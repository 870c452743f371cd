package io.vigil.server.http;

/**
 * Where and how the API listens.
 *
 * @param bindAddress the address to bind; a non-loopback one needs a {@code token}
 * @param port TCP port; 0 picks a free one (tests)
 * @param token the bearer token that mutating requests must carry; null for none (loopback only)
 * @param maxBodyBytes the largest request body taken; a larger one is answered 413
 * @param limits deadlines and caps that keep slow or hostile clients from holding the API
 * @param healthPort a second port on the same address that answers only {@code /health/live} and
 *        {@code /health/ready}, outside the main port's connection caps (for probes); null for none
 * @param viewerToken a second bearer token that may read but change nothing; null for none (needs {@code token})
 * @param publicRead whether reading (streams, pictures, alarms, SSE) needs no token even when {@code token} is set
 *        (a wall screen); changes still need it
 * @param metricsNeedToken whether {@code /metrics} needs a token (either) when one is configured; Prometheus
 *        scrapes without one by default
 */
public record ApiSettings(String bindAddress, int port, String token, long maxBodyBytes, HttpLimits limits,
                          Integer healthPort, String viewerToken, boolean publicRead, boolean metricsNeedToken) {
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 8321;
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public ApiSettings {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("The API's bind address must not be empty.");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("The API's port must be between 0 and 65535, not " + port + ".");
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("The API token must not be blank; leave it out for no token.");
        }
        if (viewerToken != null && (viewerToken.isBlank() || token == null || viewerToken.equals(token))) {
            throw new IllegalArgumentException("The viewer token needs a token (server.token) beside it, and must"
                    + " differ from it.");
        }
        if (healthPort != null && (healthPort < 0 || healthPort > 65535 || (healthPort == port && port != 0))) {
            throw new IllegalArgumentException("The API's healthPort must be between 0 and 65535 and not its port,"
                    + " not " + healthPort + ".");
        }
        if (limits == null) {
            throw new IllegalArgumentException("The API's limits must be given (HttpLimits.DEFAULTS for the defaults).");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("The API's maxBodyBytes must be at least 1, not " + maxBodyBytes + ".");
        }
    }

    /** Where and how, with the default limits. */
    public ApiSettings(String bindAddress, int port, String token, long maxBodyBytes) {
        this(bindAddress, port, token, maxBodyBytes, HttpLimits.DEFAULTS, null, null, false, false);
    }

    /** 127.0.0.1:8321, no token, 64 KiB bodies, the default limits. */
    public static ApiSettings defaults() {
        return new ApiSettings(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES);
    }

    /** The same settings on another port. */
    public ApiSettings withPort(int newPort) {
        return new ApiSettings(bindAddress, newPort, token, maxBodyBytes, limits, healthPort, viewerToken, publicRead,
                metricsNeedToken);
    }

    /** The same settings on another address and port with another token (the command line's). */
    public ApiSettings withListen(String newBindAddress, int newPort, String newToken) {
        return new ApiSettings(newBindAddress, newPort, newToken, maxBodyBytes, limits, healthPort, viewerToken,
                publicRead, metricsNeedToken);
    }

    /** The same settings with other limits. */
    public ApiSettings withLimits(HttpLimits newLimits) {
        return new ApiSettings(bindAddress, port, token, maxBodyBytes, newLimits, healthPort, viewerToken, publicRead,
                metricsNeedToken);
    }

    /** The same settings with a health port (null for none). */
    public ApiSettings withHealthPort(Integer newHealthPort) {
        return new ApiSettings(bindAddress, port, token, maxBodyBytes, limits, newHealthPort, viewerToken, publicRead,
                metricsNeedToken);
    }

    /** The same settings with other read access: a viewer token (or null), public reads, metrics behind a token. */
    public ApiSettings withReadAccess(String newViewerToken, boolean newPublicRead, boolean newMetricsNeedToken) {
        return new ApiSettings(bindAddress, port, token, maxBodyBytes, limits, healthPort, newViewerToken,
                newPublicRead, newMetricsNeedToken);
    }
}
