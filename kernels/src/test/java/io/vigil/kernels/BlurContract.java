package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * Blur's three integer sums (edge widths, edges, lines), the same assertions for every backend: exact equality with
 * {@link Reference#blur} on batches of random pictures of every layout (noise, dark runs, soft random shapes with
 * grain, sizes from 1x1 to a few hundred, pictures too small for any line), and edges of known width on drawn
 * pictures. The backend is given by a subclass (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class BlurContract extends ContractSupport {
    BlurContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPicturesMatchTheReference(Format format) {
        for (int batch = 0; batch < 3; batch++) {
            List<HostPlanes> pictures = new ArrayList<>();
            int n = 1 + random.nextInt(GpuBackend.CAPACITY);
            for (int i = 0; i < n; i++) {
                int w = random.nextInt(3) == 0 ? randomWidth() : 7 + random.nextInt(500);
                int h = random.nextInt(3) == 0 ? randomHeight() : 7 + random.nextInt(200);
                pictures.add(switch (random.nextInt(3)) {
                    case 0 -> planes(format, w, h, Fill.NOISE);
                    case 1 -> planes(format, w, h, Fill.DARK_RUNS);
                    default -> softShapes(format, w, h);
                });
            }
            List<long[]> sums = backend.blurSums(pictures);
            assertThat(sums).hasSize(n);
            for (int i = 0; i < n; i++) {
                HostPlanes f = pictures.get(i);
                assertThat(sums.get(i)).as(where(f)).containsExactly(Reference.blur(f));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void edgesOfKnownWidth(Format format) {
        int w = 203;
        int h = 117;
        List<HostPlanes> pictures = new ArrayList<>();
        int[] ramps = {1, 2, 5, 10, 17};
        for (int ramp : ramps) {
            pictures.add(drawn(format, w, h, verticalEdge(ramp), "ramp " + ramp));
        }
        // The same edge lying down, found by the columns; a flat picture, which has no edges at all.
        pictures.add(drawn(format, h, w, transposed(verticalEdge(6)), "lying ramp 6"));
        pictures.add(drawn(format, w, h, (x, y) -> 100, "flat"));
        List<long[]> sums = backend.blurSums(pictures);
        for (int i = 0; i < pictures.size(); i++) {
            long[] s = sums.get(i);
            HostPlanes f = pictures.get(i);
            assertThat(s).as(where(f)).containsExactly(Reference.blur(f));
            double score = Blur.score(s[0], s[1], s[2]);
            if (i < ramps.length) {
                assertThat(score).as(where(f)).isEqualTo(ramps[i]);
            } else if (i == ramps.length) {
                assertThat(score).as(where(f)).isEqualTo(6);
            } else {
                assertThat(s[1]).as(where(f)).isZero();
                assertThat(score).as(where(f)).isNaN();
            }
        }
    }

    /** 8-bit values: a vertical edge from 40 to 200 at column 100, rising over {@code ramp} samples. */
    private static IntBinaryOperator verticalEdge(int ramp) {
        return (x, y) -> x < 100 ? 40 : x >= 100 + ramp ? 200 : 40 + 160 * (x - 100) / ramp;
    }

    private static IntBinaryOperator transposed(IntBinaryOperator picture) {
        return (x, y) -> picture.applyAsInt(y, x);
    }

    /** {@code picture}'s 8-bit values in plane 0 at the format's depth; mid-grey chroma. */
    private HostPlanes drawn(Format format, int w, int h, IntBinaryOperator picture, String what) {
        int m = 1 << (format.bitDepth - 8);
        return HostPlanes.drawn(arena, format, w, h, random,
                (p, x, y) -> p == 0 ? picture.applyAsInt(x, y) * m : 128 * m, what);
    }

    /** A few soft-edged rectangles (ramps of random width) on a shaded ground, with grain: edges of many widths. */
    private HostPlanes softShapes(Format format, int w, int h) {
        int shapes = 1 + random.nextInt(4);
        int[][] r = new int[shapes][];
        for (int i = 0; i < shapes; i++) {
            r[i] = new int[] {random.nextInt(w), random.nextInt(h), 1 + random.nextInt(w), 1 + random.nextInt(h),
                1 + random.nextInt(24), random.nextInt(200) - 100};
        }
        int grain = random.nextInt(4);
        int max = format.maxValue();
        int m = 1 << (format.bitDepth - 8);
        return HostPlanes.drawn(arena, format, w, h, random, (p, x, y) -> {
            if (p != 0) {
                return 128 * m;
            }
            double v = 60 + 40.0 * x / w;
            for (int[] s : r) {
                double inX = Math.clamp(Math.min(x - s[0], s[0] + s[2] - x) / (double) s[4] + 0.5, 0, 1);
                double inY = Math.clamp(Math.min(y - s[1], s[1] + s[3] - y) / (double) s[4] + 0.5, 0, 1);
                v += s[5] * inX * inY;
            }
            int noise = grain == 0 ? 0 : random.nextInt(2 * grain + 1) - grain;
            return Math.clamp((long) (v * m) + (long) noise * m, 0, max);
        }, "soft shapes, grain " + grain);
    }
}
