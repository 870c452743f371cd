package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * Blocking at the 8x8 coding grid, cheaper than FFmpeg's blockdetect: one pass over the luma plane with integer sums.
 *
 * <p>A step is the absolute difference of two neighbouring luma samples, horizontally ({@code |p[x][y] -
 * p[x-1][y]|}, 1 &le; x &lt; width) and vertically ({@code |p[x][y] - p[x][y-1]|}, 1 &le; y &lt; height). A step
 * is a boundary step when it crosses the grid (x, or y, a multiple of 8) and an inner step otherwise. Only small
 * steps count, those at most {@code alpha = 16m} ({@code m = 2^(bitDepth-8)}), as H.264's deblocking filter leaves
 * larger ones alone: they are edges of the picture, not of the coding (a test pattern's bars, text), aligned to the
 * grid or not. Four integer sums: boundary step sum and count, inner step sum and count; from them the mean small
 * step across the grid {@code B} and the mean elsewhere {@code I}, and
 * {@code score = 1 + max(0, B - I - 3m/4) / (I + m)}: how far the grid's steps stand out from the in-block steps,
 * less what the eye cannot see, relative to the in-block steps plus one code value (so that flat pictures, bars or
 * black with {@code I} near 0, do not score a ratio of noise). 1 means no visible blocking; coding blocks that each
 * went flat give steps at their borders only and push it up (mpeg2video at 100 kb/s, 640x360: median 1.26, up to
 * 2.3). The {@code 3m/4} is a visibility floor: a smooth picture (a stormy sky, still, through mpeg2video at 4 Mb/s)
 * keeps a grid of one-code-value steps, {@code B - I} about half a code value over the whole picture, which nobody
 * sees; without the floor it scored 1.29. Deterministic: the sums are exact integers and the score is computed from
 * them the same way everywhere (on the GPU too: the host scores the device's sums).
 * With {@link Loops#C}, libvigilpixels' C pass ({@link VigilPixels}) gives the same sums faster; this is the
 * reference.
 */
public final class Blockiness {
    /**
     * The least excess of the mean step across the grid over the mean step inside blocks that counts, in 8-bit code
     * values (scaled to the bit depth): a smooth picture's invisible grid of one-code-value steps stays under it.
     */
    public static final double VISIBLE_EXCESS = 0.75;

    private final Pass pass;
    /** compute's sums: no allocation per frame. */
    private final long[] scratch = new long[4];

    /** @param loops the Java loops or libvigilpixels' C pass */
    public Blockiness(Loops loops) {
        pass = Loops.require(loops) == Loops.C ? NATIVE : JAVA;
    }

    public void compute(VideoFrame frame, FrameStats out) {
        var layout = frame.layout();
        long[] s = scratch;
        java.util.Arrays.fill(s, 0);
        pass.sums(frame.plane(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
                layout.shift(), layout.bitDepth(), s);
        out.blockiness = score(s[0], s[1], s[2], s[3], layout.bitDepth());
    }

    /** The score from the four sums (see the class comment); 1 when there is nothing to compare. */
    public static double score(long boundarySum, long boundaryCount, long innerSum, long innerCount, int bitDepth) {
        if (boundaryCount == 0 || innerCount == 0) {
            return 1.0;
        }
        double m = 1 << (bitDepth - 8);
        double boundaryMean = (double) boundarySum / boundaryCount;
        double innerMean = (double) innerSum / innerCount;
        return 1 + Math.max(0, boundaryMean - innerMean - VISIBLE_EXCESS * m) / (innerMean + m);
    }

    /** The sums' parameters, so that a caller picks the pass once. */
    @FunctionalInterface
    interface Pass {
        void sums(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                  long[] out);
    }

    static final Pass JAVA = Blockiness::sums;
    /** libvigilpixels' C pass (only when it is loaded). */
    static final Pass NATIVE = (y, stride, width, height, bytesPerSample, shift, bitDepth, out) ->
            VigilPixels.blockiness(y.address(), stride, width, height, bytesPerSample, shift, bitDepth, out);

    /** The four sums from plane 0 (luma), added to {@code out}. */
    static void sums(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                     long[] out) {
        final int alpha = 16 << (bitDepth - 8);
        long bSum = 0;
        long bCount = 0;
        long iSum = 0;
        long iCount = 0;
        for (int j = 0; j < height; j++) {
            long row = (long) j * stride;
            long above = row - stride;
            boolean gridRow = (j & 7) == 0;
            int left = 0;
            for (int i = 0; i < width; i++) {
                int p = sample(y, row, i, bytesPerSample, shift);
                if (i > 0) {
                    int d = Math.abs(p - left);
                    if (d <= alpha) {
                        if ((i & 7) == 0) {
                            bSum += d;
                            bCount++;
                        } else {
                            iSum += d;
                            iCount++;
                        }
                    }
                }
                if (j > 0) {
                    int d = Math.abs(p - sample(y, above, i, bytesPerSample, shift));
                    if (d <= alpha) {
                        if (gridRow) {
                            bSum += d;
                            bCount++;
                        } else {
                            iSum += d;
                            iCount++;
                        }
                    }
                }
                left = p;
            }
        }
        out[0] += bSum;
        out[1] += bCount;
        out[2] += iSum;
        out[3] += iCount;
    }

    private static int sample(MemorySegment plane, long row, int s, int bytesPerSample, int shift) {
        return bytesPerSample == 1
                ? plane.get(JAVA_BYTE, row + s) & 0xFF
                : (plane.get(JAVA_SHORT_UNALIGNED, row + 2L * s) & 0xFFFF) >>> shift;
    }
}
