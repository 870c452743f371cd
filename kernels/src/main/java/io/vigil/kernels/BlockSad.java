package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.bytedeco.ffmpeg.avutil.av_pixelutils_sad_fn;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * Sum of absolute differences between two planes. 8-bit planes go through FFmpeg's own SIMD block SAD
 * ({@code av_pixelutils_get_sad_fn}, 32x32 blocks), called as a Panama downcall: a JNI call per block through
 * JavaCPP would allocate and cost more than the block. Edges that do not fill a block, and deeper samples, are
 * summed here in Java.
 */
final class BlockSad {
    private static final int BLOCK = 32;
    /** FFmpeg's 32x32 SAD, or null when this FFmpeg was built without pixelutils. */
    private static final MethodHandle SAD32 = bindSad(5);
    /** FFmpeg's 16x16 SAD for {@link #blockDifference}'s whole 8-bit blocks, or null without pixelutils. */
    private static final MethodHandle SAD16 = bindSad(4);

    private BlockSad() {
    }

    static boolean simd() {
        return SAD32 != null;
    }

    /** SAD of a {@code width} x {@code height} block of 8-bit samples, planes {@code a} and {@code b}. */
    static long sad8(MemorySegment a, int strideA, MemorySegment b, int strideB, int width, int height) {
        long total = 0;
        int blocksW = SAD32 == null ? 0 : width / BLOCK * BLOCK;
        int blocksH = SAD32 == null ? 0 : height / BLOCK * BLOCK;
        if (blocksW > 0 && blocksH > 0) {
            // FFmpeg reads the blocks by address: check once that the last block lies inside both planes.
            long lastA = (long) (blocksH - 1) * strideA + blocksW;
            long lastB = (long) (blocksH - 1) * strideB + blocksW;
            java.util.Objects.checkFromIndexSize(0, lastA, a.byteSize());
            java.util.Objects.checkFromIndexSize(0, lastB, b.byteSize());
        }
        final long baseA = a.address();
        final long baseB = b.address();
        for (int y = 0; y < blocksH; y += BLOCK) {
            long rowA = baseA + (long) y * strideA;
            long rowB = baseB + (long) y * strideB;
            for (int x = 0; x < blocksW; x += BLOCK) {
                total += sad32(rowA + x, strideA, rowB + x, strideB);
            }
        }
        // Right strip beside the blocks, then the rows below them.
        total += scalar8(a, blocksW, strideA, b, blocksW, strideB, width - blocksW, blocksH);
        total += scalar8(a, (long) blocksH * strideA, strideA, b, (long) blocksH * strideB, strideB, width,
                height - blocksH);
        return total;
    }

    /** SAD of a block of little-endian 16-bit samples, each {@code stored >> shift}. */
    static long sad16(MemorySegment a, int strideA, MemorySegment b, int strideB, int width, int height, int shift) {
        return scalar16(a, 0, strideA, b, 0, strideB, width, height, shift);
    }

    /** SAD of the 8-bit samples from byte {@code fromA} of plane {@code a} and {@code fromB} of {@code b}. */
    static long scalar8(MemorySegment a, long fromA, int strideA, MemorySegment b, long fromB, int strideB, int width,
                        int height) {
        long total = 0;
        for (int y = 0; y < height; y++) {
            long rowA = fromA + (long) y * strideA;
            long rowB = fromB + (long) y * strideB;
            int rowSum = 0;
            for (int x = 0; x < width; x++) {
                rowSum += Math.abs((a.get(JAVA_BYTE, rowA + x) & 0xFF) - (b.get(JAVA_BYTE, rowB + x) & 0xFF));
            }
            total += rowSum;
        }
        return total;
    }

    /** Side of the blocks {@link #blockDifference} compares: a macroblock, the unit an encoder codes a picture in. */
    static final int PEAK_BLOCK = 16;

    /**
     * The {@value #PEAK_BLOCK}x{@value #PEAK_BLOCK} blocks of two planes, in code values (samples {@code stored >>
     * shift} when {@code bytesPerSample} is 2); blocks cut by the right and bottom edges count by their own size.
     * {@code out[0]} and {@code out[1]}: the SAD and the samples of the block with the largest mean absolute difference
     * (0 and 1 when the plane is empty); {@code out[2]}: the SAD of the whole plane (the blocks' sum). A picture coded
     * again differs by about a code value in every block; a picture that changed, even a little, moves structure and
     * puts a larger difference in some block.
     */
    static void blockDifference(MemorySegment a, int strideA, MemorySegment b, int strideB, int width, int height,
                                int bytesPerSample, int shift, long[] out) {
        long peakSad = 0;
        long peakSamples = 1;
        long total = 0;
        for (int y = 0; y < height; y += PEAK_BLOCK) {
            int h = Math.min(PEAK_BLOCK, height - y);
            for (int x = 0; x < width; x += PEAK_BLOCK) {
                int w = Math.min(PEAK_BLOCK, width - x);
                long sad = bytesPerSample == 1 && w == PEAK_BLOCK && h == PEAK_BLOCK && SAD16 != null
                        ? sad16x16(a, (long) y * strideA + x, strideA, b, (long) y * strideB + x, strideB)
                        : bytesPerSample == 1
                        ? scalar8(a, (long) y * strideA + x, strideA, b, (long) y * strideB + x, strideB, w, h)
                        : scalar16(a, (long) y * strideA + 2L * x, strideA, b, (long) y * strideB + 2L * x, strideB,
                                w, h, shift);
                total += sad;
                // sad / samples > peakSad / peakSamples, without division.
                if (sad * peakSamples > peakSad * (long) (w * h)) {
                    peakSad = sad;
                    peakSamples = (long) w * h;
                }
            }
        }
        out[0] = peakSad;
        out[1] = peakSamples;
        out[2] = total;
    }

    private static long scalar16(MemorySegment a, long fromA, int strideA, MemorySegment b, long fromB, int strideB,
                                 int width, int height, int shift) {
        long total = 0;
        for (int y = 0; y < height; y++) {
            long rowA = fromA + (long) y * strideA;
            long rowB = fromB + (long) y * strideB;
            for (int x = 0; x < width; x++) {
                int sa = (a.get(JAVA_SHORT_UNALIGNED, rowA + 2L * x) & 0xFFFF) >>> shift;
                int sb = (b.get(JAVA_SHORT_UNALIGNED, rowB + 2L * x) & 0xFFFF) >>> shift;
                total += Math.abs(sa - sb);
            }
        }
        return total;
    }

    private static long sad16x16(MemorySegment a, long fromA, int strideA, MemorySegment b, long fromB, int strideB) {
        // FFmpeg reads the block by address: check that its last row lies inside both planes.
        java.util.Objects.checkFromIndexSize(fromA + 15L * strideA, PEAK_BLOCK, a.byteSize());
        java.util.Objects.checkFromIndexSize(fromB + 15L * strideB, PEAK_BLOCK, b.byteSize());
        try {
            return (int) SAD16.invokeExact(a.address() + fromA, (long) strideA, b.address() + fromB, (long) strideB);
        } catch (Throwable t) {
            throw new IllegalStateException("av_pixelutils SAD failed", t);
        }
    }

    private static long sad32(long a, int strideA, long b, int strideB) {
        try {
            return (int) SAD32.invokeExact(a, (long) strideA, b, (long) strideB);
        } catch (Throwable t) {
            throw new IllegalStateException("av_pixelutils SAD failed", t);
        }
    }

    /** FFmpeg's SAD of 2^bits x 2^bits blocks at any alignment, or null. */
    private static MethodHandle bindSad(int bits) {
        av_pixelutils_sad_fn fn = avutil.av_pixelutils_get_sad_fn(bits, bits, 0, null);
        if (fn == null || fn.isNull()) {
            return null;
        }
        // int sad(const uint8_t *src1, ptrdiff_t stride1, const uint8_t *src2, ptrdiff_t stride2). Pointers travel
        // as longs (the same register on x86-64 and AArch64), so a call creates no MemorySegment. The function is
        // short, never blocks and never calls back: a critical downcall.
        FunctionDescriptor signature = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        // A JavaCPP FunctionPointer points at its own holder struct, whose first field is the C function pointer.
        long function = MemorySegment.ofAddress(fn.address()).reinterpret(ADDRESS.byteSize()).get(JAVA_LONG, 0);
        return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(function), signature,
                Linker.Option.critical(false));
    }
}
