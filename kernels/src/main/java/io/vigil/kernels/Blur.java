package io.vigil.kernels;

import static io.vigil.ffi.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.VideoFrame;

/**
 * Blur as the mean width of the picture's edges, in pixels, in the spirit of FFmpeg's blurdetect (Marziliano et al.:
 * the width of an edge is the distance between the local extrema of the profile around it) but cheap: no Gaussian
 * pre-filter, no Canny, a quarter of the rows and columns, integer sums.
 *
 * <p>Lines: the luma rows {@code y = 2, 6, 10, ...} ({@code y % 4 == 2}, read left to right) and the luma columns
 * {@code x % 4 == 2} (read top to bottom). Along a line of samples {@code p[0..n-1]}, the gradient is the central
 * difference {@code g[k] = p[k+1] - p[k-1]}. Sample {@code k}, {@code 2 <= k <= n-3}, is an edge when {@code |g[k]|
 * >= 8} (blurdetect's high threshold 30/255 on a Sobel magnitude, about four central differences; deeper samples
 * are read at 8 bits, their top 8, as blurdetect reads them), {@code |g[k]| >= |g[k-1]|} and {@code |g[k]| > |g[k+1]|} (one sample per edge:
 * the last of a run of equal gradients), and {@code k >= e}, the end {@code b} of the line's previous edge
 * ({@code -1} before the first: a quantised ramp has several gradient maxima but is one edge). Its width: with
 * {@code s} the sign of {@code g[k]} and {@code L = |g[k]| >> 4}, walk left from {@code a = k} while {@code a > 0},
 * {@code k - a < R} and {@code (p[a] - p[a-1]) * s > L}, decrementing {@code a}; walk right from {@code b = k} while
 * {@code b < n-1}, {@code b - k < R} and {@code (p[b+1] - p[b]) * s > L}, incrementing {@code b}; width
 * {@code = b - a} (at least 1: the length of the monotone run through the edge, as blurdetect's {@code edge_width},
 * stopped at a reversal, a flat step or, unlike blurdetect, a step of at most 1/16 of the edge's central difference:
 * a soft shading ramp that an edge sits on, rising the same way, is not part of the edge), {@code R = 50}
 * (blurdetect's radius). Two integer sums per frame: {@code widthSum} and {@code edgeCount}, over all lines of both directions;
 * {@code lines} is the number of lines read ({@code ceil((height - 2) / 4) + ceil((width - 2) / 4)}). Then
 * {@code score = widthSum / edgeCount}, or NaN (no verdict) when {@code edgeCount * 8 < lines} or
 * {@code edgeCount < 8}: a black, flat or plain-colour picture has no edges and so can never look blurred. A sharp
 * step scores 1, a linear ramp over {@code w} samples {@code w}; x264 at CRF 23 of testsrc2 640x360 about 1.5,
 * after a Gaussian blur of sigma 6 about 16 (blurdetect 17 to 19). Widths are in the picture's own pixels: an upscaled picture
 * has wider edges. Deterministic: exact integer sums, one formula.
 */
public final class Blur {
    /** blurdetect's search radius for the extrema, samples on each side. */
    public static final int RADIUS = 50;

    /** The three integer figures of one picture: {@code [widthSum, edgeCount, lines]}. */
    public static long[] sums(VideoFrame frame) {
        var layout = frame.layout();
        long[] out = new long[3];
        sums(frame.planeAddress(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
                layout.shift(), layout.bitDepth(), out);
        return out;
    }

    private final long[] scratch = new long[3];

    public void compute(VideoFrame frame, FrameStats out) {
        var layout = frame.layout();
        scratch[0] = 0;
        scratch[1] = 0;
        scratch[2] = 0;
        sums(frame.planeAddress(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
                layout.shift(), layout.bitDepth(), scratch);
        out.blur = score(scratch[0], scratch[1], scratch[2]);
    }

    /** The mean edge width from the sums (see the class comment); NaN when there are too few edges to judge. */
    public static double score(long widthSum, long edgeCount, long lines) {
        if (edgeCount < 8 || edgeCount * 8 < lines) {
            return Double.NaN;
        }
        return (double) widthSum / edgeCount;
    }

    /** The sums from plane 0 (luma), added to {@code out}: {@code [widthSum, edgeCount, lines]}. */
    static void sums(long y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                     long[] out) {
        // Deeper samples are read at 8 bits, as blurdetect reads them (it takes 8-bit formats only): the ripple
        // below one 8-bit code that 10-bit coding keeps would otherwise break a soft edge's run into short ones.
        final int threshold = 8;
        shift += bitDepth - 8;
        long widthSum = 0;
        long edgeCount = 0;
        long lines = 0;
        // Rows (vertical edges), then columns (horizontal edges); one line is one walk of line().
        for (int j = 2; j < height; j += 4) {
            long packed = line(y + (long) j * stride, bytesPerSample, width, bytesPerSample, shift, threshold);
            widthSum += packed >>> 32;
            edgeCount += packed & 0xFFFF_FFFFL;
            lines++;
        }
        for (int i = 2; i < width; i += 4) {
            long packed = line(y + (long) i * bytesPerSample, stride, height, bytesPerSample, shift, threshold);
            widthSum += packed >>> 32;
            edgeCount += packed & 0xFFFF_FFFFL;
            lines++;
        }
        out[0] += widthSum;
        out[1] += edgeCount;
        out[2] += lines;
    }

    /**
     * One line of {@code n} samples starting at {@code base}, {@code step} bytes apart: its width sum in the high
     * 32 bits, its edge count in the low (a line has at most 2^15 samples, each edge at most 2R wide).
     */
    private static long line(long base, long step, int n, int bytesPerSample, int shift, int threshold) {
        if (n < 5) {
            return 0;
        }
        long widthSum = 0;
        long edges = 0;
        // A window p[k-2..k+2] slides along; gPrev = g[k-1], gHere = g[k].
        int pm2 = sample(base, 0, step, bytesPerSample, shift);
        int pm1 = sample(base, 1, step, bytesPerSample, shift);
        int p0 = sample(base, 2, step, bytesPerSample, shift);
        int p1 = sample(base, 3, step, bytesPerSample, shift);
        int gPrev = Math.abs(p0 - pm2);
        int gSigned = p1 - pm1;
        // The end of the last edge's run: a quantised ramp has several gradient maxima, but is one edge.
        int runEnd = -1;
        for (int k = 2; k <= n - 3; k++) {
            int p2 = sample(base, k + 2, step, bytesPerSample, shift);
            int gHere = Math.abs(gSigned);
            int gNextSigned = p2 - p0;
            if (k >= runEnd && gHere >= threshold && gHere >= gPrev && gHere > Math.abs(gNextSigned)) {
                int s = gSigned > 0 ? 1 : -1;
                // Steps this small are shading under the edge, not the edge: a ramp the edge sits on stops the walk.
                int least = gHere >> 4;
                int a = k;
                int left = p0;
                while (a > 0 && k - a < RADIUS) {
                    int q = sample(base, a - 1, step, bytesPerSample, shift);
                    if ((left - q) * s <= least) {
                        break;
                    }
                    left = q;
                    a--;
                }
                int b = k;
                int right = p0;
                while (b < n - 1 && b - k < RADIUS) {
                    int q = sample(base, b + 1, step, bytesPerSample, shift);
                    if ((q - right) * s <= least) {
                        break;
                    }
                    right = q;
                    b++;
                }
                widthSum += b - a;
                edges++;
                runEnd = b;
            }
            gPrev = gHere;
            gSigned = gNextSigned;
            pm1 = p0;
            p0 = p1;
            p1 = p2;
        }
        return widthSum << 32 | edges;
    }

    private static int sample(long base, int k, long step, int bytesPerSample, int shift) {
        long at = base + k * step;
        return bytesPerSample == 1
                ? ALL.get(JAVA_BYTE, at) & 0xFF
                : (ALL.get(JAVA_SHORT_UNALIGNED, at) & 0xFFFF) >>> shift;
    }
}
