package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * FrameDifference's re-coding test, the largest 16x16 block difference ({@code BlockSad.peakBlockMean} per plane,
 * FFmpeg's SIMD 16x16 SAD for whole 8-bit blocks): equal to the slow reference on random pairs with other pitches
 * and edge blocks, and the cases it tells apart: the same picture coded again (every sample within a code value)
 * stays within a code value; one changed block stands out however small against the whole picture. The C and CUDA
 * providers have no pass of their own for it (the C provider runs this one; the CUDA one does not compute it, and the
 * freeze detector falls back to freezedetect's rule there).
 */
class BlockPeakTest extends ContractSupport {
    BlockPeakTest() {
        super(CpuBackend::new);
    }

    static double peak(HostPlanes a, HostPlanes b) {
        double peak = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            MemorySegment pa = a.planes[p];
            MemorySegment pb = b.planes[p];
            peak = Math.max(peak, BlockSad.peakBlockMean(pa, a.pitches[p], pb, b.pitches[p], a.planeWidths[p],
                    a.planeHeights[p], a.format.bytesPerSample, a.format.shift));
        }
        return peak;
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPairsMatchTheReference(Format format) {
        for (int i = 0; i < 10; i++) {
            int width = randomWidth();
            int height = randomHeight();
            HostPlanes a = planes(format, width, height, random.nextBoolean() ? Fill.NOISE : Fill.DARK_RUNS);
            HostPlanes b = random.nextBoolean() ? planes(format, width, height, Fill.NOISE)
                    : a.nearCopy(arena, 1 + random.nextInt(8), random);
            assertThat(peak(a, b)).as(where(a + " against " + b)).isEqualTo(Reference.peakBlockMean(a, b));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theSamePictureCodedAgainStaysWithinACodeValue(Format format) {
        HostPlanes a = planes(format, 64 + random.nextInt(600), 64 + random.nextInt(200), Fill.NOISE);
        HostPlanes again = a.nearCopy(arena, 1, random);
        assertThat(peak(a, again)).as(where(a)).isLessThanOrEqualTo(1.0);
        assertThat(peak(a, a.nearCopy(arena, 0, random))).as(where(a)).isZero();
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
        double expected = Reference.peakBlockMean(a, b);
        assertThat(peak(a, b)).as(where(a)).isEqualTo(expected);
        assertThat(expected).as(where(a)).isGreaterThan(step / 4.0);
        assertThat(Reference.sad(a, b).sad() / (double) Reference.sad(a, b).samples()).as(where(a))
                .isCloseTo(0, offset(0.01 * step));
    }
}
