package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** An event from cuEventCreate, owned: {@link #close} destroys it. */
public final class CudaEvent extends CudaResource {
    private final MemorySegment handle;

    CudaEvent(CudaContext context, MemorySegment handle) {
        super(context);
        this.handle = handle;
    }

    /** The CUevent, for records and timings made while the context is current; throws after close. */
    public MemorySegment handle() {
        ensureOpen();
        return handle;
    }

    @Override
    void free(CudaDriver driver) {
        driver.eventDestroy(handle);
    }
}
