package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** An event from cuEventCreate, owned: {@link #close} destroys it. */
public final class CudaEvent extends DriverHandle {
    CudaEvent(CudaContext context, MemorySegment handle) {
        super(context, handle);
    }

    @Override
    void free(CudaDriver driver) {
        driver.eventDestroy(raw);
    }
}
