package io.vigil.ffi.cuda;

/**
 * What every owner of a driver resource shares: one owner, freed exactly once (a second {@link #close} does
 * nothing), with its context current while it is freed; using it after close throws rather than handing the driver
 * a freed handle. Its {@link CudaContext} frees whatever its owners have not, when the context is closed.
 */
abstract sealed class CudaResource implements AutoCloseable
        permits DriverHandle, DeviceBuffer, PinnedBuffer {
    final CudaContext context;
    private boolean closed;

    CudaResource(CudaContext context) {
        this.context = context;
    }

    /** Gives the resource back to the driver; called once, with the context current. */
    abstract void free(CudaDriver driver);

    /** Throws when the resource has been closed (by its owner, or with its context). */
    final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " used after close");
        }
    }

    /**
     * Frees the resource: makes the context current, frees, restores the thread's context. Only the first call
     * frees; a failure is thrown, and the resource counts as freed all the same (it is never freed twice).
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.forget(this);
        try (CudaContext.Current current = context.makeCurrent()) {
            free(context.driver());
        }
    }
}
