package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** An owner whose resource the driver names by an opaque handle (CUmodule, CUstream, CUevent). */
abstract sealed class DriverHandle extends CudaResource permits CudaModule, CudaStream, CudaEvent {
    /** The handle itself, for {@link #free} (which runs once the owner counts as closed). */
    final MemorySegment raw;

    DriverHandle(CudaContext context, MemorySegment raw) {
        super(context);
        this.raw = raw;
    }

    /** The driver's handle, for calls made while the context is current; throws after close. */
    public final MemorySegment handle() {
        ensureOpen();
        return raw;
    }
}
