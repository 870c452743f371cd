package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * Test bars and still graphics, from a few sampled rows: a cheap per-frame statistic with integer sums only.
 * {@code m = 2^(bitDepth-8)} scales every code-value constant below; samples are read as everywhere in the
 * statistics (8-bit bytes, or 16-bit words shifted right by the layout's shift); {@code mid = 128m} is zero chroma.
 *
 * <p><b>Bars score</b> ({@link FrameStats#colorBars}, 0..1). Standard bars (SMPTE ECR 1-1978 / RP 219 top band,
 * EBU 100/0/75/0 and 100/0/100/0) are, in the upper part of the picture, seven vertical bars of equal width whose luma
 * falls strictly from left to right: white (or 75% grey), yellow, cyan, green, magenta, red, blue, with these chroma
 * signs (U = Cb - mid, V = Cr - mid): white 0/0, yellow -/+, cyan +/-, green -/-, magenta +/+, red -/+, blue +/-.
 * Other segments may stand beside them (RP 219's grey pillars, EBU's black eighth bar).
 * <ol>
 * <li>Rows: {@value #BAR_ROWS} luma rows {@code y_k = floor(h * (2k + 3) / 40)}, k = 0..7 (7.5% to 42.5% of the
 * height); for each, chroma row {@code y_k >> log2ChromaH}.</li>
 * <li>Cells: the width splits into {@value #CELLS} cells, cell c = columns {@code [floor(c*w/64), floor((c+1)*w/64))}
 * (chroma columns: those bounds shifted right by log2ChromaW, at least one). n = x1 - x0, nL = n / 2 (left half
 * {@code [x0, x0 + nL)}), nR = n - nL. Per cell, integer sums over the rows: for each row k its luma sum {@code R_k};
 * the luma sums {@code L} and {@code R} of the left and right halves over all 8 rows; the U and V sums. Means are
 * integer divisions (floor): {@code Ym = sum R_k / (8n)}, {@code Um}, {@code Vm} likewise over the chroma samples.</li>
 * <li>A cell is flat when its halves agree, {@code |L * nR - R * nL| <= 4m * nL * nR * 8} (no bar edge inside:
 * half means within 4 code values), and the rows agree, {@code |(R_0 + .. + R_3) - (R_4 + .. + R_7)| <= 4m * 4n} (upper and lower rows' means
 * within 4 code values: vertical uniformity). Means over many samples, so that grain and coding noise do not
 * count.</li>
 * <li>Segments: runs of flat cells, left to right, where each flat cell's Ym, Um and Vm are all within {@code 6m} of
 * the previous flat cell's; a flat cell that jumps ends the run (and starts the next), one cell that is not flat is
 * stepped over, two in a row end the run. A segment spans its first to its last flat cell; its Y, U, V are the floor
 * means of its flat cells' means. Only segments of at least {@value #MIN_SEGMENT_CELLS} flat cells are kept, in
 * order.</li>
 * <li>Each window of 7 consecutive kept segments s0..s6 is a candidate if: the gap between one segment's end and the
 * next one's start is at most 2 cells (only the transition between them); the widest is at most twice the narrowest;
 * they span (s6 end - s0 start) at least half the cells. A candidate's bar j (0..6) matches when: j = 0,
 * {@code |U| <= 8m} and {@code |V| <= 8m}; j &gt; 0, {@code Y_j <= Y_{j-1} - 8m} and U and V each at least 4m away from
 * 0 with the sign above. Score = matching bars / 7 of the best candidate; 0 with none, and for pictures narrower
 * than 128 or lower than 40 samples or without chroma.</li>
 * </ol>
 *
 * <p><b>Flatness</b> ({@link FrameStats#flatShare} and {@link FrameStats#edgeShare}, 0..1), for still slates:
 * {@value #FLAT_ROWS} luma rows {@code y_k = floor(h * (2k + 1) / 64)} over the whole height; for each, every
 * horizontal step {@code |Y[x] - Y[x-1]|} (1 &le; x &lt; w) and every vertical step {@code |Y[x][y_k + 1] - Y[x][y_k]|}
 * (when {@code y_k + 1 < h}). flatShare = steps at most m / all steps (a plain or gradient background, flat graphics);
 * edgeShare = steps over 16m / all steps (text, box edges: a graphic rather than a plain field). Camera pictures
 * carry grain and texture and stay well below a slate's flatness.
 *
 * <p>With {@link Loops#C}, libvigilpixels' C passes ({@link VigilPixels}) give the same cell sums and flatness
 * counts faster; the loops here are the reference.
 */
public final class ColorBars {
    public static final int CELLS = 64;
    public static final int BAR_ROWS = 8;
    public static final int FLAT_ROWS = 32;
    static final int MIN_SEGMENT_CELLS = 3;

    /** Expected chroma signs of the seven bars: white, yellow, cyan, green, magenta, red, blue. */
    private static final int[] U_SIGN = {0, -1, 1, -1, 1, -1, 1};
    private static final int[] V_SIGN = {0, 1, -1, -1, 1, 1, -1};

    // Scratch, reused for every frame: no allocation per frame (the cell sums package-private, for the tests).
    final long[] rowSums = new long[CELLS * BAR_ROWS];
    final long[] leftSums = new long[CELLS];
    final long[] rightSums = new long[CELLS];
    final long[] uSums = new long[CELLS];
    final long[] vSums = new long[CELLS];
    final long[] chromaCounts = new long[CELLS];
    private final int[] segStart = new int[CELLS];
    private final int[] segEnd = new int[CELLS];
    private final int[] segY = new int[CELLS];
    private final int[] segU = new int[CELLS];
    private final int[] segV = new int[CELLS];
    private final long[] flat = new long[3];
    private final Loops loops;

    /** @param loops the Java loops or libvigilpixels' C passes */
    public ColorBars(Loops loops) {
        this.loops = Loops.require(loops);
    }

    public void compute(VideoFrame frame, FrameStats out) {
        PixelLayout layout = frame.layout();
        boolean chroma = layout.planes() >= 2;
        boolean interleaved = layout.chromaInterleaved();
        MemorySegment luma = frame.plane(0);
        out.colorBars = chroma ? barsScore(luma, frame.linesize(0), frame.plane(1), frame.linesize(1),
                interleaved ? MemorySegment.NULL : frame.plane(2), interleaved ? 0 : frame.linesize(2),
                frame.width(), frame.height(), layout.bytesPerSample(), layout.shift(), layout.bitDepth(),
                layout.log2ChromaW(), layout.log2ChromaH(), interleaved) : 0;
        flat[0] = 0;
        flat[1] = 0;
        flat[2] = 0;
        flatness(luma, frame.linesize(0), frame.width(), frame.height(), layout.bytesPerSample(), layout.shift(),
                layout.bitDepth(), flat);
        out.flatShare = flat[2] == 0 ? 0 : (double) flat[0] / flat[2];
        out.edgeShare = flat[2] == 0 ? 0 : (double) flat[1] / flat[2];
    }

    /**
     * The bars score from plane 0 (luma), plane 1 (U, or UV when interleaved) and plane 2 (V;
     * {@link MemorySegment#NULL} when interleaved).
     */
    double barsScore(MemorySegment y, int yStride, MemorySegment u, int uStride, MemorySegment v, int vStride,
                     int width, int height, int bytesPerSample, int shift, int bitDepth, int log2ChromaW,
                     int log2ChromaH, boolean interleaved) {
        if (width < 2 * CELLS || height < 40) {
            return 0;
        }
        final int m = 1 << (bitDepth - 8);
        final int mid = 128 * m;
        java.util.Arrays.fill(rowSums, 0);
        java.util.Arrays.fill(leftSums, 0);
        java.util.Arrays.fill(rightSums, 0);
        java.util.Arrays.fill(uSums, 0);
        java.util.Arrays.fill(vSums, 0);
        java.util.Arrays.fill(chromaCounts, 0);
        boolean cellsDone = loops == Loops.C;
        if (cellsDone) { // the same sums from libvigilpixels; the loop below is the reference
            VigilPixels.colorBarsCells(y.address(), yStride, u.address(), uStride, v.address(), vStride, width, height,
                    bytesPerSample, shift, log2ChromaW, log2ChromaH, interleaved, rowSums, leftSums, rightSums, uSums,
                    vSums, chromaCounts);
        }
        for (int k = 0; k < BAR_ROWS && !cellsDone; k++) {
            int yk = (int) ((long) height * (2 * k + 3) / 40);
            long yRow = (long) yk * yStride;
            int yc = yk >> log2ChromaH;
            long uRow = (long) yc * uStride;
            long vRow = (long) yc * vStride;
            for (int c = 0; c < CELLS; c++) {
                int x0 = (int) ((long) c * width / CELLS);
                int x1 = (int) ((long) (c + 1) * width / CELLS);
                int xm = x0 + (x1 - x0) / 2;
                long left = 0;
                long right = 0;
                for (int x = x0; x < xm; x++) {
                    left += sample(y, yRow, x, bytesPerSample, shift);
                }
                for (int x = xm; x < x1; x++) {
                    right += sample(y, yRow, x, bytesPerSample, shift);
                }
                rowSums[c * BAR_ROWS + k] = left + right;
                leftSums[c] += left;
                rightSums[c] += right;
                int c0 = x0 >> log2ChromaW;
                int c1 = Math.max(c0 + 1, x1 >> log2ChromaW);
                long us = 0;
                long vs = 0;
                for (int xc = c0; xc < c1; xc++) {
                    if (interleaved) {
                        us += sample(u, uRow, 2 * xc, bytesPerSample, shift);
                        vs += sample(u, uRow, 2 * xc + 1, bytesPerSample, shift);
                    } else {
                        us += sample(u, uRow, xc, bytesPerSample, shift);
                        vs += sample(v, vRow, xc, bytesPerSample, shift);
                    }
                }
                uSums[c] += us;
                vSums[c] += vs;
                chromaCounts[c] += c1 - c0;
            }
        }
        // Segments: runs of flat cells whose means stay close to the previous flat cell's; one cell that is not
        // flat (noise, a coding artefact) is stepped over, two in a row end the run.
        int segments = 0;
        int runStart = -1;
        int runEnd = 0;
        int runCells = 0;
        long runY = 0;
        long runU = 0;
        long runV = 0;
        int lastY = 0;
        int lastU = 0;
        int lastV = 0;
        for (int c = 0; c <= CELLS; c++) {
            boolean flatCell = false;
            int cy = 0;
            int cu = 0;
            int cv = 0;
            if (c < CELLS) {
                int n = (int) ((long) (c + 1) * width / CELLS) - (int) ((long) c * width / CELLS);
                long nLeft = n / 2;
                long nRight = n - nLeft;
                long top = 0;
                long bottom = 0;
                for (int k = 0; k < BAR_ROWS / 2; k++) {
                    top += rowSums[c * BAR_ROWS + k];
                    bottom += rowSums[c * BAR_ROWS + BAR_ROWS / 2 + k];
                }
                long total = top + bottom;
                // Left half against right half (no edge inside), upper rows against lower rows (the rows agree):
                // means over many samples, so that grain does not count.
                flatCell = Math.abs(leftSums[c] * nRight - rightSums[c] * nLeft) <= 4L * m * nLeft * nRight * BAR_ROWS
                        && Math.abs(top - bottom) <= 4L * m * n * (BAR_ROWS / 2);
                cy = (int) (total / ((long) BAR_ROWS * n));
                cu = (int) (uSums[c] / chromaCounts[c]);
                cv = (int) (vSums[c] / chromaCounts[c]);
            }
            if (runStart >= 0) {
                boolean ends = c == CELLS || (flatCell
                        ? Math.abs(cy - lastY) > 6 * m || Math.abs(cu - lastU) > 6 * m || Math.abs(cv - lastV) > 6 * m
                        : c > runEnd);
                if (ends) {
                    if (runCells >= MIN_SEGMENT_CELLS) {
                        segStart[segments] = runStart;
                        segEnd[segments] = runEnd;
                        segY[segments] = (int) (runY / runCells);
                        segU[segments] = (int) (runU / runCells) - mid;
                        segV[segments] = (int) (runV / runCells) - mid;
                        segments++;
                    }
                    runStart = -1;
                }
            }
            if (flatCell) {
                if (runStart < 0) {
                    runStart = c;
                    runCells = 0;
                    runY = 0;
                    runU = 0;
                    runV = 0;
                }
                runY += cy;
                runU += cu;
                runV += cv;
                runCells++;
                runEnd = c + 1;
                lastY = cy;
                lastU = cu;
                lastV = cv;
            }
        }
        int best = 0;
        for (int s = 0; s + 7 <= segments; s++) {
            if (segEnd[s + 6] - segStart[s] < CELLS / 2) {
                continue;
            }
            int narrow = Integer.MAX_VALUE;
            int wide = 0;
            boolean adjacent = true;
            for (int j = 0; j < 7; j++) {
                int cells = segEnd[s + j] - segStart[s + j];
                narrow = Math.min(narrow, cells);
                wide = Math.max(wide, cells);
                if (j > 0 && segStart[s + j] - segEnd[s + j - 1] > 2) {
                    adjacent = false;
                }
            }
            if (!adjacent || wide > 2 * narrow) {
                continue;
            }
            int matched = 0;
            for (int j = 0; j < 7; j++) {
                int du = segU[s + j];
                int dv = segV[s + j];
                boolean ok;
                if (j == 0) {
                    ok = Math.abs(du) <= 8 * m && Math.abs(dv) <= 8 * m;
                } else {
                    ok = segY[s + j] <= segY[s + j - 1] - 8 * m && signOk(du, U_SIGN[j], m) && signOk(dv, V_SIGN[j], m);
                }
                matched += ok ? 1 : 0;
            }
            best = Math.max(best, matched);
        }
        return best / 7.0;
    }

    private static boolean signOk(int d, int sign, int m) {
        return sign > 0 ? d >= 4 * m : d <= -4 * m;
    }

    /** Adds {@code [flat steps, edge steps, all steps]} of the sampled rows of plane 0 to {@code out}. */
    void flatness(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift, int bitDepth,
                  long[] out) {
        if (loops == Loops.C) {
            VigilPixels.flatness(y.address(), stride, width, height, bytesPerSample, shift, bitDepth, out);
        } else {
            flatnessJava(y, stride, width, height, bytesPerSample, shift, bitDepth, out);
        }
    }

    /** The reference of {@link #flatness}: the Java loop. */
    static void flatnessJava(MemorySegment y, int stride, int width, int height, int bytesPerSample, int shift,
                             int bitDepth, long[] out) {
        final int m = 1 << (bitDepth - 8);
        final int edge = 16 * m;
        long flatSteps = 0;
        long edgeSteps = 0;
        long steps = 0;
        for (int k = 0; k < FLAT_ROWS; k++) {
            int yk = (int) ((long) height * (2 * k + 1) / (2 * FLAT_ROWS));
            long row = (long) yk * stride;
            boolean below = yk + 1 < height;
            long next = row + stride;
            int left = 0;
            for (int x = 0; x < width; x++) {
                int p = sample(y, row, x, bytesPerSample, shift);
                if (x > 0) {
                    int d = Math.abs(p - left);
                    flatSteps += d <= m ? 1 : 0;
                    edgeSteps += d > edge ? 1 : 0;
                    steps++;
                }
                if (below) {
                    int d = Math.abs(sample(y, next, x, bytesPerSample, shift) - p);
                    flatSteps += d <= m ? 1 : 0;
                    edgeSteps += d > edge ? 1 : 0;
                    steps++;
                }
                left = p;
            }
        }
        out[0] += flatSteps;
        out[1] += edgeSteps;
        out[2] += steps;
    }

    private static int sample(MemorySegment plane, long row, int s, int bytesPerSample, int shift) {
        return bytesPerSample == 1
                ? plane.get(JAVA_BYTE, row + s) & 0xFF
                : (plane.get(JAVA_SHORT_UNALIGNED, row + 2L * s) & 0xFFFF) >>> shift;
    }
}
