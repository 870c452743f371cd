package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Blockiness' score from its four sums: the visibility floor, and its scaling with the bit depth. */
class BlockinessScoreTest {
    /** The sums of a picture whose mean steps are {@code boundaryMean} across the grid and {@code innerMean} inside. */
    static double score(double boundaryMean, double innerMean, int bitDepth) {
        long count = 1_000_000;
        return Blockiness.score(Math.round(boundaryMean * count), count, Math.round(innerMean * count), count,
                bitDepth);
    }

    @Test
    void anInvisibleGridScoresOne() {
        // A still smooth sky through mpeg2video at 4 Mb/s: 1.05 across the grid, 0.59 inside (1.29 without a floor).
        assertThat(score(1.05, 0.59, 8)).isEqualTo(1.0);
        assertThat(score(0.59 + Blockiness.VISIBLE_EXCESS, 0.59, 8)).isEqualTo(1.0);
        assertThat(score(0.2, 0.8, 8)).isEqualTo(1.0);
    }

    @Test
    void theExcessOverTheFloorCountsRelativeToTheInnerSteps() {
        // Blocks that went flat: 2.38 across the grid, 1.17 inside (mpeg2video at 100 kb/s).
        assertThat(score(2.38, 1.17, 8)).isCloseTo(1 + (2.38 - 1.17 - 0.75) / 2.17, offset(1e-6));
    }

    @Test
    void tenBitPicturesScoreAsTheirEightBitTwins() {
        for (double[] means : new double[][] {{1.05, 0.59}, {2.38, 1.17}, {3, 0}}) {
            assertThat(score(4 * means[0], 4 * means[1], 10)).as("%s", means)
                    .isCloseTo(score(means[0], means[1], 8), offset(1e-9));
        }
    }
}
