package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import io.vigil.kernels.StatisticsBackend.Frame;
import io.vigil.kernels.StatisticsBackend.FrameResult;
import io.vigil.kernels.StatisticsBackend.LumaResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * The luma statistics (dark count, sum, minimum, maximum of plane 0), the same assertions for every backend: exact
 * equality with {@link Reference} on random planes of every layout, and the extremes (a black plane, a plane at the
 * largest value, thresholds below and above every sample). The backend is given by a subclass (CPU, C, GPU) or
 * StatisticsEmulatedGpuTest.
 */
class LumaStatsContract extends ContractSupport {
    LumaStatsContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPlanesMatchTheReference(Format format) {
        for (int i = 0; i < 12; i++) {
            HostPlanes f = planes(format, randomWidth(), randomHeight(),
                    random.nextBoolean() ? Fill.NOISE : Fill.DARK_RUNS);
            int threshold = random.nextInt(-1, format.maxValue() + 2);
            assertThat(backend.luma(f, threshold)).as(where(f + ", threshold " + threshold))
                    .isEqualTo(Reference.luma(f, threshold));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aBlackPlaneIsAllDark(Format format) {
        HostPlanes f = planes(format, 1 + random.nextInt(400), 1 + random.nextInt(30), Fill.BLACK);
        int threshold = LumaStats.blackCodeValue(0.10, format.bitDepth, false);
        LumaResult result = backend.luma(f, threshold);
        assertThat(result).as(where(f)).isEqualTo(new LumaResult(f.samples(0), 0, 0, 0))
                .isEqualTo(Reference.luma(f, threshold));
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aPlaneAtTheLargestValueHasNoDarkSample(Format format) {
        HostPlanes f = planes(format, 1 + random.nextInt(400), 1 + random.nextInt(30), Fill.MAX);
        int max = format.maxValue();
        LumaResult result = backend.luma(f, LumaStats.blackCodeValue(1.0, format.bitDepth, false));
        assertThat(result).as(where(f)).isEqualTo(new LumaResult(0, (long) max * f.samples(0), max, max));
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void thresholdsOutsideTheRangeCountNothingOrEverything(Format format) {
        HostPlanes f = planes(format, randomWidth(), randomHeight(), Fill.NOISE);
        long all = f.samples(0);
        // -1..max+1: LumaStats.compute8's SWAR test holds thresholds up to 256 in 16-bit lanes (blackCodeValue never
        // leaves 0..255 at 8 bits); the kernels take any int.
        for (int threshold : new int[] {-1, 0, format.maxValue(), format.maxValue() + 1}) {
            LumaResult result = backend.luma(f, threshold);
            if (threshold < 0 || threshold >= format.maxValue()) {
                assertThat(result.darkCount()).as(where(f + ", threshold " + threshold))
                        .isEqualTo(threshold < 0 ? 0 : all);
            }
            assertThat(result).as(where(f + ", threshold " + threshold)).isEqualTo(Reference.luma(f, threshold));
        }
    }

    @Test
    void fullHdNv12AndUhdP010() {
        HostPlanes hd = planes(Format.NV12, 1920, 1080, Fill.DARK_RUNS);
        HostPlanes uhd = planes(Format.P010, 3840, 2160, Fill.NOISE);
        assertThat(backend.luma(hd, 37)).as(where(hd)).isEqualTo(Reference.luma(hd, 37));
        assertThat(backend.luma(uhd, 151)).as(where(uhd)).isEqualTo(Reference.luma(uhd, 151));
    }

    @Test
    void aBatchOfFiveDifferentFramesKeepsEachFramesOwnResult() {
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame(planes(Format.NV12, 333, 17, Fill.DARK_RUNS), null, 37));
        frames.add(new Frame(planes(Format.P010, 64, 9, Fill.NOISE), null, 151));
        frames.add(new Frame(planes(Format.YUV420P, 7, 3, Fill.BLACK), null, 16));
        HostPlanes withReference = planes(Format.YUV420P16, 129, 5, Fill.MAX);
        frames.add(new Frame(withReference, withReference.nearCopy(arena, 3, random), 4000));
        frames.add(new Frame(planes(Format.NV12, 1, 1, Fill.NOISE), null, 255));
        List<FrameResult> results = backend.batch(frames);
        assertThat(results).hasSize(5);
        for (int slot = 0; slot < 5; slot++) {
            Frame frame = frames.get(slot);
            assertThat(results.get(slot).luma()).as(where("slot " + slot + ": " + frame.planes()))
                    .isEqualTo(Reference.luma(frame.planes(), frame.threshold()));
        }
    }
}
