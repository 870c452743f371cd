package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

/**
 * The one owner of libvigilpixels, the statistics' per-plane passes in C (native/src/main/c/vigil_pixels.c: gcc
 * -O3 loops vectorised for AVX-512, AVX2 and plain x86-64, the best picked when the library loads). The Java
 * classes in io.vigil.kernels stay the reference and the fallback, and which of the two runs is the caller's choice
 * (the kernels' C statistics provider); this class only says whether the library can run, never throwing while it
 * loads: when the library is missing (no C compiler at build time, another platform) or cannot load,
 * {@link #unavailableReason()} says why. Chosen over the Vector API, which is still an incubator module in Java 25
 * and would print a warning on every start of the CLI.
 *
 * <p>Loaded once per process, on first use: the .so is copied from the jar to a private temp file, opened, and the
 * file deleted (the mapping stays). Addresses travel as longs, so that a call creates no MemorySegment; the passes are short,
 * never block and never call back: critical downcalls, as BlockSad's.
 */
public final class VigilPixels {
    /** Where the build puts the library inside the jar. */
    static final String RESOURCE = "/io/vigil/ffi/linux-x86_64/libvigilpixels.so";
    private static final int VERSION = 3;

    /** Out-parameters of the calls, 4 longs per thread, so that a call allocates nothing. */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(4 * Long.BYTES, Long.BYTES));
    /** ColorBars' cell sums, {@value #CELL_SUMS} longs per thread. */
    public static final int CELL_SUMS = 832;
    private static final ThreadLocal<MemorySegment> CELLS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CELL_SUMS * Long.BYTES, Long.BYTES));
    /** Blur's line buffers, per thread, grown when a picture needs more: nothing allocated per frame. */
    private static final ThreadLocal<BlurScratch> BLUR_BUFFERS = ThreadLocal.withInitial(BlurScratch::new);

    private static final class BlurScratch {
        int width = -1;
        int height = -1;
        MemorySegment segment;
    }

    /** The library's entry points, bound the first time anyone asks (the holder idiom: no lock on the hot path). */
    private static final class Binding {
        static final MethodHandle LUMA;
        static final MethodHandle BRNG;
        static final MethodHandle BLOCKINESS;
        static final MethodHandle LETTERBOX;
        static final MethodHandle BLUR;
        static final MethodHandle BLUR_SCRATCH_BYTES;
        static final MethodHandle COLORBARS_CELLS;
        static final MethodHandle FLATNESS;
        static final MethodHandle BLOCK_DIFFERENCE;
        /** Null when bound; otherwise why the library cannot run. */
        static final String WHY_NOT;

        static {
            MethodHandle[] handles = new MethodHandle[9];
            String why;
            try {
                why = bind(handles);
            } catch (Throwable t) { // never fail the class: the Java loops are always there
                why = "libvigilpixels did not load: " + t;
            }
            boolean ok = why == null;
            LUMA = ok ? handles[0] : null;
            BRNG = ok ? handles[1] : null;
            BLOCKINESS = ok ? handles[2] : null;
            LETTERBOX = ok ? handles[3] : null;
            BLUR = ok ? handles[4] : null;
            BLUR_SCRATCH_BYTES = ok ? handles[5] : null;
            COLORBARS_CELLS = ok ? handles[6] : null;
            FLATNESS = ok ? handles[7] : null;
            BLOCK_DIFFERENCE = ok ? handles[8] : null;
            WHY_NOT = why;
        }

        private Binding() {
        }
    }

    private VigilPixels() {
    }

    /** Whether the C passes can run in this process (loads the library on first call). */
    public static boolean loaded() {
        return Binding.WHY_NOT == null;
    }

    /** Empty when the C passes can run; otherwise why not, in one sentence. Never throws. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Binding.WHY_NOT);
    }

    /** One line for people when the library runs: "libvigilpixels, AVX2". */
    public static String describe() {
        return "libvigilpixels, " + simdLevel();
    }

    /** LumaStats' pass: {@code out} gets dark count, sum, min, max. */
    public static void luma(long plane, int stride, int width, int height, int bytesPerSample, int shift,
                            int threshold, long[] out) {
        MemorySegment scratch = SCRATCH.get();
        try {
            Binding.LUMA.invokeExact(plane, (long) stride, width, height, bytesPerSample, shift, threshold, scratch.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_luma failed", t);
        }
        for (int i = 0; i < 4; i++) {
            out[i] = scratch.getAtIndex(JAVA_LONG, i);
        }
    }

    /** BroadcastRange's out-of-range pixel count. */
    public static long brng(long y, int yStride, long u, int uStride, long v, int vStride, int width, int height,
                            int bytesPerSample, int shift, int bitDepth, int log2ChromaW, int log2ChromaH,
                            boolean chroma, boolean interleaved) {
        try {
            return (long) Binding.BRNG.invokeExact(y, (long) yStride, u, (long) uStride, v, (long) vStride, width, height,
                    bytesPerSample, shift, bitDepth, log2ChromaW, log2ChromaH, chroma ? 1 : 0, interleaved ? 1 : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_brng failed", t);
        }
    }

    /** Blockiness' four sums, added to {@code out}. */
    public static void blockiness(long plane, int stride, int width, int height, int bytesPerSample, int shift,
                                  int bitDepth, long[] out) {
        MemorySegment scratch = SCRATCH.get();
        scratch.fill((byte) 0);
        try {
            Binding.BLOCKINESS.invokeExact(plane, (long) stride, width, height, bytesPerSample, shift, bitDepth,
                    scratch.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_blockiness failed", t);
        }
        for (int i = 0; i < 4; i++) {
            out[i] += scratch.getAtIndex(JAVA_LONG, i);
        }
    }

    /** Letterbox's bars, packed as Letterbox packs them; width and height 1..65535. */
    public static long letterbox(long plane, int stride, int width, int height, int bytesPerSample, int shift,
                                 long limitValue) {
        try {
            return (long) Binding.LETTERBOX.invokeExact(plane, (long) stride, width, height, bytesPerSample, shift,
                    limitValue);
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_letterbox failed", t);
        }
    }

    /** Blur's three sums ({@code [widthSum, edgeCount, lines]}), added to {@code out}. */
    public static void blur(long plane, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                            long[] out) {
        BlurScratch buffers = BLUR_BUFFERS.get();
        MemorySegment scratch = SCRATCH.get();
        scratch.fill((byte) 0);
        try {
            if (buffers.width != width || buffers.height != height) {
                long bytes = (long) Binding.BLUR_SCRATCH_BYTES.invokeExact(width, height);
                if (buffers.segment == null || buffers.segment.byteSize() < bytes) {
                    buffers.segment = Arena.ofAuto().allocate(bytes, 64);
                }
                buffers.width = width;
                buffers.height = height;
            }
            Binding.BLUR.invokeExact(plane, (long) stride, width, height, bytesPerSample, shift, bitDepth,
                    buffers.segment.address(), scratch.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_blur failed", t);
        }
        for (int i = 0; i < 3; i++) {
            out[i] += scratch.getAtIndex(JAVA_LONG, i);
        }
    }

    /**
     * ColorBars' cell sums (width at least 128, height at least 40, with chroma), copied into the arrays: row sums
     * (cell * 8 + row), left and right half sums, U and V sums, chroma sample counts.
     */
    public static void colorBarsCells(long y, int yStride, long u, int uStride, long v, int vStride, int width,
                                      int height, int bytesPerSample, int shift, int log2ChromaW, int log2ChromaH,
                                      boolean interleaved, long[] rowSums, long[] leftSums, long[] rightSums,
                                      long[] uSums, long[] vSums, long[] chromaCounts) {
        MemorySegment cells = CELLS.get();
        try {
            Binding.COLORBARS_CELLS.invokeExact(y, (long) yStride, u, (long) uStride, v, (long) vStride, width, height,
                    bytesPerSample, shift, log2ChromaW, log2ChromaH, interleaved ? 1 : 0, cells.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_colorbars_cells failed", t);
        }
        MemorySegment.copy(cells, JAVA_LONG, 0, rowSums, 0, 512);
        MemorySegment.copy(cells, JAVA_LONG, 512L * Long.BYTES, leftSums, 0, 64);
        MemorySegment.copy(cells, JAVA_LONG, 576L * Long.BYTES, rightSums, 0, 64);
        MemorySegment.copy(cells, JAVA_LONG, 640L * Long.BYTES, uSums, 0, 64);
        MemorySegment.copy(cells, JAVA_LONG, 704L * Long.BYTES, vSums, 0, 64);
        MemorySegment.copy(cells, JAVA_LONG, 768L * Long.BYTES, chromaCounts, 0, 64);
    }

    /** ColorBars' flatness counts ({@code [flat steps, edge steps, all steps]}), added to {@code out}. */
    public static void flatness(long plane, int stride, int width, int height, int bytesPerSample, int shift,
                                int bitDepth, long[] out) {
        MemorySegment scratch = SCRATCH.get();
        scratch.fill((byte) 0);
        try {
            Binding.FLATNESS.invokeExact(plane, (long) stride, width, height, bytesPerSample, shift, bitDepth,
                    scratch.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_flatness failed", t);
        }
        for (int i = 0; i < 3; i++) {
            out[i] += scratch.getAtIndex(JAVA_LONG, i);
        }
    }

    /**
     * FrameDifference's block peaks on one plane of two frames: {@code out[0]} and {@code out[1]} the SAD and the
     * samples of the 16x16 block with the largest mean, {@code out[2]} the plane's SAD (overwritten).
     */
    public static void blockDifference(long a, int strideA, long b, int strideB, int width, int height,
                                       int bytesPerSample, int shift, long[] out) {
        MemorySegment scratch = SCRATCH.get();
        try {
            Binding.BLOCK_DIFFERENCE.invokeExact(a, (long) strideA, b, (long) strideB, width, height, bytesPerSample,
                    shift, scratch.address());
        } catch (Throwable t) {
            throw new IllegalStateException("vigil_block_difference failed", t);
        }
        for (int i = 0; i < 3; i++) {
            out[i] = scratch.getAtIndex(JAVA_LONG, i);
        }
    }

    /** Fills {@code handles}; null when bound, else the reason it is not. */
    private static String bind(MethodHandle[] handles) throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "libvigilpixels is built for linux-x86_64 only, this is " + os + "-" + arch;
        }
        Path file;
        try (InputStream in = VigilPixels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "this build has no libvigilpixels (no C compiler when it was built)";
            }
            file = Files.createTempFile("vigil-pixels-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(file);
                throw e;
            }
        }
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(file, Arena.global());
        } finally {
            Files.deleteIfExists(file); // opened (or not): the mapping outlives the name
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle version = linker.downcallHandle(lib.findOrThrow("vigil_pixels_version"),
                FunctionDescriptor.of(JAVA_INT));
        int found;
        try {
            found = (int) version.invokeExact();
        } catch (Throwable t) {
            return "vigil_pixels_version failed: " + t;
        }
        if (found != VERSION) {
            return "libvigilpixels is version " + found + ", this vigil needs " + VERSION;
        }
        Linker.Option critical = Linker.Option.critical(false);
        handles[0] = linker.downcallHandle(lib.findOrThrow("vigil_luma"), FunctionDescriptor.ofVoid(JAVA_LONG,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        handles[1] = linker.downcallHandle(lib.findOrThrow("vigil_brng"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), critical);
        handles[2] = linker.downcallHandle(lib.findOrThrow("vigil_blockiness"), FunctionDescriptor.ofVoid(JAVA_LONG,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        handles[3] = linker.downcallHandle(lib.findOrThrow("vigil_letterbox"), FunctionDescriptor.of(JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        handles[4] = linker.downcallHandle(lib.findOrThrow("vigil_blur"), FunctionDescriptor.ofVoid(JAVA_LONG,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), critical);
        handles[5] = linker.downcallHandle(lib.findOrThrow("vigil_blur_scratch_bytes"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT), critical);
        handles[6] = linker.downcallHandle(lib.findOrThrow("vigil_colorbars_cells"), FunctionDescriptor.ofVoid(
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        handles[7] = linker.downcallHandle(lib.findOrThrow("vigil_flatness"), FunctionDescriptor.ofVoid(JAVA_LONG,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        handles[8] = linker.downcallHandle(lib.findOrThrow("vigil_block_difference"), FunctionDescriptor.ofVoid(
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        return null;
    }

    /** The widest vector extension the library's dispatcher will pick on this CPU, from /proc/cpuinfo. */
    private static String simdLevel() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            int end = info.indexOf('\n', Math.max(0, info.indexOf("flags")));
            String flags = " " + (end < 0 ? info : info.substring(0, end)) + " ";
            return flags.contains(" avx512bw ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2" : "SSE2";
        } catch (IOException | RuntimeException e) {
            return "SIMD level unknown";
        }
    }
}
