package io.vigil.ffi.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One retained reference to a device's primary context, and the owner of everything allocated on it (Arrow's
 * allocator and JavaCPP's PointerScope are the models): each {@link CudaModule}, {@link CudaStream},
 * {@link CudaEvent}, {@link DeviceBuffer} and {@link PinnedBuffer} it makes is an owner of its own, closable on its
 * own, and {@link #close} frees those still open, newest first, then releases the context. So a caller that builds
 * something of several resources needs one try-with-resources, or one close, however many it holds.
 *
 * <p>The primary context is the one FFmpeg's NVDEC uses with {@code primary_ctx=1}, so NVDEC's frames are readable
 * without a copy. When this is the first to take it, it is created with CU_CTX_SCHED_BLOCKING_SYNC, the flags FFmpeg
 * requires of a primary context it shares (a thread waiting for the GPU then sleeps rather than spins); a context
 * someone already holds keeps its flags.
 *
 * <p>The factory methods and the owners' own calls make the context current on the calling thread for the call
 * and restore the thread's previous context after; a hot path makes it current once with {@link #makeCurrent}.
 */
public final class CudaContext implements AutoCloseable {
    private final CudaDriver driver;
    private final int ordinal;
    private final int device;
    private final MemorySegment handle;
    /** The owners made here and not yet closed, oldest first. */
    private final List<CudaResource> open = new ArrayList<>();
    private boolean closed;

    private CudaContext(CudaDriver driver, int ordinal, int device, MemorySegment handle) {
        this.driver = driver;
        this.ordinal = ordinal;
        this.device = device;
        this.handle = handle;
    }

    /**
     * Calls cuInit, then retains device {@code ordinal}'s primary context (see the class comment for its flags).
     * Throws {@link CudaException} naming the driver call that failed, having retained nothing.
     */
    public static CudaContext retainPrimary(CudaDriver driver, int ordinal) {
        Objects.requireNonNull(driver, "driver");
        driver.init();
        int device = driver.device(ordinal);
        // FFmpeg shares the primary context only if its flags are exactly CU_CTX_SCHED_BLOCKING_SYNC, and cannot
        // change them once the context is active: when vigil's kernels come first, they must create it that way, or
        // NVDEC falls back to the CPU ("Primary context already active with incompatible flags").
        CudaDriver.PrimaryCtxState state = driver.devicePrimaryCtxGetState(device);
        if (!state.active() && state.flags() != CudaDriver.CU_CTX_SCHED_BLOCKING_SYNC) {
            driver.devicePrimaryCtxSetFlags(device, CudaDriver.CU_CTX_SCHED_BLOCKING_SYNC);
        }
        return new CudaContext(driver, ordinal, device, driver.devicePrimaryCtxRetain(device));
    }

    /** The context made current on the calling thread; {@link #close} pops it, restoring the thread's previous one. */
    public final class Current implements AutoCloseable {
        private boolean popped;

        private Current() {
        }

        /** Pops the context (cuCtxPopCurrent); throws {@link CudaException} when the driver refuses. Once only. */
        @Override
        public void close() {
            if (!popped) {
                popped = true;
                driver.ctxPopCurrent();
            }
        }
    }

    /** Pushes the context on the calling thread (cuCtxPushCurrent) until the returned {@link Current} is closed. */
    public Current makeCurrent() {
        ensureOpen();
        driver.ctxPushCurrent(handle);
        return new Current();
    }

    /** Loads {@code image}, a PTX text (which the driver JIT-compiles for this GPU) or a cubin, as a module. */
    public CudaModule loadModule(byte[] image) {
        try (Arena arena = Arena.ofConfined(); Current current = makeCurrent()) {
            MemorySegment text = arena.allocate(image.length + 1L); // zeroed: the last byte is the NUL
            MemorySegment.copy(image, 0, text, JAVA_BYTE, 0, image.length);
            return register(new CudaModule(this, driver.moduleLoadData(text)));
        }
    }

    /** A stream with CU_STREAM_* flags. */
    public CudaStream createStream(int flags) {
        try (Current current = makeCurrent()) {
            return register(new CudaStream(this, driver.streamCreate(flags)));
        }
    }

    /** An event with CU_EVENT_* flags. */
    public CudaEvent createEvent(int flags) {
        try (Current current = makeCurrent()) {
            return register(new CudaEvent(this, driver.eventCreate(flags)));
        }
    }

    /** {@code bytes} of device memory (256-byte aligned). */
    public DeviceBuffer allocate(long bytes) {
        try (Current current = makeCurrent()) {
            return register(new DeviceBuffer(this, driver.memAlloc(bytes), bytes));
        }
    }

    /** {@code bytes} of page-locked host memory. */
    public PinnedBuffer allocatePinned(long bytes) {
        try (Current current = makeCurrent()) {
            return register(new PinnedBuffer(this, driver.memAllocHost(bytes)));
        }
    }

    public CudaDriver driver() {
        return driver;
    }

    /** The device ordinal this context is on. */
    public int ordinal() {
        return ordinal;
    }

    private synchronized <R extends CudaResource> R register(R resource) {
        open.add(resource);
        return resource;
    }

    synchronized void forget(CudaResource resource) {
        open.remove(resource);
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("CudaContext used after close");
        }
    }

    /**
     * Frees every owner made here that is still open, newest first, then releases the primary context (which lives
     * on while FFmpeg holds it). Frees what it can even when a call fails, then throws the first failure.
     * Idempotent.
     */
    @Override
    public void close() {
        List<CudaResource> owners;
        synchronized (this) {
            if (closed) {
                return;
            }
            owners = new ArrayList<>(open);
        }
        RuntimeException failure = null;
        for (CudaResource owner : owners.reversed()) {
            failure = Failures.attempt(failure, owner::close);
        }
        synchronized (this) {
            closed = true;
        }
        failure = Failures.attempt(failure, () -> driver.devicePrimaryCtxRelease(device));
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "CudaContext[device " + ordinal + (closed ? ", closed]" : "]");
    }
}
