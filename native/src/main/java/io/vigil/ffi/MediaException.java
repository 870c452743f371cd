package io.vigil.ffi;

/**
 * An input that cannot be analysed, with one sentence a user can act on. {@link Stage} tells whether it failed
 * before any media was read ({@code OPEN}: the contract's exit code 3) or broke off part way ({@code READ}: exit 4).
 */
public class MediaException extends RuntimeException {
    /** When the input failed. */
    public enum Stage { OPEN, READ }

    private final Stage stage;

    public MediaException(Stage stage, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
    }

    public MediaException(Stage stage, String message) {
        this(stage, message, null);
    }

    public Stage stage() {
        return stage;
    }
}
