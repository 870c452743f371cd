package io.vigil.ffi.cuda;

/** Freeing several native resources in a row: every free is tried, the first failure is thrown, later ones ride along. */
public final class Failures {
    private Failures() {
    }

    /** A step that may fail with a {@link RuntimeException}. */
    @FunctionalInterface
    public interface Step {
        void run();
    }

    /**
     * Runs {@code step}; returns {@code failure}, or the step's exception when there was none yet (a later one is
     * added to the first as suppressed).
     */
    public static RuntimeException attempt(RuntimeException failure, Step step) {
        try {
            step.run();
            return failure;
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }
}
