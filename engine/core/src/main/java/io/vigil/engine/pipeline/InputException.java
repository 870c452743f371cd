package io.vigil.engine.pipeline;

/**
 * An input that cannot be opened or read, with one sentence a user can act on (FFmpeg's, passed on unchanged).
 * Whether it failed on opening or part way is the caller's to tell: it knows which call threw.
 */
public final class InputException extends RuntimeException {
    InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
