package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A stream from cuStreamCreate, owned: {@link #close} destroys it. The driver lets queued work finish, but buffers
 * that work reads may be freed by their own owners first: whoever owns both synchronizes the stream before closing.
 */
public final class CudaStream extends DriverHandle {
    CudaStream(CudaContext context, MemorySegment handle) {
        super(context, handle);
    }

    /** Waits for everything queued on the stream (cuStreamSynchronize), with the context current. */
    public void synchronize() {
        MemorySegment stream = handle();
        try (CudaContext.Current current = context.makeCurrent()) {
            context.driver().streamSynchronize(stream);
        }
    }

    @Override
    void free(CudaDriver driver) {
        driver.streamDestroy(raw);
    }
}
