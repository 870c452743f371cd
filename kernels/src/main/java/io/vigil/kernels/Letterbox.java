package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * The black bars at the edges of the picture, as FFmpeg's cropdetect sees them in one frame (vf_cropdetect.c,
 * {@code checkline} and {@code FIND} with {@code reset_count=1}, {@code max_outliers=0}): a luma row (or column) is
 * black when the truncated mean of its samples ({@code sum / length}, integer division) is at most
 * {@code lrint(limit * max)}, with {@code limit} the ratio (cropdetect's default 24/255, in single precision as
 * FFmpeg holds it) and {@code max} the largest code value of the bit depth; that is, when
 * {@code sum < (lrint(limit * max) + 1) * length}. (cropdetect takes a limit of 1 or more as a code value; here it
 * is always a ratio.) The bar
 * at an edge is the run of black rows (columns) from that edge. A frame that is black throughout has every bar as
 * large as the picture (top = bottom = height, left = right = width): callers treat it as black, not as bars.
 * Samples are read as everywhere in the statistics: 8-bit bytes, or 16-bit little-endian words shifted right by the
 * layout's shift (P010). Holds one int per column, grown when a wider frame comes, so no allocation per frame.
 * With {@link Loops#C}, libvigilpixels' C pass ({@link VigilPixels}) finds the same bars faster (it sums only the
 * columns it needs, a block at a time from each side); this is the reference.
 */
public final class Letterbox {
    /** cropdetect's default {@code limit}: 24 of 255. */
    public static final double DEFAULT_LIMIT = 24.0 / 255;
    /** The widest and tallest picture whose bars are measured: a bar is packed in 16 bits. */
    public static final int MAX_SIDE = 0xFFFF;

    private final float limit;
    private final Loops loops;
    private int[] columns = new int[0];

    /**
     * @param limit cropdetect's {@code limit} as a ratio of the largest code value, 0..1
     * @param loops the Java loops or libvigilpixels' C pass
     */
    public Letterbox(double limit, Loops loops) {
        this.loops = Loops.require(loops);
        if (!(limit >= 0 && limit <= 1)) {
            throw new IllegalArgumentException("letterbox limit must be within 0..1, got " + limit);
        }
        this.limit = (float) limit;
    }

    /**
     * Throws when a {@code width}x{@code height} picture is larger than the bars measure (each is packed in 16 bits):
     * the one limit every backend applies, the GPU's before it launches anything.
     */
    public static void requireMeasurable(int width, int height) {
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("picture too large for letterbox: " + width + "x" + height
                    + " (at most " + MAX_SIDE + " a side)");
        }
    }

    public void compute(VideoFrame frame, FrameStats out) {
        PixelLayout layout = frame.layout();
        long bars = bars(frame.plane(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
                layout.shift(), layout.bitDepth());
        out.barTop = top(bars);
        out.barBottom = bottom(bars);
        out.barLeft = left(bars);
        out.barRight = right(bars);
    }

    /** The four bars packed 16 bits each (top, bottom, left, right from the high end); see the accessors. */
    long bars(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth) {
        if (width <= 0 || height <= 0) {
            return 0;
        }
        requireMeasurable(width, height);
        long limitValue = limitCode(limit, bitDepth);
        if (loops == Loops.C) {
            return VigilPixels.letterbox(y.address(), stride, width, height, bytesPerSample, shift, limitValue);
        }
        long rowLimit = (limitValue + 1) * width; // black: sum < rowLimit
        long columnLimit = (limitValue + 1) * height;
        int top = 0;
        while (top < height && rowSum(y, (long) top * stride, width, bytesPerSample, shift) < rowLimit) {
            top++;
        }
        if (top == height) {
            return pack(height, height, width, width);
        }
        int bottom = 0;
        while (rowSum(y, (long) (height - 1 - bottom) * stride, width, bytesPerSample, shift) < rowLimit) {
            bottom++; // stops at row `top` at the latest: it is not black
        }
        if (columns.length < width) {
            columns = new int[width];
        }
        int[] c = columns;
        java.util.Arrays.fill(c, 0, width, 0);
        for (int j = 0; j < height; j++) {
            long row = (long) j * stride;
            if (bytesPerSample == 1) {
                for (int i = 0; i < width; i++) {
                    c[i] += y.get(JAVA_BYTE, row + i) & 0xFF;
                }
            } else {
                for (int i = 0; i < width; i++) {
                    c[i] += (y.get(JAVA_SHORT_UNALIGNED, row + 2L * i) & 0xFFFF) >>> shift;
                }
            }
        }
        int left = 0;
        while (left < width && c[left] < columnLimit) {
            left++;
        }
        int right = 0;
        while (right < width - left && c[width - 1 - right] < columnLimit) {
            right++;
        }
        return pack(top, bottom, left, right);
    }

    /** cropdetect's integer limit: {@code lrint(limit * (2^bitDepth - 1))}, the product in single precision. */
    public static long limitCode(float limit, int bitDepth) {
        float upscaled = limit * ((1 << bitDepth) - 1);
        return (long) Math.rint(upscaled);
    }

    private static long rowSum(MemorySegment plane, long row, int width, int bytesPerSample, int shift) {
        long sum = 0;
        if (bytesPerSample == 1) {
            for (int i = 0; i < width; i++) {
                sum += plane.get(JAVA_BYTE, row + i) & 0xFF;
            }
        } else {
            for (int i = 0; i < width; i++) {
                sum += (plane.get(JAVA_SHORT_UNALIGNED, row + 2L * i) & 0xFFFF) >>> shift;
            }
        }
        return sum;
    }

    static long pack(int top, int bottom, int left, int right) {
        return (long) top << 48 | (long) bottom << 32 | (long) left << 16 | right;
    }

    static int top(long bars) {
        return (int) (bars >>> 48) & 0xFFFF;
    }

    static int bottom(long bars) {
        return (int) (bars >>> 32) & 0xFFFF;
    }

    static int left(long bars) {
        return (int) (bars >>> 16) & 0xFFFF;
    }

    static int right(long bars) {
        return (int) bars & 0xFFFF;
    }
}
