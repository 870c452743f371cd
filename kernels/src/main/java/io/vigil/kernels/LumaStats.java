package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * One pass over the luma plane: the share of dark samples (blackdetect's pixel test, {@code Y <= threshold}), and
 * the mean, minimum and maximum. 8-bit planes are read eight samples at a time as a {@code long}, with the byte
 * lanes split into 16-bit lanes so that comparisons and sums cannot carry into a neighbour (SWAR). With
 * {@link Loops#C}, libvigilpixels' C pass ({@link VigilPixels}) gives the same integers faster; this is the reference.
 */
public final class LumaStats {
    private static final long LANES = 0x00FF00FF00FF00FFL;
    private static final long HIGH = 0x8000800080008000L;
    private static final long ONES = 0x0001000100010001L;
    /** 16-bit lanes hold up to 65535: 128 additions of two bytes (510 each) fit. */
    private static final int FLUSH_EVERY = 128;

    private final double pixelThreshold;
    private final Loops loops;
    /** The native pass's dark count, sum, min and max: no allocation per frame. */
    private final long[] nativeOut = new long[4];

    /**
     * @param pixelThreshold blackdetect's {@code pix_th}: 0..1 of the luma range
     * @param loops the Java loops or libvigilpixels' C pass
     */
    public LumaStats(double pixelThreshold, Loops loops) {
        this.loops = Loops.require(loops);
        if (!(pixelThreshold >= 0 && pixelThreshold <= 1)) {
            throw new IllegalArgumentException("pixel threshold must be within 0..1, got " + pixelThreshold);
        }
        this.pixelThreshold = pixelThreshold;
    }

    /**
     * blackdetect's integer threshold: {@code pix_th} of the range above black, 16..235 scaled to the bit depth for
     * limited range, 0..max for full range, truncated as FFmpeg does.
     */
    public static int blackCodeValue(double pixelThreshold, int bitDepth, boolean fullRange) {
        int factor = 1 << (bitDepth - 8);
        return fullRange
                ? (int) (pixelThreshold * 255 * factor)
                : (int) (16 * factor + pixelThreshold * (235 - 16) * factor);
    }

    public void compute(VideoFrame frame, FrameStats out) {
        int width = frame.width();
        int height = frame.height();
        MemorySegment base = frame.plane(0);
        int stride = frame.linesize(0);
        int threshold = blackCodeValue(pixelThreshold, frame.layout().bitDepth(), frame.fullRange());
        if (loops == Loops.C) {
            computeNative(base, stride, width, height, frame.layout().bytesPerSample(), threshold,
                    frame.layout().shift(), nativeOut, out);
        } else if (frame.layout().bytesPerSample() == 1) {
            compute8(base, stride, width, height, threshold, out);
        } else {
            compute16(base, stride, width, height, threshold, frame.layout().shift(), out);
        }
    }

    static void compute8(MemorySegment base, int stride, int width, int height, int threshold, FrameStats out) {
        long dark = 0;
        long sum = 0;
        int min = 255;
        int max = 0;
        // Lanes hold threshold+1 (<= 256): a lane value b is dark when (b | 0x8000) - (threshold + 1) loses the high bit.
        final long darkBound = (threshold + 1L) * ONES;
        for (int y = 0; y < height; y++) {
            final long row = (long) y * stride;
            int x = 0;
            while (x + 8 <= width) {
                long acc = 0;
                int end = Math.min(width - 7, x + 8 * FLUSH_EVERY);
                long minBound = min * ONES;
                long maxBound = (max + 1L) * ONES;
                for (; x < end; x += 8) {
                    long v = base.get(JAVA_LONG_UNALIGNED, row + x);
                    long even = (v & LANES) | HIGH;
                    long odd = ((v >>> 8) & LANES) | HIGH;
                    acc += (even & LANES) + (odd & LANES);
                    dark += Long.bitCount(~(even - darkBound) & HIGH) + Long.bitCount(~(odd - darkBound) & HIGH);
                    // Only when some sample is below the minimum or above the maximum so far, look closer.
                    if ((((even - minBound) & (odd - minBound)) & HIGH) != HIGH
                            || (((even - maxBound) | (odd - maxBound)) & HIGH) != 0) {
                        for (int k = 0; k < 8; k++) {
                            int s = (int) ((v >>> (8 * k)) & 0xFF);
                            min = Math.min(min, s);
                            max = Math.max(max, s);
                        }
                        minBound = min * ONES;
                        maxBound = (max + 1L) * ONES;
                    }
                }
                sum += (acc & 0xFFFF) + ((acc >>> 16) & 0xFFFF) + ((acc >>> 32) & 0xFFFF) + (acc >>> 48);
            }
            for (; x < width; x++) {
                int s = base.get(JAVA_BYTE, row + x) & 0xFF;
                sum += s;
                dark += s <= threshold ? 1 : 0;
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        store(out, dark, sum, min, max, (long) width * height);
    }

    /** The same pass in C (libvigilpixels must be loaded); {@code scratch} holds four longs. */
    static void computeNative(MemorySegment base, int stride, int width, int height, int bytesPerSample,
                              int threshold, int shift, long[] scratch, FrameStats out) {
        VigilPixels.luma(base.address(), stride, width, height, bytesPerSample, shift, threshold, scratch);
        store(out, scratch[0], scratch[1], (int) scratch[2], (int) scratch[3], (long) width * height);
    }

    static void compute16(MemorySegment base, int stride, int width, int height, int threshold, FrameStats out) {
        compute16(base, stride, width, height, threshold, 0, out);
    }

    /** 16-bit little-endian samples, each {@code stored >> shift} (P010 keeps its 10 bits at the top of the word). */
    static void compute16(MemorySegment base, int stride, int width, int height, int threshold, int shift,
                          FrameStats out) {
        long dark = 0;
        long sum = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int y = 0; y < height; y++) {
            final long row = (long) y * stride;
            for (int x = 0; x < width; x++) {
                int s = (base.get(JAVA_SHORT_UNALIGNED, row + 2L * x) & 0xFFFF) >>> shift;
                sum += s;
                dark += s <= threshold ? 1 : 0;
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        store(out, dark, sum, min, max, (long) width * height);
    }

    private static void store(FrameStats out, long dark, long sum, int min, int max, long count) {
        out.darkFraction = count == 0 ? 0 : (double) dark / count;
        out.lumaMean = count == 0 ? 0 : (double) sum / count;
        out.lumaMin = min;
        out.lumaMax = max;
    }
}
