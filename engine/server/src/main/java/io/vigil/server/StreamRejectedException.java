package io.vigil.server;

/** A stream the registry will not take: the message is one sentence for the person who asked. */
public final class StreamRejectedException extends Exception {
    /** Why, as an HTTP API would answer it. */
    public enum Reason { INVALID, DUPLICATE, LIMIT }

    private final Reason reason;

    public StreamRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
