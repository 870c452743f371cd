package io.vigil.server.fleet;

/** The fleet cannot start or go on: Kafka unreachable, a topic set up wrongly, this node fenced. One sentence. */
public final class FleetException extends RuntimeException {
    public FleetException(String message) {
        super(message);
    }

    public FleetException(String message, Throwable cause) {
        super(message, cause);
    }
}
