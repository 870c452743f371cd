package io.vigil.server.metrics;

import java.util.Map;

/**
 * Server-level figures the API keeps itself, read at each scrape.
 *
 * @param sseClients clients connected to /api/events now
 * @param sseClientsDropped clients of /api/events cut off because they fell too far behind
 * @param connectionsCut connections the API closed to protect itself, by reason (every reason always listed)
 * @param connections HTTP connections open now
 */
public record ServerFigures(long sseClients, long sseClientsDropped, Map<String, Long> connectionsCut,
                            long connections) {
    /** Nothing connected, nothing cut. */
    public static final ServerFigures NONE = new ServerFigures(0, 0, Map.of(), 0);
}
