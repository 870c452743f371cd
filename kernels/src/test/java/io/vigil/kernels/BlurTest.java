package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/** Blur's mean edge width on synthetic luma planes whose edge widths are known, in 8-, 10- and 16-bit layouts. */
class BlurTest {
    private static final int WIDTH = 203;
    private static final int HEIGHT = 117;

    /** 8-bit values: a vertical edge from 40 to 200 at column 100, rising over {@code ramp} samples. */
    private static IntBinaryOperator verticalEdge(int ramp) {
        return (x, y) -> x < 100 ? 40 : x >= 100 + ramp ? 200 : 40 + 160 * (x - 100) / ramp;
    }

    /** The score of {@code picture} (8-bit values) stored with {@code bytesPerSample} and {@code shift}. */
    private static double score(IntBinaryOperator picture, int width, int height, int bytesPerSample, int shift,
                                int bitDepth) {
        int stride = width * bytesPerSample + 13;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plane = arena.allocate((long) stride * height + 64);
            Random garbage = new Random(7);
            for (long i = 0; i < plane.byteSize(); i++) {
                plane.set(JAVA_BYTE, i, (byte) garbage.nextInt(256));
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int v = picture.applyAsInt(x, y) << (bitDepth - 8);
                    long at = (long) y * stride + (long) x * bytesPerSample;
                    if (bytesPerSample == 1) {
                        plane.set(JAVA_BYTE, at, (byte) v);
                    } else {
                        plane.set(JAVA_SHORT_UNALIGNED, at, (short) (v << shift));
                    }
                }
            }
            long[] sums = new long[3];
            Blur.sums(plane, stride, width, height, bytesPerSample, shift, bitDepth, sums);
            return Blur.score(sums[0], sums[1], sums[2]);
        }
    }

    private static double score8(IntBinaryOperator picture) {
        return score(picture, WIDTH, HEIGHT, 1, 0, 8);
    }

    @Test
    void sharpStepHasWidthOne() {
        assertThat(score8(verticalEdge(1))).isEqualTo(1.0);
        // The same edge lying down: found by the columns.
        IntBinaryOperator vertical = verticalEdge(1);
        assertThat(score(vertical, WIDTH, HEIGHT, 1, 0, 8)).isEqualTo(1.0);
        assertThat(score((x, y) -> vertical.applyAsInt(y, x), HEIGHT, WIDTH, 1, 0, 8)).isEqualTo(1.0);
    }

    @Test
    void rampOfKnownWidthGivesThatWidth() {
        for (int ramp : new int[] {2, 5, 10, 17}) {
            assertThat(score8(verticalEdge(ramp))).as("ramp %d", ramp).isEqualTo(ramp);
            IntBinaryOperator edge = verticalEdge(ramp);
            assertThat(score((x, y) -> edge.applyAsInt(y, x), HEIGHT, WIDTH, 1, 0, 8)).as("lying ramp %d", ramp)
                    .isEqualTo(ramp);
        }
        // Falling edges measure the same.
        assertThat(score8((x, y) -> 240 - verticalEdge(6).applyAsInt(x, y))).isEqualTo(6);
    }

    @Test
    void shadingUnderAnEdgeIsNotPartOfIt() {
        // A sharp step of 60 on a ramp rising the same way by 1 per sample (2 per sample: still shading): width 1,
        // where the plain monotone run would reach the search radius on both sides.
        assertThat(score((x, y) -> 20 + x + (x >= 75 ? 60 : 0), 150, HEIGHT, 1, 0, 8)).isEqualTo(1.0);
        assertThat(score((x, y) -> 10 + x * 3 / 2 + (x >= 75 ? 60 : 0), 110, HEIGHT, 1, 0, 8)).isEqualTo(1.0);
        // A blurred edge on the same ramp keeps its own width.
        assertThat(score((x, y) -> 20 + x + (x < 75 ? 0 : x >= 81 ? 60 : 10 * (x - 75)), 150, HEIGHT, 1, 0, 8))
                .isEqualTo(6.0);
    }

    @Test
    void grainDoesNotCutASoftEdgeShort() {
        // A ramp over 12 samples under grain of +-2 codes: still about 12 wide (without the smoothing, the grain's
        // reversals would end the run within a few samples).
        Random grain = new Random(11);
        IntBinaryOperator soft = verticalEdge(12);
        assertThat(score8((x, y) -> soft.applyAsInt(x, y) + grain.nextInt(5) - 2)).isCloseTo(12.0, within(2.5));
        Random flat = new Random(12);
        assertThat(score8((x, y) -> 100 + flat.nextInt(7) - 3)).as("flat under grain").isNaN();
    }

    @Test
    void mixOfEdgesAveragesTheirWidths() {
        // Width 1 in the top half, 9 in the bottom half: the mean is near 5 (the columns through the soft ramp
        // also see the short step where the halves meet, a few edges of width 1).
        IntBinaryOperator sharp = verticalEdge(1);
        IntBinaryOperator soft = verticalEdge(9);
        assertThat(score8((x, y) -> y < HEIGHT / 2 ? sharp.applyAsInt(x, y) : soft.applyAsInt(x, y)))
                .isCloseTo(5.0, within(0.6));
    }

    @Test
    void deeperLayoutsGiveTheSameWidths() {
        for (int ramp : new int[] {1, 4, 12}) {
            IntBinaryOperator edge = verticalEdge(ramp);
            assertThat(score(edge, WIDTH, HEIGHT, 2, 0, 10)).as("10-bit, ramp %d", ramp).isEqualTo(ramp);
            assertThat(score(edge, WIDTH, HEIGHT, 2, 6, 10)).as("P010, ramp %d", ramp).isEqualTo(ramp);
            assertThat(score(edge, WIDTH, HEIGHT, 2, 0, 16)).as("16-bit, ramp %d", ramp).isEqualTo(ramp);
        }
    }

    @Test
    void picturesWithoutEdgesHaveNoVerdict() {
        assertThat(score8((x, y) -> 16)).as("black").isNaN();
        assertThat(score8((x, y) -> 180)).as("plain colour").isNaN();
        Random noise = new Random(3);
        assertThat(score8((x, y) -> 100 + noise.nextInt(3))).as("faint noise").isNaN();
        assertThat(score8((x, y) -> 30 + x * 3 / 4)).as("gentle gradient").isNaN();
        assertThat(score(verticalEdge(3), WIDTH, HEIGHT, 2, 6, 10)).isEqualTo(3);
        assertThat(score((x, y) -> 16, 3, 3, 1, 0, 8)).as("tiny").isNaN();
        assertThat(Blur.score(0, 0, 0)).isNaN();
        // One edge in a large picture is too few to judge.
        assertThat(Blur.score(70, 7, 40)).isNaN();
        assertThat(Blur.score(80, 8, 64)).isEqualTo(10);
        assertThat(Blur.score(80, 8, 65)).isNaN();
    }
}
