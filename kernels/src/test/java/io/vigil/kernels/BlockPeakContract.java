package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import io.vigil.kernels.StatisticsBackend.BlockPeaks;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * FrameDifference's re-coding test's figures, the largest 16x16 block difference of any plane against the reference
 * and against the anchor, and the SAD against the anchor, the same assertions for every backend: exact equality with
 * {@link Reference#blockPeaks} on random triples with other pitches and edge blocks, with and without an anchor, and
 * the cases the test tells apart: the same picture coded again (every sample within a code value) stays within a code
 * value; one changed block stands out however small against the whole picture. The backend is given by a subclass
 * (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class BlockPeakContract extends ContractSupport {
    BlockPeakContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomTriplesMatchTheReference(Format format) {
        for (int i = 0; i < 10; i++) {
            int width = randomWidth();
            int height = randomHeight();
            HostPlanes a = planes(format, width, height, random.nextBoolean() ? Fill.NOISE : Fill.DARK_RUNS);
            HostPlanes b = random.nextBoolean() ? planes(format, width, height, Fill.NOISE)
                    : a.nearCopy(arena, 1 + random.nextInt(8), random);
            HostPlanes anchor = random.nextBoolean() ? null : a.nearCopy(arena, random.nextInt(4), random);
            assertThat(backend.blockPeaks(a, b, anchor)).as(where(a + " against " + b + " and " + anchor))
                    .isEqualTo(Reference.blockPeaks(a, b, anchor));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theSamePictureCodedAgainStaysWithinACodeValue(Format format) {
        HostPlanes a = planes(format, 64 + random.nextInt(600), 64 + random.nextInt(200), Fill.NOISE);
        HostPlanes again = a.nearCopy(arena, 1, random);
        BlockPeaks peaks = backend.blockPeaks(a, again, a.nearCopy(arena, 0, random));
        assertThat(peaks).as(where(a)).isEqualTo(Reference.blockPeaks(a, again, a));
        assertThat(peaks.reference()).as(where(a)).isLessThanOrEqualTo(1.0);
        assertThat(peaks.anchor()).as(where(a)).isZero();
        assertThat(peaks.anchorSad()).as(where(a)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void oneChangedBlockStandsOut(Format format) {
        int width = 1920;
        int height = 1080;
        HostPlanes a = planes(format, width, height, Fill.NOISE);
        int step = 20 << (format.bitDepth - 8);
        int bx = 16 * random.nextInt(width / 16);
        int by = 16 * random.nextInt(height / 16);
        // Plane 0's block (bx, by) brighter by 20 code values of 8 bits (clamped), the rest the same.
        HostPlanes b = HostPlanes.drawn(arena, format, width, height, random, (p, x, y) -> p == 0
                && x >= bx && x < bx + 16 && y >= by && y < by + 16
                ? Math.min(a.sample(p, x, y) + step, format.maxValue()) : a.sample(p, x, y), "one block moved");
        BlockPeaks expected = Reference.blockPeaks(a, b, b);
        assertThat(backend.blockPeaks(a, b, b)).as(where(a)).isEqualTo(expected);
        assertThat(expected.reference()).as(where(a)).isGreaterThan(step / 4.0).isEqualTo(expected.anchor());
        assertThat(expected.anchorSad() / (double) Reference.sad(a, b).samples()).as(where(a))
                .isCloseTo(0, offset(0.01 * step));
    }
}
