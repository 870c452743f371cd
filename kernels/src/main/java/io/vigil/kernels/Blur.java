package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * Blur as the mean width of the picture's edges, in pixels, in the spirit of FFmpeg's blurdetect (Marziliano et al.:
 * the width of an edge is the distance between the local extrema of the profile around it, measured after a small
 * Gaussian) but cheap: a 3x3 binomial instead of blurdetect's 5x5 Gaussian, no Canny, a quarter of the rows and
 * columns, integer sums. Exactly:
 *
 * <ol>
 * <li>Samples are read at 8 bits: {@code P(x, y)} is plane 0's sample shifted right by {@code shift + bitDepth - 8}
 * (blurdetect reads 8-bit formats only; 10-bit coding keeps a ripple below one 8-bit code that would otherwise
 * break a soft edge's run into short ones).
 * <li>Lines: the rows {@code y = 2, 6, 10, ...} with {@code y <= height - 2}, each read left to right, {@code n =
 * width} samples, smoothed across by {@code v[k] = P(k, y-1) + 2 P(k, y) + P(k, y+1)}; and the columns {@code x = 2,
 * 6, 10, ...} with {@code x <= width - 2}, read top to bottom, {@code n = height}, {@code v[k] = P(x-1, k) + 2 P(x, k)
 * + P(x+1, k)}. {@code lines} counts them. A line with {@code n < 7} has no edges.
 * <li>Along a line: {@code q[k] = v[k-1] + 2 v[k] + v[k+1]} ({@code 1 <= k <= n-2}: 16 times the 3x3 binomial),
 * {@code g[k] = q[k+1] - q[k-1]} ({@code 2 <= k <= n-3}).
 * <li>Sample {@code k}, {@code 3 <= k <= n-4}, is an edge when {@code |g[k]| >= 128} (8 codes of central
 * difference: blurdetect's high threshold 30/255 on a Sobel magnitude is about four central differences),
 * {@code |g[k]| >= |g[k-1]|}, {@code |g[k]| > |g[k+1]|} (the last of a run of equal gradients), and {@code k >= e},
 * the end {@code b} of the line's previous edge ({@code -1} before the first: a quantised ramp has several gradient
 * maxima but is one edge).
 * <li>Its width: {@code s} the sign of {@code g[k]}, {@code L = |g[k]| >> 4}; walk left from {@code a = k} while
 * {@code a > 1}, {@code k - a < 50} and {@code (q[a] - q[a-1]) * s > L}, decrementing {@code a}; walk right from
 * {@code b = k} while {@code b < n-2}, {@code b - k < 50} and {@code (q[b+1] - q[b]) * s > L}, incrementing
 * {@code b}; {@code width = max(1, b - a - 2)}: the monotone run through the edge, as blurdetect's
 * {@code edge_width} with its radius 50, stopped at a reversal, a flat step or, unlike blurdetect, a step of at most
 * 1/16 of the edge's central difference (a soft shading ramp that the edge sits on is not the edge), less the 2
 * samples the binomial adds, so that a sharp step is 1 wide and a linear ramp over {@code w} samples {@code w}.
 * <li>Two integer sums per frame over all lines: {@code widthSum} and {@code edgeCount}. {@code score = widthSum /
 * edgeCount}, or NaN (no verdict) when {@code edgeCount < 8} or {@code edgeCount * 8 < lines}: a black, flat or
 * plain-colour picture has no edges and so can never look blurred.
 * </ol>
 *
 * <p>testsrc2 640x360 through x264 at CRF 23 scores about 1.3, after a Gaussian blur of sigma 6 about 16 (blurdetect
 * 17 to 19), with grain added on the blurred picture 14.5 (blurdetect 17.3). Widths are in the picture's own pixels:
 * an upscaled picture has wider edges. Deterministic: exact integer sums, one formula. With {@link Loops#C},
 * libvigilpixels' C pass ({@link VigilPixels}) gives the same sums faster; this is the reference.
 */
public final class Blur {
    /** blurdetect's search radius for the extrema, samples on each side. */
    public static final int RADIUS = 50;
    /** Least central difference of an edge, in units of the smoothed profile (16 per 8-bit code). */
    private static final int THRESHOLD = 8 * 16;

    private final Pass pass;
    private final long[] scratch = new long[3];

    /** @param loops the Java loops or libvigilpixels' C pass */
    public Blur(Loops loops) {
        pass = Loops.require(loops) == Loops.C ? NATIVE : JAVA;
    }

    /** The three integer figures of one picture: {@code [widthSum, edgeCount, lines]}. */
    public long[] sums(VideoFrame frame) {
        var layout = frame.layout();
        long[] out = new long[3];
        pass.sums(frame.plane(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
                layout.shift(), layout.bitDepth(), out);
        return out;
    }

    public void compute(VideoFrame frame, FrameStats out) {
        var layout = frame.layout();
        scratch[0] = 0;
        scratch[1] = 0;
        scratch[2] = 0;
        pass.sums(frame.plane(0), frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(),
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

    /** The sums' parameters, so that a caller picks the pass once. */
    @FunctionalInterface
    interface Pass {
        void sums(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                  long[] out);
    }

    static final Pass JAVA = Blur::sums;
    /** libvigilpixels' C pass (only when it is loaded). */
    static final Pass NATIVE = (y, stride, width, height, bytesPerSample, shift, bitDepth, out) ->
            VigilPixels.blur(y.address(), stride, width, height, bytesPerSample, shift, bitDepth, out);

    /** The sums from plane 0 (luma), added to {@code out}: {@code [widthSum, edgeCount, lines]}. */
    static void sums(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                     long[] out) {
        // Deeper samples are read at 8 bits, as blurdetect reads them (it takes 8-bit formats only): the ripple
        // below one 8-bit code that 10-bit coding keeps would otherwise break a soft edge's run into short ones.
        shift += bitDepth - 8;
        long widthSum = 0;
        long edgeCount = 0;
        long lines = 0;
        // Rows (vertical edges), then columns (horizontal edges); each with its two neighbours, for the smoothing.
        for (int j = 2; j < height - 1; j += 4) {
            long packed = line(y, (long) j * stride, bytesPerSample, stride, width, bytesPerSample, shift);
            widthSum += packed >>> 32;
            edgeCount += packed & 0xFFFF_FFFFL;
            lines++;
        }
        for (int i = 2; i < width - 1; i += 4) {
            long packed = line(y, (long) i * bytesPerSample, stride, bytesPerSample, height, bytesPerSample, shift);
            widthSum += packed >>> 32;
            edgeCount += packed & 0xFFFF_FFFFL;
            lines++;
        }
        out[0] += widthSum;
        out[1] += edgeCount;
        out[2] += lines;
    }

    /**
     * One line of {@code plane}: {@code n} samples starting at byte {@code base}, {@code step} bytes apart, its
     * neighbouring lines {@code across} bytes either side: its width sum in the high 32 bits, its edge count in the
     * low (a line has at most 2^15 samples, each edge at most 2R wide).
     */
    private static long line(MemorySegment plane, long base, long step, long across, int n, int bytesPerSample,
                             int shift) {
        if (n < 7) {
            return 0;
        }
        long widthSum = 0;
        long edges = 0;
        // A window slides along: at sample k, vm = v[k-1], vp = v[k], v2 = v[k+1], v3 = v[k+2], qm2..qp1 =
        // q[k-2..k+1], gPrev = |g[k-1]|, gSigned = g[k]; v[k+3], q[k+2] and g[k+1] are computed at each step.
        int v0 = v(plane, base, across, 0, step, bytesPerSample, shift);
        int v1 = v(plane, base, across, 1, step, bytesPerSample, shift);
        int vm = v(plane, base, across, 2, step, bytesPerSample, shift);
        int vp = v(plane, base, across, 3, step, bytesPerSample, shift);
        int v2 = v(plane, base, across, 4, step, bytesPerSample, shift);
        int v3 = v(plane, base, across, 5, step, bytesPerSample, shift);
        int qm2 = v0 + 2 * v1 + vm;
        int qm1 = v1 + 2 * vm + vp;
        int q0 = vm + 2 * vp + v2;
        int qp1 = vp + 2 * v2 + v3;
        int gPrev = Math.abs(q0 - qm2);
        int gSigned = qp1 - qm1;
        int runEnd = -1;
        for (int k = 3; k <= n - 4; k++) {
            int v4 = v(plane, base, across, k + 3, step, bytesPerSample, shift);
            int qp2 = v2 + 2 * v3 + v4;
            int gHere = Math.abs(gSigned);
            int gNextSigned = qp2 - q0;
            if (k >= runEnd && gHere >= THRESHOLD && gHere >= gPrev && gHere > Math.abs(gNextSigned)) {
                int s = gSigned > 0 ? 1 : -1;
                // Steps this small are shading under the edge, not the edge: a ramp the edge sits on stops the walk.
                int least = gHere >> 4;
                // Left: q[a-1] from v[a-2], v[a-1], v[a].
                int a = k;
                int qa = q0;
                int va = vp;
                int va1 = vm;
                while (a > 1 && k - a < RADIUS) {
                    int va2 = v(plane, base, across, a - 2, step, bytesPerSample, shift);
                    int q = va2 + 2 * va1 + va;
                    if ((qa - q) * s <= least) {
                        break;
                    }
                    qa = q;
                    va = va1;
                    va1 = va2;
                    a--;
                }
                int b = k;
                int qb = q0;
                int vb = vp;
                int vb1 = v2;
                while (b < n - 2 && b - k < RADIUS) {
                    int vb2 = v(plane, base, across, b + 2, step, bytesPerSample, shift);
                    int q = vb + 2 * vb1 + vb2;
                    if ((q - qb) * s <= least) {
                        break;
                    }
                    qb = q;
                    vb = vb1;
                    vb1 = vb2;
                    b++;
                }
                widthSum += Math.max(1, b - a - 2);
                edges++;
                runEnd = b;
            }
            gPrev = gHere;
            gSigned = gNextSigned;
            qm2 = qm1;
            qm1 = q0;
            q0 = qp1;
            qp1 = qp2;
            vm = vp;
            vp = v2;
            v2 = v3;
            v3 = v4;
        }
        return widthSum << 32 | edges;
    }

    /** The sample at {@code k} smoothed across the line, [1 2 1]: four times its 8-bit value. */
    private static int v(MemorySegment plane, long base, long across, int k, long step, int bytesPerSample, int shift) {
        long at = base + k * step;
        return sample(plane, at - across, bytesPerSample, shift) + 2 * sample(plane, at, bytesPerSample, shift)
                + sample(plane, at + across, bytesPerSample, shift);
    }

    private static int sample(MemorySegment plane, long at, int bytesPerSample, int shift) {
        return bytesPerSample == 1
                ? plane.get(JAVA_BYTE, at) & 0xFF
                : (plane.get(JAVA_SHORT_UNALIGNED, at) & 0xFFFF) >>> shift;
    }
}
