package io.vigil.kernels.cuda;

import static io.vigil.kernels.cuda.FrameRecords.BIT_DEPTH;
import static io.vigil.kernels.cuda.FrameRecords.BYTES_PER_SAMPLE;
import static io.vigil.kernels.cuda.FrameRecords.CHROMA_SHAPE;
import static io.vigil.kernels.cuda.FrameRecords.DESCRIPTOR_BYTES;
import static io.vigil.kernels.cuda.FrameRecords.HEIGHT;
import static io.vigil.kernels.cuda.FrameRecords.MAX_PLANES;
import static io.vigil.kernels.cuda.FrameRecords.PITCH;
import static io.vigil.kernels.cuda.FrameRecords.PLANE;
import static io.vigil.kernels.cuda.FrameRecords.PLANE_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.SHIFT;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.cuda.CudaContext;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaStream;
import io.vigil.ffi.cuda.DeviceBuffer;
import io.vigil.ffi.cuda.Failures;
import io.vigil.ffi.cuda.PinnedBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Thumbnails made small on the device that holds the frame (vigil_thumbnail in vigil_stats.ptx): a frame in CUDA
 * memory is box-filtered to {@value #WIDTH} x height 8-bit yuv420p (packed Y, U, V; see vigil_stats.h for the exact
 * integers) in a small device buffer, and only that (86 KB at 320 x 180, 115 KB at 320 x 240) comes back, in one copy, rather
 * than the whole frame (3 MB for 1080p NV12, 6 MB for P010).
 *
 * <p>Owns one {@link CudaContext} on a device's primary context, and through it: the loaded module, one stream
 * (synchronizing with the legacy NULL stream, where NVDEC copies its frames out), a device descriptor and a pinned
 * host one, and a device and a pinned host picture buffer that grow to the tallest thumbnail asked for (the old ones
 * freed). One thread at a time; not
 * reentrant. Nothing is allocated per thumbnail once the buffers have grown.
 */
public final class CudaThumbnails implements AutoCloseable {
    /** Width of every thumbnail: io.vigil.ffi.ThumbnailWriter's. */
    public static final int WIDTH = 320;
    /** VIGIL_THUMB_THREADS. */
    static final int THREADS = 256;
    static final String KERNEL = "vigil_thumbnail";
    /** The tallest thumbnail (ThumbnailWriter.heightFor's clamp). */
    public static final int MAX_HEIGHT = 8192;

    private final CudaContext context;
    private final CudaDriver driver;
    /** Holds the launch arguments; closed with this. */
    private final Arena arena;
    private final MemorySegment argumentValues;
    private final MemorySegment kernelParams;
    private final MemorySegment kernel;
    private final CudaStream stream;
    private final DeviceBuffer deviceDescriptor;
    private final MemorySegment hostDescriptor;
    /** The picture buffers, replaced by larger ones when a taller thumbnail is asked for; null before the first. */
    private DeviceBuffer devicePicture;
    private PinnedBuffer hostPicture;
    private int lastHeight;
    private boolean closed;
    // downscale(VideoFrame)'s scratch: the frame's planes.
    private final long[] planes = new long[MAX_PLANES];
    private final int[] pitches = new int[MAX_PLANES];
    private final int[] widths = new int[MAX_PLANES];
    private final int[] heights = new int[MAX_PLANES];

    /** Takes what every thumbnail needs from {@code context}; what it took is freed with the context if this throws. */
    private CudaThumbnails(CudaContext context, Arena arena, byte[] ptx) {
        this.context = context;
        this.driver = context.driver();
        this.arena = arena;
        argumentValues = arena.allocate(24, 8);
        kernelParams = arena.allocate(ADDRESS, 3);
        kernelParams.setAtIndex(ADDRESS, 0, argumentValues.asSlice(0, 8));
        kernelParams.setAtIndex(ADDRESS, 1, argumentValues.asSlice(8, 8));
        kernelParams.setAtIndex(ADDRESS, 2, argumentValues.asSlice(16, 4));
        kernel = context.loadModule(ptx).function(KERNEL);
        stream = context.createStream(CudaDriver.CU_STREAM_DEFAULT);
        deviceDescriptor = context.allocate(DESCRIPTOR_BYTES);
        hostDescriptor = context.allocatePinned(DESCRIPTOR_BYTES).segment();
        hostDescriptor.fill((byte) 0);
        argumentValues.set(JAVA_LONG, 0, deviceDescriptor.address());
    }

    /**
     * Retains device {@code deviceOrdinal}'s primary context (created with CU_CTX_SCHED_BLOCKING_SYNC when it is the
     * first, as FFmpeg requires) and loads the kernel. Throws {@link io.vigil.ffi.cuda.CudaException} naming the
     * driver call that failed, after giving back whatever it had taken.
     */
    public static CudaThumbnails open(CudaDriver driver, int deviceOrdinal) {
        Objects.requireNonNull(driver, "driver");
        byte[] ptx = CudaStats.readPtx();
        CudaContext context = CudaContext.retainPrimary(driver, deviceOrdinal);
        Arena arena = Arena.ofShared();
        try {
            return new CudaThumbnails(context, arena, ptx);
        } catch (RuntimeException | Error e) {
            CudaStats.giveBack(context, arena, e);
            throw e;
        }
    }

    /** Bytes of a thumbnail {@code height} rows high: Y, then U and V at half width and height. */
    public static long bytes(int height) {
        return (long) WIDTH * height + 2L * (WIDTH / 2) * (height / 2);
    }

    /**
     * Makes the {@value #WIDTH} x {@code height} thumbnail of {@code frame} (in device memory; NV12, P010 or a planar
     * YUV layout) and returns it in pinned host memory, valid until the next call or {@link #close}: packed 8-bit
     * yuv420p, {@link #bytes(int)} long, the frame's own range. {@code height} must be even, 2..{@value #MAX_HEIGHT}.
     */
    public MemorySegment downscale(VideoFrame frame, int height) {
        ensureOpen();
        if (!frame.onDevice()) {
            throw new IllegalArgumentException("frame " + frame.index()
                    + " is in host memory: CudaThumbnails reads frames in device memory (NVDEC)");
        }
        PixelLayout layout = frame.layout();
        int planeCount = layout.planes();
        if (planeCount > MAX_PLANES) {
            throw new IllegalArgumentException(layout.name() + " has " + planeCount + " planes; the kernel reads at most "
                    + MAX_PLANES);
        }
        for (int p = 0; p < planeCount; p++) {
            planes[p] = frame.planeAddress(p);
            pitches[p] = frame.linesize(p);
            widths[p] = frame.planeWidth(p);
            heights[p] = frame.planeHeight(p);
        }
        return downscale(planes, pitches, widths, heights, planeCount, layout.bytesPerSample(), layout.shift(),
                layout.bitDepth(), layout.chromaInterleaved(), height);
    }

    /**
     * As {@link #downscale(VideoFrame, int)}, from the frame's parts: {@code planeCount} (1..3) planes at device
     * addresses {@code planes}, {@code pitches} bytes from row to row (positive), {@code widths} samples per row (both
     * components for interleaved chroma) and {@code heights} rows, samples of {@code bytesPerSample} bytes read as
     * {@code stored >> shift} at {@code bitDepth} bits, U and V interleaved in plane 1 when {@code interleaved}.
     */
    public MemorySegment downscale(long[] planes, int[] pitches, int[] widths, int[] heights, int planeCount,
                                   int bytesPerSample, int shift, int bitDepth, boolean interleaved, int height) {
        ensureOpen();
        if (height < 2 || height > MAX_HEIGHT || height % 2 != 0) {
            throw new IllegalArgumentException("thumbnail height must be even, 2.." + MAX_HEIGHT + ", got " + height);
        }
        if (planeCount < 1 || planeCount > MAX_PLANES || planeCount == 2 && !interleaved
                || planeCount == 3 && interleaved) {
            throw new IllegalArgumentException(planeCount + " planes with interleaved " + interleaved);
        }
        if (bytesPerSample != 1 && bytesPerSample != 2 || bitDepth < 8 || bitDepth + shift > 8 * bytesPerSample
                || bytesPerSample == 1 && bitDepth != 8) {
            throw new IllegalArgumentException(bitDepth + "-bit samples stored << " + shift + " do not fit "
                    + bytesPerSample + "-byte samples");
        }
        for (int p = 0; p < planeCount; p++) {
            int minWidth = p > 0 && interleaved ? 2 : 1;
            if (planes[p] == 0 || pitches[p] <= 0 || widths[p] < minWidth || heights[p] < 1
                    || (long) widths[p] * bytesPerSample > pitches[p]) {
                throw new IllegalArgumentException("plane " + p + ": address " + Long.toHexString(planes[p])
                        + ", pitch " + pitches[p] + ", " + widths[p] + " x " + heights[p] + " samples: not a picture");
            }
        }
        MemorySegment d = hostDescriptor;
        d.fill((byte) 0);
        for (long p = 0; p < planeCount; p++) {
            int i = (int) p;
            PLANE.set(d, 0L, p, planes[i]);
            PITCH.set(d, 0L, p, pitches[i]);
            FrameRecords.WIDTH.set(d, 0L, p, widths[i]);
            HEIGHT.set(d, 0L, p, heights[i]);
        }
        PLANE_COUNT.set(d, 0L, planeCount);
        BYTES_PER_SAMPLE.set(d, 0L, bytesPerSample);
        SHIFT.set(d, 0L, shift);
        BIT_DEPTH.set(d, 0L, bitDepth);
        CHROMA_SHAPE.set(d, 0L, (interleaved ? 1 : 0) << 8);
        long bytes = bytes(height);
        int blocks = (int) ((bytes + THREADS - 1) / THREADS);

        if (hostPicture == null || bytes > hostPicture.byteSize()) {
            grow(bytes);
        }
        MemorySegment picture = hostPicture.segment();
        final MemorySegment s = stream.handle();
        try (CudaContext.Current current = context.makeCurrent()) {
            argumentValues.set(JAVA_LONG, 8, devicePicture.address());
            argumentValues.set(JAVA_INT, 16, height);
            driver.memcpyHtoDAsync(deviceDescriptor.address(), hostDescriptor, DESCRIPTOR_BYTES, s);
            driver.launchKernel(kernel, blocks, 1, 1, THREADS, 1, 1, 0, s, kernelParams);
            driver.memcpyDtoHAsync(picture, devicePicture.address(), bytes, s);
            driver.streamSynchronize(s);
            lastHeight = height;
        }
        return picture.asSlice(0, bytes);
    }

    /** Bytes the last {@link #downscale} brought back from the device (the whole thumbnail); 0 before any. */
    public long lastBytesCopiedToHost() {
        return lastHeight == 0 ? 0 : bytes(lastHeight);
    }

    /** Replaces the picture buffers with ones of {@code bytes}, once the work that reads the old ones is done. */
    private void grow(long bytes) {
        stream.synchronize();
        DeviceBuffer oldDevice = devicePicture;
        PinnedBuffer oldHost = hostPicture;
        devicePicture = null;
        hostPicture = null;
        RuntimeException failure = oldHost == null ? null : Failures.attempt(null, oldHost::close);
        failure = oldDevice == null ? failure : Failures.attempt(failure, oldDevice::close);
        if (failure != null) {
            throw failure;
        }
        devicePicture = context.allocate(bytes);
        hostPicture = context.allocatePinned(bytes);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("CudaThumbnails used after close");
        }
    }

    /**
     * Waits for queued work, then closes the context, which frees the buffers, stream and module and releases the
     * primary context. Frees what it can even when a call fails, then throws the first failure. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = Failures.attempt(null, stream::synchronize);
        failure = Failures.attempt(failure, context::close);
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "CudaThumbnails[device " + context.ordinal() + (closed ? ", closed]" : "]");
    }
}
