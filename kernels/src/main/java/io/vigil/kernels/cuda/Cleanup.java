package io.vigil.kernels.cuda;

/** Freeing several native resources in a row: every free is tried, the first failure is thrown, later ones ride along. */
final class Cleanup {
    private Cleanup() {
    }

    /**
     * Runs {@code call}; returns {@code failure}, or the call's exception when there was none yet (a later one is
     * added to the first as suppressed).
     */
    static RuntimeException attempt(RuntimeException failure, Runnable call) {
        try {
            call.run();
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
