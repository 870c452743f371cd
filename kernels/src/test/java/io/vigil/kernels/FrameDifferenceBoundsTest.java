package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The SAD bounds a device is given for the re-coding test ({@code largestSadWithMafdAtMost}) say exactly what the
 * MAFD comparisons in FrameDifference.judge say: the bound's MAFD is within the level and the next SAD's is past it,
 * for any picture size, bit depth and level (freezedetect's -60 dB, the re-coding -40 dB, random ones, 0 and 1).
 */
class FrameDifferenceBoundsTest {
    @Test
    void theBoundIsTheLargestSadWhoseMafdIsWithinTheLevel() {
        long seed = Long.getLong("vigil.seed", System.nanoTime());
        Random random = new Random(seed);
        double[] levels = {0.001, 0.01, 0, 1, 1e-9};
        for (int i = 0; i < 20_000; i++) {
            long samples = 1 + (random.nextBoolean() ? random.nextInt(100) : (long) random.nextInt(1 << 25));
            int bitDepth = new int[] {8, 10, 12, 16}[random.nextInt(4)];
            double level = i < levels.length * 100 ? levels[i % levels.length] : random.nextDouble() * 0.05;
            long bound = FrameDifference.largestSadWithMafdAtMost(level, samples, bitDepth);
            String where = "seed " + seed + ": " + samples + " samples, " + bitDepth + " bits, level " + level;
            assertThat(bound).as(where).isGreaterThanOrEqualTo(-1);
            if (bound >= 0) {
                assertThat(FrameDifference.mafd(bound, samples, bitDepth)).as(where).isLessThanOrEqualTo(level);
            }
            assertThat(FrameDifference.mafd(bound + 1, samples, bitDepth)).as(where).isGreaterThan(level);
        }
        assertThat(FrameDifference.largestSadWithMafdAtMost(0.5, 0, 8)).as("an empty picture is never past a level")
                .isEqualTo(Long.MAX_VALUE);
    }
}
