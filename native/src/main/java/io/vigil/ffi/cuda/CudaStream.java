package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A stream from cuStreamCreate, owned: {@link #close} destroys it. The driver lets queued work finish, but buffers
 * that work reads may be freed by their own owners first: whoever owns both synchronizes the stream before closing.
 */
public final class CudaStream extends CudaResource {
    private final MemorySegment handle;

    CudaStream(CudaContext context, MemorySegment handle) {
        super(context);
        this.handle = handle;
    }

    /** The CUstream, for launches and copies made while the context is current; throws after close. */
    public MemorySegment handle() {
        ensureOpen();
        return handle;
    }

    /** Waits for everything queued on the stream (cuStreamSynchronize), with the context current. */
    public void synchronize() {
        ensureOpen();
        try (CudaContext.Current current = context.makeCurrent()) {
            context.driver().streamSynchronize(handle);
        }
    }

    @Override
    void free(CudaDriver driver) {
        driver.streamDestroy(handle);
    }
}
