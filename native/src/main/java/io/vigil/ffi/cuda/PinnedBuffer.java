package io.vigil.ffi.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory from cuMemAllocHost (what asynchronous copies need), owned: {@link #close} frees it with
 * cuMemFreeHost. Its {@link #segment} is tied to the buffer's life: once the buffer is closed, every access
 * through it, or through a slice of it, throws instead of touching freed memory.
 */
public final class PinnedBuffer extends CudaResource {
    private final MemorySegment allocation;
    private final Arena lifetime = Arena.ofShared();
    private final MemorySegment segment;

    PinnedBuffer(CudaContext context, MemorySegment allocation) {
        super(context);
        this.allocation = allocation;
        this.segment = allocation.reinterpret(lifetime, null);
    }

    /** The whole buffer; valid until close. */
    public MemorySegment segment() {
        ensureOpen();
        return segment;
    }

    public long byteSize() {
        return allocation.byteSize();
    }

    @Override
    void free(CudaDriver driver) {
        lifetime.close(); // first, so that no view of it can be read while and after it is freed
        driver.memFreeHost(allocation);
    }
}
