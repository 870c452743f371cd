package io.vigil.server.handling;

/** An acknowledgement or mute that cannot be made, and why in one sentence for the operator. */
public final class HandlingRefusedException extends RuntimeException {
    /** What kind of refusal: the API answers 400, 404 or 409. */
    public enum Reason { INVALID, NOT_FOUND, CONFLICT }

    private final Reason reason;

    public HandlingRefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
