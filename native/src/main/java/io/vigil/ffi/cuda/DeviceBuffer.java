package io.vigil.ffi.cuda;

/** Device memory from cuMemAlloc, owned: {@link #close} frees it with cuMemFree. */
public final class DeviceBuffer extends CudaResource {
    private final long address;
    private final long byteSize;

    DeviceBuffer(CudaContext context, long address, long byteSize) {
        super(context);
        this.address = address;
        this.byteSize = byteSize;
    }

    /** The CUdeviceptr, for kernel arguments and copies; throws after close. */
    public long address() {
        ensureOpen();
        return address;
    }

    public long byteSize() {
        return byteSize;
    }

    @Override
    void free(CudaDriver driver) {
        driver.memFree(address);
    }
}
