package io.vigil.kernels.cuda;

import static io.vigil.kernels.cuda.FrameRecords.ANCHOR;
import static io.vigil.kernels.cuda.FrameRecords.ANCHOR_PITCH;
import static io.vigil.kernels.cuda.FrameRecords.BLACK_THRESHOLD;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_PEAKS;
import static io.vigil.kernels.cuda.FrameRecords.PEAK_SAD_ABOVE;
import static io.vigil.kernels.cuda.FrameRecords.PEAK_SAD_AT_MOST;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_THREADS;
import static io.vigil.kernels.cuda.FrameRecords.BYTES_PER_SAMPLE;
import static io.vigil.kernels.cuda.FrameRecords.DESCRIPTOR_BYTES;
import static io.vigil.kernels.cuda.FrameRecords.HEIGHT;
import static io.vigil.kernels.cuda.FrameRecords.INIT_THREADS;
import static io.vigil.kernels.cuda.FrameRecords.MAX_PLANES;
import static io.vigil.kernels.cuda.FrameRecords.PITCH;
import static io.vigil.kernels.cuda.FrameRecords.PLANE;
import static io.vigil.kernels.cuda.FrameRecords.PLANE_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.REF;
import static io.vigil.kernels.cuda.FrameRecords.REF_PITCH;
import static io.vigil.kernels.cuda.FrameRecords.BRNG_CHROMA_HIGH;
import static io.vigil.kernels.cuda.FrameRecords.BRNG_LOW;
import static io.vigil.kernels.cuda.FrameRecords.BRNG_LUMA_HIGH;
import static io.vigil.kernels.cuda.FrameRecords.CHROMA_SHAPE;
import static io.vigil.kernels.cuda.FrameRecords.LETTERBOX;
import static io.vigil.kernels.cuda.FrameRecords.LETTERBOX_LIMIT;
import static io.vigil.kernels.cuda.FrameRecords.BLOCKINESS;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_ALPHA;
import static io.vigil.kernels.cuda.FrameRecords.BIT_DEPTH;
import static io.vigil.kernels.cuda.FrameRecords.BLUR;
import static io.vigil.kernels.cuda.FrameRecords.COLOR_BARS;
import static io.vigil.kernels.cuda.FrameRecords.RESERVED;
import static io.vigil.kernels.cuda.FrameRecords.RESULT_BYTES;
import static io.vigil.kernels.cuda.FrameRecords.SHIFT;
import static io.vigil.kernels.cuda.FrameRecords.WARP_SIZE;
import static io.vigil.kernels.cuda.FrameRecords.WIDTH;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.cuda.CudaContext;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaEvent;
import io.vigil.ffi.cuda.CudaModule;
import io.vigil.ffi.cuda.CudaStream;
import io.vigil.ffi.cuda.DeviceBuffer;
import io.vigil.ffi.cuda.Failures;
import io.vigil.ffi.cuda.PinnedBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * The luma statistics and the frame difference of a batch of frames in CUDA memory, computed by the kernels in
 * vigil_stats.ptx: per frame the dark-sample count, luma sum, minimum and maximum of plane 0, and the SAD against
 * a reference frame over all planes with its sample count, and on request signalstats' BRNG count, cropdetect's bars,
 * Blockiness', Blur's and ColorBars' sums (Blur and ColorBars in a third kernel over their sampled lines), and
 * freeze's block peaks against the reference and an anchor frame (a fourth kernel, a thread per 16x16 block). These are
 * the integers the CPU reference
 * ({@code LumaStats}, {@code FrameDifference.mafd}) computes, with the same definitions (16-bit samples are
 * {@code stored >> shift}; see vigil_stats.h); the means and MAFD are divided out by the caller.
 *
 * <p>Owns one {@link CudaContext} on a device's primary context (the context FFmpeg's NVDEC uses with
 * {@code primary_ctx=1}, so NVDEC's frames are readable without a copy), and through it: the loaded module, one
 * stream, two events, device buffers for {@link #capacity()} descriptors and results, and pinned host buffers for
 * both; closing it closes the context, which frees them all. A batch is: {@link #set} each slot, {@link #run} the
 * first {@code count} slots (one copy to the device, two launches and one more per kernel a frame asks for, one copy
 * back of {@link #bytesCopiedToHostPerFrame()} bytes per frame, one synchronize), then read each slot's
 * {@link #result}.
 *
 * <p>The stream synchronizes with the legacy NULL stream (CU_STREAM_DEFAULT), on which FFmpeg's NVDEC copies its
 * frames out unless told otherwise, so a batch never reads a frame whose copy is still queued.
 *
 * <p>Used by one thread at a time (any thread: {@link #run} and {@link #close} make the context current on the
 * calling thread and restore the thread's previous context after). Not reentrant. Nothing is allocated per frame.
 */
public final class CudaStats implements AutoCloseable {
    /** The most frames a batch can hold: the grid's y dimension is the frame (65535 at most). */
    public static final int MAX_CAPACITY = 65535;
    static final String PTX_RESOURCE = "vigil_stats.ptx";
    static final String INIT_KERNEL = "vigil_stats_init";
    static final String STATS_KERNEL = "vigil_frame_stats";
    static final String LETTERBOX_KERNEL = "vigil_letterbox";
    static final String SAMPLED_KERNEL = "vigil_sampled";
    static final String BLOCK_PEAKS_KERNEL = "vigil_block_peaks";
    /** Side of the blocks vigil_block_peaks compares (VIGIL_PEAK_BLOCK). */
    static final int PEAK_BLOCK = 16;
    /** vigil_sampled's blocks before the blur's: the bars' one, the flatness rows' four (VIGIL_FIRST_BLUR_BLOCK). */
    static final int FIRST_BLUR_BLOCK = 5;
    /** Rows each warp of vigil_frame_stats is given per frame, on average: sizes the grid's x dimension. */
    static final int ROWS_PER_WARP = 4;
    /** Bytes of one frame's result record (VigilFrameResult), as {@link #copyResult} copies it. */
    public static final long RECORD_BYTES = RESULT_BYTES;
    /** What the pinned results hold before each batch's copy back, so that a copy that never came shows. */
    static final byte POISON = (byte) 0xAB;

    private final CudaContext context;
    private final CudaDriver driver;
    private final int capacity;
    /** Holds the launch arguments; closed with this. */
    private final Arena arena;
    /** The launch arguments (descs, results, count) and the array of pointers to them that cuLaunchKernel takes. */
    private final MemorySegment argumentValues;
    private final MemorySegment kernelParams;
    /** Rows the statistics kernel visits for the frame in each slot; -1 for a slot never set. */
    private final long[] rows;
    /** Blur's lines of the frame in each slot when it asks for Blur, else 0; and whether it asks for ColorBars. */
    private final long[] blurLines;
    private final boolean[] colorBars;
    /** Whether the frame in each slot asks for cropdetect's bars (the letterbox kernel runs when any does). */
    private final boolean[] letterbox;
    /** The 16x16 blocks of the frame in each slot when it asks for freeze's block peaks, else 0. */
    private final long[] peakBlocks;

    private final MemorySegment initKernel;
    private final MemorySegment statsKernel;
    private final MemorySegment letterboxKernel;
    private final MemorySegment sampledKernel;
    private final MemorySegment blockPeaksKernel;
    private final CudaStream stream;
    private final CudaEvent start;
    private final CudaEvent stop;
    private final DeviceBuffer deviceDescriptors;
    private final DeviceBuffer deviceResults;
    /** The pinned descriptors and results: written and read for every frame, freed with the context. */
    private final MemorySegment hostDescriptors;
    private final MemorySegment hostResults;
    /** A view of each slot's result record in {@link #hostResults}. */
    private final FrameResult[] results;

    private int lastCount;
    private double lastKernelMillis = Double.NaN;
    private boolean closed;

    // set()'s scratch: a VideoFrame's planes, gathered without allocating.
    private final long[] framePlanes = new long[MAX_PLANES];
    private final int[] framePitches = new int[MAX_PLANES];
    private final int[] frameWidths = new int[MAX_PLANES];
    private final int[] frameHeights = new int[MAX_PLANES];
    private final long[] referencePlanes = new long[MAX_PLANES];
    private final int[] referencePitches = new int[MAX_PLANES];
    private final long[] anchorPlanes = new long[MAX_PLANES];
    private final int[] anchorPitches = new int[MAX_PLANES];

    /** Takes everything a batch needs from {@code context}; what it took is freed with the context if this throws. */
    private CudaStats(CudaContext context, Arena arena, byte[] ptx, int capacity) {
        this.context = context;
        this.driver = context.driver();
        this.capacity = capacity;
        this.arena = arena;
        this.argumentValues = arena.allocate(24, 8);
        this.kernelParams = arena.allocate(ADDRESS, 3);
        kernelParams.setAtIndex(ADDRESS, 0, argumentValues.asSlice(0, 8));
        kernelParams.setAtIndex(ADDRESS, 1, argumentValues.asSlice(8, 8));
        kernelParams.setAtIndex(ADDRESS, 2, argumentValues.asSlice(16, 4));
        this.rows = new long[capacity];
        Arrays.fill(rows, -1);
        letterbox = new boolean[capacity];
        blurLines = new long[capacity];
        colorBars = new boolean[capacity];
        peakBlocks = new long[capacity];

        CudaModule module = context.loadModule(ptx);
        initKernel = module.function(INIT_KERNEL);
        statsKernel = module.function(STATS_KERNEL);
        letterboxKernel = module.function(LETTERBOX_KERNEL);
        sampledKernel = module.function(SAMPLED_KERNEL);
        blockPeaksKernel = module.function(BLOCK_PEAKS_KERNEL);
        // A blocking stream: it waits for work on the legacy NULL stream, where FFmpeg's NVDEC copies each decoded
        // surface into its output frame, so a kernel never reads a frame before that copy has finished.
        stream = context.createStream(CudaDriver.CU_STREAM_DEFAULT);
        start = context.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        stop = context.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        deviceDescriptors = context.allocate(capacity * DESCRIPTOR_BYTES);
        deviceResults = context.allocate(capacity * RESULT_BYTES);
        PinnedBuffer descriptors = context.allocatePinned(capacity * DESCRIPTOR_BYTES);
        PinnedBuffer resultRecords = context.allocatePinned(capacity * RESULT_BYTES);
        hostDescriptors = descriptors.segment();
        hostResults = resultRecords.segment();
        hostDescriptors.fill((byte) 0);
        hostResults.fill(POISON);
        results = new FrameResult[capacity];
        for (int slot = 0; slot < capacity; slot++) {
            results[slot] = new FrameResult(hostResults, slot * RESULT_BYTES);
        }
        argumentValues.set(JAVA_LONG, 0, deviceDescriptors.address());
        argumentValues.set(JAVA_LONG, 8, deviceResults.address());
        argumentValues.set(JAVA_INT, 16, 0);
    }

    /**
     * Retains device {@code deviceOrdinal}'s primary context, loads the kernels from the PTX on the classpath (the
     * driver JIT-compiles it for this GPU) and allocates buffers for batches of up to {@code capacity} frames. Calls
     * cuInit. Throws {@link io.vigil.ffi.cuda.CudaException} naming the driver call that failed, after giving back
     * whatever it had taken.
     */
    public static CudaStats open(CudaDriver driver, int deviceOrdinal, int capacity) {
        Objects.requireNonNull(driver, "driver");
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be within 1.." + MAX_CAPACITY + ", got " + capacity);
        }
        byte[] ptx = readPtx();
        CudaContext context = CudaContext.retainPrimary(driver, deviceOrdinal);
        Arena arena = Arena.ofShared();
        try {
            return new CudaStats(context, arena, ptx, capacity);
        } catch (RuntimeException | Error e) {
            giveBack(context, arena, e);
            throw e;
        }
    }

    /** Frees what a failed open took; a failure to free rides along on the one that made it fail. */
    static void giveBack(CudaContext context, Arena arena, Throwable failure) {
        try {
            context.close();
        } catch (RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        } finally {
            arena.close();
        }
    }

    static byte[] readPtx() {
        try (InputStream in = CudaStats.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(PTX_RESOURCE + " is missing from the classpath (io/vigil/kernels/cuda/):"
                        + " the kernels jar was built without its PTX");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PTX_RESOURCE, e);
        }
    }

    /** The most frames one {@link #run} takes. */
    public int capacity() {
        return capacity;
    }

    /**
     * Describes {@code frame}, an NVDEC frame whose planes are in device memory, in slot {@code slot} of the next
     * batch: the luma statistics against {@code blackThreshold} (a code value in the frame's bit depth, as
     * {@code LumaStats.blackCodeValue} gives it), and the SAD against {@code referenceOrNull}'s planes. A reference
     * that is null, released, not on the device, or of another size or pixel format gives no SAD (sad and samples
     * 0), as FrameDifference does not compare such frames. Both frames must stay referenced until {@link #run}
     * returns.
     */
    public void set(int slot, VideoFrame frame, VideoFrame referenceOrNull, int blackThreshold) {
        set(slot, frame, referenceOrNull, blackThreshold, false);
    }

    /** As {@link #set(int, VideoFrame, VideoFrame, int)}, and signalstats' BRNG count too when {@code brng}. */
    public void set(int slot, VideoFrame frame, VideoFrame referenceOrNull, int blackThreshold, boolean brng) {
        ensureOpen();
        if (!frame.onDevice()) {
            throw new IllegalArgumentException("frame " + frame.index()
                    + " is in host memory: CudaStats reads frames in device memory (NVDEC)");
        }
        PixelLayout layout = frame.layout();
        int planeCount = layout.planes();
        if (planeCount > MAX_PLANES) {
            throw new IllegalArgumentException(layout.name() + " has " + planeCount + " planes; the kernels read at most "
                    + MAX_PLANES);
        }
        boolean comparable = referenceOrNull != null && referenceOrNull.isFilled() && referenceOrNull.onDevice()
                && referenceOrNull.width() == frame.width() && referenceOrNull.height() == frame.height()
                && referenceOrNull.layout().format() == layout.format();
        for (int p = 0; p < planeCount; p++) {
            framePlanes[p] = frame.planeAddress(p);
            framePitches[p] = frame.linesize(p);
            frameWidths[p] = frame.planeWidth(p);
            frameHeights[p] = frame.planeHeight(p);
            referencePlanes[p] = comparable ? referenceOrNull.planeAddress(p) : 0;
            referencePitches[p] = comparable ? referenceOrNull.linesize(p) : 0;
        }
        write(slot, framePlanes, framePitches, frameWidths, frameHeights, planeCount, layout.bytesPerSample(),
                layout.shift(), comparable ? referencePlanes : null, referencePitches, blackThreshold);
        if (brng) {
            setBroadcastRange(slot, layout.bitDepth(), layout.log2ChromaW(), layout.log2ChromaH(),
                    layout.chromaInterleaved());
        }
    }

    /**
     * Asks for freeze's block peaks ({@link FrameResult#referenceBlockPeak} and the others; see
     * io.vigil.kernels.FrameDifference) of the frame already described in {@code slot} with a reference (by {@link
     * #set}, which turns it off): against the reference and, when {@code anchorOrNull} is given, against it (a
     * device frame of the frame's size and format, referenced until {@link #run} returns). Measured only when the
     * frame's SAD against the reference is above {@code sadAbove} and at most {@code sadAtMost}.
     */
    public void setBlockPeaks(int slot, VideoFrame anchorOrNull, long sadAbove, long sadAtMost) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        if (anchorOrNull == null) {
            setBlockPeaks(slot, null, null, sadAbove, sadAtMost);
            return;
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        int planeCount = (int) PLANE_COUNT.get(d, at);
        if (!anchorOrNull.isFilled() || !anchorOrNull.onDevice() || anchorOrNull.layout().planes() != planeCount) {
            throw new IllegalArgumentException("slot " + slot + ": the anchor must be a filled device frame of "
                    + planeCount + " planes");
        }
        for (int p = 0; p < planeCount; p++) {
            if (anchorOrNull.planeWidth(p) != (int) WIDTH.get(d, at, (long) p)
                    || anchorOrNull.planeHeight(p) != (int) HEIGHT.get(d, at, (long) p)) {
                throw new IllegalArgumentException("slot " + slot + ": the anchor's plane " + p + " is "
                        + anchorOrNull.planeWidth(p) + "x" + anchorOrNull.planeHeight(p) + ", the frame's "
                        + WIDTH.get(d, at, (long) p) + "x" + HEIGHT.get(d, at, (long) p));
            }
            anchorPlanes[p] = anchorOrNull.planeAddress(p);
            anchorPitches[p] = anchorOrNull.linesize(p);
        }
        setBlockPeaks(slot, anchorPlanes, anchorPitches, sadAbove, sadAtMost);
    }

    /**
     * As {@link #setBlockPeaks(int, VideoFrame, long, long)}, the anchor given by its planes' device addresses and
     * pitches (null: no anchor), of the frame's widths and heights.
     */
    public void setBlockPeaks(int slot, long[] anchorPlanesOrNull, int[] anchorPitchesOrNull, long sadAbove,
                              long sadAtMost) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        if ((long) REF.get(d, at, 0L) == 0) {
            throw new IllegalArgumentException("slot " + slot + " has no reference: the block peaks need one");
        }
        int planeCount = (int) PLANE_COUNT.get(d, at);
        int bytesPerSample = (int) BYTES_PER_SAMPLE.get(d, at);
        long blocks = 0;
        for (int p = 0; p < planeCount; p++) {
            int width = (int) WIDTH.get(d, at, (long) p);
            int height = (int) HEIGHT.get(d, at, (long) p);
            if (anchorPlanesOrNull != null) {
                checkPlane(slot, p, "anchor plane", anchorPlanesOrNull[p], anchorPitchesOrNull[p], width, height,
                        bytesPerSample);
            }
            blocks += (long) ((width + PEAK_BLOCK - 1) / PEAK_BLOCK) * ((height + PEAK_BLOCK - 1) / PEAK_BLOCK);
        }
        for (long p = 0; p < MAX_PLANES; p++) {
            boolean used = anchorPlanesOrNull != null && p < planeCount;
            ANCHOR.set(d, at, p, used ? anchorPlanesOrNull[(int) p] : 0L);
            ANCHOR_PITCH.set(d, at, p, used ? anchorPitchesOrNull[(int) p] : 0);
        }
        BLOCK_PEAKS.set(d, at, 1);
        PEAK_SAD_ABOVE.set(d, at, sadAbove);
        PEAK_SAD_AT_MOST.set(d, at, sadAtMost);
        peakBlocks[slot] = blocks;
    }

    /**
     * Asks for io.vigil.kernels.Blockiness' four sums ({@link FrameResult#blockinessSums}) of the frame already
     * described in {@code slot} (by {@link #set} or {@link #setPlanes}, which turn it off), at {@code bitDepth}.
     */
    public void setBlockiness(int slot, int bitDepth) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        if (bitDepth < 8 || bitDepth > 16) {
            throw new IllegalArgumentException("bit depth must be within 8..16, got " + bitDepth);
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        BLOCKINESS.set(d, at, 1);
        BLOCK_ALPHA.set(d, at, 16 << (bitDepth - 8));
    }

    /**
     * Asks for io.vigil.kernels.Blur's three sums ({@link FrameResult#blurSums}) of the frame already described in
     * {@code slot} (by {@link #set} or {@link #setPlanes}, which turn it off), at {@code bitDepth}: plane 0 read at 8
     * bits.
     */
    public void setBlur(int slot, int bitDepth) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        checkBitDepth(slot, bitDepth);
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        BLUR.set(d, at, 1);
        BIT_DEPTH.set(d, at, bitDepth);
        int width = (int) WIDTH.get(d, at, 0L);
        int height = (int) HEIGHT.get(d, at, 0L);
        blurLines[slot] = (height >= 4 ? (height - 4) / 4 + 1 : 0) + (width >= 4 ? (width - 4) / 4 + 1 : 0);
    }

    /**
     * Asks for io.vigil.kernels.ColorBars' bars ({@link FrameResult#barsMatched}) and flatness ({@link
     * FrameResult#flatnessSums}) of the frame already described in {@code slot} (by {@link #set} or {@link #setPlanes},
     * which turn it off), at {@code bitDepth}, chroma subsampled by {@code 2^log2ChromaW} x {@code 2^log2ChromaH}, U
     * and V interleaved in plane 1 when {@code interleaved}, else in planes 1 and 2 (a one-plane frame has flatness
     * only).
     */
    public void setColorBars(int slot, int bitDepth, int log2ChromaW, int log2ChromaH, boolean interleaved) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        checkBitDepth(slot, bitDepth);
        if (log2ChromaW < 0 || log2ChromaW > 4 || log2ChromaH < 0 || log2ChromaH > 4) {
            throw new IllegalArgumentException("chroma subsampling out of range: " + log2ChromaW + ", " + log2ChromaH);
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        int planeCount = (int) PLANE_COUNT.get(d, at);
        if (planeCount == 2 && !interleaved || planeCount == 3 && interleaved) {
            throw new IllegalArgumentException("slot " + slot + ": " + planeCount + " planes with interleaved "
                    + interleaved);
        }
        COLOR_BARS.set(d, at, 1);
        BIT_DEPTH.set(d, at, bitDepth);
        CHROMA_SHAPE.set(d, at, log2ChromaW | log2ChromaH << 4 | (interleaved ? 1 : 0) << 8);
        colorBars[slot] = true;
    }

    private void checkBitDepth(int slot, int bitDepth) {
        int bytesPerSample = (int) BYTES_PER_SAMPLE.get(hostDescriptors, slot * DESCRIPTOR_BYTES);
        int shift = (int) SHIFT.get(hostDescriptors, slot * DESCRIPTOR_BYTES);
        if (bitDepth < 8 || bitDepth + shift > 8 * bytesPerSample) {
            throw new IllegalArgumentException("slot " + slot + ": bit depth " + bitDepth + " does not fit "
                    + bytesPerSample + "-byte samples stored << " + shift);
        }
    }

    /**
     * Asks for cropdetect's bars ({@link FrameResult#barTop} and the others) of the frame already described in {@code
     * slot} (by {@link #set} or {@link #setPlanes}, which turn it off): a line of plane 0 is black when its sum is
     * below {@code (limitCode + 1) * length}, {@code limitCode} being cropdetect's integer limit (see
     * io.vigil.kernels.Letterbox#limitCode). Same definition as io.vigil.kernels.Letterbox.
     */
    public void setLetterbox(int slot, int limitCode) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        if (limitCode < 0 || limitCode > 65535) {
            throw new IllegalArgumentException("letterbox limit must be within 0..65535, got " + limitCode);
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        LETTERBOX.set(d, at, 1);
        LETTERBOX_LIMIT.set(d, at, limitCode);
        letterbox[slot] = true;
    }

    /**
     * Asks for signalstats' BRNG count ({@link FrameResult#brngCount}) of the frame already described in {@code slot}
     * (by {@link #set} or {@link #setPlanes}, which turn it off): limits 16, 235 and 240 scaled to {@code bitDepth},
     * chroma subsampled by {@code 2^log2ChromaW} x {@code 2^log2ChromaH}, U and V interleaved in plane 1 when {@code
     * interleaved}, else in planes 1 and 2 (a one-plane frame tests luma only). Same definition as
     * io.vigil.kernels.BroadcastRange.
     */
    public void setBroadcastRange(int slot, int bitDepth, int log2ChromaW, int log2ChromaH, boolean interleaved) {
        ensureOpen();
        Objects.checkIndex(slot, capacity);
        if (bitDepth < 8 || bitDepth > 16) {
            throw new IllegalArgumentException("bit depth must be within 8..16, got " + bitDepth);
        }
        if (log2ChromaW < 0 || log2ChromaW > 4 || log2ChromaH < 0 || log2ChromaH > 4) {
            throw new IllegalArgumentException("chroma subsampling out of range: " + log2ChromaW + ", " + log2ChromaH);
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        int planeCount = (int) PLANE_COUNT.get(d, at);
        if (planeCount == 2 && !interleaved || planeCount == 3 && interleaved) {
            throw new IllegalArgumentException("slot " + slot + ": " + planeCount + " planes with interleaved "
                    + interleaved);
        }
        int m = 1 << (bitDepth - 8);
        BRNG_LOW.set(d, at, 16 * m);
        BRNG_LUMA_HIGH.set(d, at, 235 * m);
        BRNG_CHROMA_HIGH.set(d, at, 240 * m);
        CHROMA_SHAPE.set(d, at, log2ChromaW | log2ChromaH << 4 | (interleaved ? 1 : 0) << 8);
    }

    /**
     * Describes a frame in slot {@code slot} of the next batch from its parts: {@code planeCount} (1..3) planes at
     * device addresses {@code planes}, {@code pitches} bytes from row to row, {@code widths} samples per row (both
     * components for interleaved chroma) and {@code heights} rows; samples of {@code bytesPerSample} (1 or 2) bytes,
     * 16-bit ones read as {@code stored >> shift}. {@code refPlanes} null (or all 0) means no reference; otherwise
     * the reference has the same widths and heights with its own {@code refPitches}.
     */
    public void setPlanes(int slot, long[] planes, int[] pitches, int[] widths, int[] heights, int planeCount,
                          int bytesPerSample, int shift, long[] refPlanes, int[] refPitches, int blackThreshold) {
        ensureOpen();
        if (planeCount < 1 || planeCount > MAX_PLANES) {
            throw new IllegalArgumentException("planeCount must be within 1.." + MAX_PLANES + ", got " + planeCount);
        }
        if (planes.length < planeCount || pitches.length < planeCount || widths.length < planeCount
                || heights.length < planeCount) {
            throw new IllegalArgumentException("plane arrays shorter than planeCount " + planeCount);
        }
        boolean withRef = false;
        if (refPlanes != null) {
            if (refPlanes.length < planeCount || refPitches == null || refPitches.length < planeCount) {
                throw new IllegalArgumentException("reference arrays shorter than planeCount " + planeCount);
            }
            for (int p = 0; p < planeCount; p++) {
                withRef |= refPlanes[p] != 0;
            }
        }
        write(slot, planes, pitches, widths, heights, planeCount, bytesPerSample, shift, withRef ? refPlanes : null,
                refPitches, blackThreshold);
    }

    private void write(int slot, long[] planes, int[] pitches, int[] widths, int[] heights, int planeCount,
                       int bytesPerSample, int shift, long[] refPlanes, int[] refPitches, int blackThreshold) {
        Objects.checkIndex(slot, capacity);
        if (bytesPerSample != 1 && bytesPerSample != 2) {
            throw new IllegalArgumentException("bytesPerSample must be 1 or 2, got " + bytesPerSample);
        }
        if (shift < 0 || shift >= 8 * bytesPerSample || bytesPerSample == 1 && shift != 0) {
            throw new IllegalArgumentException("shift " + shift + " does not fit " + bytesPerSample + "-byte samples");
        }
        long visited = 0;
        for (int p = 0; p < planeCount; p++) {
            checkPlane(slot, p, "plane", planes[p], pitches[p], widths[p], heights[p], bytesPerSample);
            if (refPlanes != null) {
                checkPlane(slot, p, "reference plane", refPlanes[p], refPitches[p], widths[p], heights[p],
                        bytesPerSample);
            }
            if (p == 0 || refPlanes != null) {
                visited += heights[p];
            }
        }
        final MemorySegment d = hostDescriptors;
        final long at = slot * DESCRIPTOR_BYTES;
        for (long p = 0; p < MAX_PLANES; p++) {
            int i = (int) p;
            boolean used = i < planeCount;
            PLANE.set(d, at, p, used ? planes[i] : 0L);
            REF.set(d, at, p, used && refPlanes != null ? refPlanes[i] : 0L);
            PITCH.set(d, at, p, used ? pitches[i] : 0);
            REF_PITCH.set(d, at, p, used && refPlanes != null ? refPitches[i] : 0);
            WIDTH.set(d, at, p, used ? widths[i] : 0);
            HEIGHT.set(d, at, p, used ? heights[i] : 0);
        }
        PLANE_COUNT.set(d, at, planeCount);
        BYTES_PER_SAMPLE.set(d, at, bytesPerSample);
        SHIFT.set(d, at, shift);
        BLACK_THRESHOLD.set(d, at, blackThreshold);
        BRNG_LOW.set(d, at, 0);
        BRNG_LUMA_HIGH.set(d, at, 0);
        BRNG_CHROMA_HIGH.set(d, at, 0);
        CHROMA_SHAPE.set(d, at, 0);
        LETTERBOX.set(d, at, 0);
        LETTERBOX_LIMIT.set(d, at, 0);
        BLOCKINESS.set(d, at, 0);
        BLOCK_ALPHA.set(d, at, 0);
        BLUR.set(d, at, 0);
        COLOR_BARS.set(d, at, 0);
        BIT_DEPTH.set(d, at, 0);
        BLOCK_PEAKS.set(d, at, 0);
        for (long p = 0; p < MAX_PLANES; p++) {
            ANCHOR.set(d, at, p, 0L);
            ANCHOR_PITCH.set(d, at, p, 0);
        }
        PEAK_SAD_ABOVE.set(d, at, 0L);
        PEAK_SAD_AT_MOST.set(d, at, 0L);
        RESERVED.set(d, at, 0);
        peakBlocks[slot] = 0;
        letterbox[slot] = false;
        blurLines[slot] = 0;
        colorBars[slot] = false;
        rows[slot] = visited;
    }

    private static void checkPlane(int slot, int p, String what, long address, int pitch, int width, int height,
                                   int bytesPerSample) {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("slot " + slot + ": " + what + " " + p + " is " + width + "x" + height);
        }
        if (width > 0 && height > 0 && address == 0) {
            throw new IllegalArgumentException("slot " + slot + ": " + what + " " + p + " has no address");
        }
        if (height > 1 && Math.abs((long) pitch) < (long) width * bytesPerSample) {
            throw new IllegalArgumentException("slot " + slot + ": " + what + " " + p + " has pitch " + pitch
                    + " for rows of " + (long) width * bytesPerSample + " bytes");
        }
    }

    /**
     * Computes slots {@code 0..count-1} as one batch and waits for it: copies the descriptors to the device, launches
     * the kernels, copies the results back into pinned memory. Makes the context current on the calling thread for
     * the call. {@code count} 0 does nothing. Throws {@link io.vigil.ffi.cuda.CudaException} when a driver call or a
     * kernel fails (a kernel fault also spoils the context for everyone on it, FFmpeg included).
     */
    public void run(int count) {
        ensureOpen();
        if (count < 0 || count > capacity) {
            throw new IllegalArgumentException("count must be within 0.." + capacity + ", got " + count);
        }
        long maxRows = 0;
        boolean anyLetterbox = false;
        boolean anySampled = false;
        long maxBlurLines = 0;
        long maxPeakBlocks = 0;
        for (int slot = 0; slot < count; slot++) {
            anyLetterbox |= letterbox[slot];
            maxPeakBlocks = Math.max(maxPeakBlocks, peakBlocks[slot]);
            anySampled |= colorBars[slot] || blurLines[slot] > 0;
            maxBlurLines = Math.max(maxBlurLines, blurLines[slot]);
            if (rows[slot] < 0) {
                throw new IllegalStateException("slot " + slot + " of the batch was never set");
            }
            maxRows = Math.max(maxRows, rows[slot]);
        }
        lastCount = 0;
        lastKernelMillis = Double.NaN;
        if (count == 0) {
            lastKernelMillis = 0;
            return;
        }
        long warpsPerBlock = BLOCK_THREADS / WARP_SIZE;
        int gridX = Math.clamp((maxRows + warpsPerBlock * ROWS_PER_WARP - 1) / (warpsPerBlock * ROWS_PER_WARP),
                1, Integer.MAX_VALUE);
        int initBlocks = (count + INIT_THREADS - 1) / INIT_THREADS;
        // vigil_sampled: the bars' and flatness' blocks, then a thread per blur line (at least one block).
        int sampledX = FIRST_BLUR_BLOCK + (int) Math.max(1, (maxBlurLines + BLOCK_THREADS - 1) / BLOCK_THREADS);
        hostResults.asSlice(0, count * RESULT_BYTES).fill(POISON);
        argumentValues.set(JAVA_INT, 16, count);

        final MemorySegment s = stream.handle();
        try (CudaContext.Current current = context.makeCurrent()) {
            driver.memcpyHtoDAsync(deviceDescriptors.address(), hostDescriptors, count * DESCRIPTOR_BYTES, s);
            driver.eventRecord(start.handle(), s);
            driver.launchKernel(initKernel, initBlocks, 1, 1, INIT_THREADS, 1, 1, 0, s, kernelParams);
            driver.launchKernel(statsKernel, gridX, count, 1, BLOCK_THREADS, 1, 1, 0, s, kernelParams);
            if (anyLetterbox) {
                driver.launchKernel(letterboxKernel, 1, count, 1, BLOCK_THREADS, 1, 1, 0, s, kernelParams);
            }
            if (anySampled) {
                driver.launchKernel(sampledKernel, sampledX, count, 1, BLOCK_THREADS, 1, 1, 0, s, kernelParams);
            }
            if (maxPeakBlocks > 0) {
                // After vigil_frame_stats: a frame's blocks read its SAD to know whether the test weighs it.
                int peaksX = Math.clamp((maxPeakBlocks + BLOCK_THREADS - 1) / BLOCK_THREADS, 1, Integer.MAX_VALUE);
                driver.launchKernel(blockPeaksKernel, peaksX, count, 1, BLOCK_THREADS, 1, 1, 0, s, kernelParams);
            }
            driver.eventRecord(stop.handle(), s);
            driver.memcpyDtoHAsync(hostResults, deviceResults.address(), count * RESULT_BYTES, s);
            driver.streamSynchronize(s);
            lastKernelMillis = driver.eventElapsedTime(start.handle(), stop.handle());
            lastCount = count;
        }
    }

    /**
     * The figures of the frame in {@code slot} of the last batch, read in place from the pinned results: valid until
     * the next {@link #run} (copy them with {@link #copyResult} to keep them), unreadable after {@link #close}.
     */
    public FrameResult result(int slot) {
        checkResult(slot);
        return results[slot];
    }

    /** Copies the result record of {@code slot} of the last batch into {@code record} ({@link #RECORD_BYTES} long). */
    public void copyResult(int slot, MemorySegment record) {
        checkResult(slot);
        MemorySegment.copy(hostResults, slot * RESULT_BYTES, record, 0, RESULT_BYTES);
    }

    /** Device milliseconds of the last batch's kernels (between events around them); NaN before any batch. */
    public double lastKernelMillis() {
        return lastKernelMillis;
    }

    /** Bytes that come back from the device per frame: one result record. */
    public long bytesCopiedToHostPerFrame() {
        return RESULT_BYTES;
    }

    private void checkResult(int slot) {
        ensureOpen();
        if (slot < 0 || slot >= lastCount) {
            throw new IndexOutOfBoundsException("slot " + slot + " is not in the last batch (" + lastCount + " frames)");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("CudaStats used after close");
        }
    }

    /**
     * Waits for queued work, then closes the context, which frees the buffers, events, stream and module and
     * releases the primary context (the context itself lives on while FFmpeg holds it). Frees what it can even when
     * a call fails, then throws the first failure. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lastCount = 0;
        RuntimeException failure = Failures.attempt(null, stream::synchronize);
        failure = Failures.attempt(failure, context::close);
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "CudaStats[device " + context.ordinal() + ", capacity " + capacity + (closed ? ", closed]" : "]");
    }
}
