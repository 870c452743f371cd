package io.vigil.kernels;

import io.vigil.kernels.StatisticsBackend.LumaResult;
import io.vigil.kernels.StatisticsBackend.SadResult;

/** The statistics' definitions as the plainest Java: one sample at a time, nothing clever. */
final class Reference {
    private Reference() {
    }

    static LumaResult luma(HostPlanes f, int threshold) {
        long dark = 0;
        long sum = 0;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int y = 0; y < f.planeHeights[0]; y++) {
            for (int x = 0; x < f.planeWidths[0]; x++) {
                int v = f.sample(0, x, y);
                dark += v <= threshold ? 1 : 0;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new LumaResult(dark, sum, min, max);
    }

    static SadResult sad(HostPlanes a, HostPlanes b) {
        long sad = 0;
        long samples = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            for (int y = 0; y < a.planeHeights[p]; y++) {
                for (int x = 0; x < a.planeWidths[p]; x++) {
                    sad += Math.abs(a.sample(p, x, y) - b.sample(p, x, y));
                }
            }
            samples += a.samples(p);
        }
        return new SadResult(sad, samples);
    }

    /**
     * The largest mean absolute difference of any 16x16 block of any plane (each plane in its own samples; blocks cut
     * by the right and bottom edges by their own size), in code values, written out the slow way.
     */
    static double peakBlockMean(HostPlanes a, HostPlanes b) {
        double peak = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            for (int by = 0; by < a.planeHeights[p]; by += 16) {
                for (int bx = 0; bx < a.planeWidths[p]; bx += 16) {
                    long sad = 0;
                    long n = 0;
                    for (int y = by; y < Math.min(by + 16, a.planeHeights[p]); y++) {
                        for (int x = bx; x < Math.min(bx + 16, a.planeWidths[p]); x++) {
                            sad += Math.abs(a.sample(p, x, y) - b.sample(p, x, y));
                            n++;
                        }
                    }
                    peak = Math.max(peak, (double) sad / n);
                }
            }
        }
        return peak;
    }

    /** freeze's block peaks, written out the slow way. */
    static StatisticsBackend.BlockPeaks blockPeaks(HostPlanes frame, HostPlanes reference, HostPlanes anchorOrNull) {
        return new StatisticsBackend.BlockPeaks(peakBlockMean(frame, reference),
                anchorOrNull == null ? 0 : peakBlockMean(frame, anchorOrNull),
                anchorOrNull == null ? 0 : sad(frame, anchorOrNull).sad());
    }

    /** signalstats' BRNG count: pixels whose Y, or U or V on the subsampled grid, is outside broadcast range. */
    static long brng(HostPlanes f) {
        int m = 1 << (f.format.bitDepth - 8);
        long out = 0;
        for (int y = 0; y < f.height; y++) {
            for (int x = 0; x < f.width; x++) {
                int luma = f.sample(0, x, y);
                int u = f.format.interleaved ? f.sample(1, 2 * (x / 2), y / 2) : f.sample(1, x / 2, y / 2);
                int v = f.format.interleaved ? f.sample(1, 2 * (x / 2) + 1, y / 2) : f.sample(2, x / 2, y / 2);
                if (luma < 16 * m || luma > 235 * m || u < 16 * m || u > 240 * m || v < 16 * m || v > 240 * m) {
                    out++;
                }
            }
        }
        return out;
    }

    /**
     * cropdetect's bars, written plainly: a row (column) of plane 0 is black when its truncated mean
     * {@code sum / length} is at most {@code lrint((float) limit * max)}; {top, bottom, left, right} black runs from
     * each edge, each as large as the picture when every row is black.
     */
    static int[] letterbox(HostPlanes f, double limit) {
        long l = (long) Math.rint((float) limit * f.format.maxValue());
        boolean[] blackRow = new boolean[f.height];
        boolean[] blackColumn = new boolean[f.width];
        for (int y = 0; y < f.height; y++) {
            long sum = 0;
            for (int x = 0; x < f.width; x++) {
                sum += f.sample(0, x, y);
            }
            blackRow[y] = sum / f.width <= l;
        }
        for (int x = 0; x < f.width; x++) {
            long sum = 0;
            for (int y = 0; y < f.height; y++) {
                sum += f.sample(0, x, y);
            }
            blackColumn[x] = sum / f.height <= l;
        }
        int top = 0;
        while (top < f.height && blackRow[top]) {
            top++;
        }
        if (top == f.height) {
            return new int[] {f.height, f.height, f.width, f.width};
        }
        int bottom = 0;
        while (blackRow[f.height - 1 - bottom]) {
            bottom++;
        }
        int left = 0;
        while (left < f.width && blackColumn[left]) {
            left++;
        }
        int right = 0;
        while (right < f.width - left && blackColumn[f.width - 1 - right]) {
            right++;
        }
        return new int[] {top, bottom, left, right};
    }

    /** Blockiness' four sums, step by step as its definition reads: horizontal steps, then vertical ones. */
    static long[] blockiness(HostPlanes f) {
        int alpha = 16 << (f.format.bitDepth - 8);
        long[] out = new long[4];
        for (int y = 0; y < f.height; y++) {
            for (int x = 1; x < f.width; x++) {
                int d = Math.abs(f.sample(0, x, y) - f.sample(0, x - 1, y));
                if (d <= alpha) {
                    int k = x % 8 == 0 ? 0 : 2;
                    out[k] += d;
                    out[k + 1]++;
                }
            }
        }
        for (int y = 1; y < f.height; y++) {
            for (int x = 0; x < f.width; x++) {
                int d = Math.abs(f.sample(0, x, y) - f.sample(0, x, y - 1));
                if (d <= alpha) {
                    int k = y % 8 == 0 ? 0 : 2;
                    out[k] += d;
                    out[k + 1]++;
                }
            }
        }
        return out;
    }
    /**
     * Blur's three sums {widthSum, edgeCount, lines} as its class comment defines them, with whole arrays per line:
     * P at 8 bits, v smoothed across the line, q along it, g = q[k+1] - q[k-1], edges and their monotone runs.
     */
    static long[] blur(HostPlanes f) {
        int down = f.format.bytesPerSample == 1 ? 0 : f.format.bitDepth - 8; // sample() has applied the shift
        long widthSum = 0;
        long edges = 0;
        long lines = 0;
        for (int pass = 0; pass < 2; pass++) {
            boolean rows = pass == 0;
            int across = rows ? f.height : f.width;
            int n = rows ? f.width : f.height;
            for (int j = 2; j <= across - 2; j += 4) {
                lines++;
                if (n < 7) {
                    continue;
                }
                int[] v = new int[n];
                for (int k = 0; k < n; k++) {
                    v[k] = rows
                            ? (f.sample(0, k, j - 1) >> down) + 2 * (f.sample(0, k, j) >> down)
                                    + (f.sample(0, k, j + 1) >> down)
                            : (f.sample(0, j - 1, k) >> down) + 2 * (f.sample(0, j, k) >> down)
                                    + (f.sample(0, j + 1, k) >> down);
                }
                int[] q = new int[n];
                for (int k = 1; k <= n - 2; k++) {
                    q[k] = v[k - 1] + 2 * v[k] + v[k + 1];
                }
                int[] g = new int[n];
                for (int k = 2; k <= n - 3; k++) {
                    g[k] = q[k + 1] - q[k - 1];
                }
                int end = -1;
                for (int k = 3; k <= n - 4; k++) {
                    int mag = Math.abs(g[k]);
                    if (mag >= 128 && mag >= Math.abs(g[k - 1]) && mag > Math.abs(g[k + 1]) && k >= end) {
                        int s = g[k] > 0 ? 1 : -1;
                        int least = mag >> 4;
                        int a = k;
                        while (a > 1 && k - a < Blur.RADIUS && (q[a] - q[a - 1]) * s > least) {
                            a--;
                        }
                        int b = k;
                        while (b < n - 2 && b - k < Blur.RADIUS && (q[b + 1] - q[b]) * s > least) {
                            b++;
                        }
                        widthSum += Math.max(1, b - a - 2);
                        edges++;
                        end = b;
                    }
                }
            }
        }
        return new long[] {widthSum, edges, lines};
    }

    /** ColorBars' flatness {flat steps, edge steps, steps} over its 32 sampled rows, step by step. */
    static long[] flatness(HostPlanes f) {
        int m = 1 << (f.format.bitDepth - 8);
        long flat = 0;
        long edge = 0;
        long steps = 0;
        for (int k = 0; k < ColorBars.FLAT_ROWS; k++) {
            int y = (int) ((long) f.height * (2 * k + 1) / 64);
            for (int x = 0; x < f.width; x++) {
                int[] d = {x > 0 ? Math.abs(f.sample(0, x, y) - f.sample(0, x - 1, y)) : -1,
                    y + 1 < f.height ? Math.abs(f.sample(0, x, y + 1) - f.sample(0, x, y)) : -1};
                for (int step : d) {
                    if (step >= 0) {
                        steps++;
                        flat += step <= m ? 1 : 0;
                        edge += step > 16 * m ? 1 : 0;
                    }
                }
            }
        }
        return new long[] {flat, edge, steps};
    }
}
