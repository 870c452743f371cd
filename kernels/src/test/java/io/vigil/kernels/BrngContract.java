package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * signalstats' BRNG count (pixels with Y, U or V outside broadcast range on the chroma-subsampled grid), the same
 * assertions for every backend: exact equality with {@link Reference#brng} on random planes of every layout, mostly in
 * range with some samples anywhere (and pure noise), and the extremes: a black picture (all zero: every pixel out) and
 * one at the largest value (every pixel out). The backend is given by a subclass (CPU, C, GPU) or
 * StatisticsEmulatedGpuTest.
 */
class BrngContract extends ContractSupport {
    BrngContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPlanesMatchTheReference(Format format) {
        for (int i = 0; i < 12; i++) {
            HostPlanes f = planes(format, randomWidth(), randomHeight(), i % 3 == 0 ? Fill.NOISE : Fill.BROADCAST);
            assertThat(backend.brngCount(f)).as(where(f)).isEqualTo(Reference.brng(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void extremesAreAllOutOfRange(Format format) {
        for (Fill fill : new Fill[] {Fill.BLACK, Fill.MAX}) {
            HostPlanes f = planes(format, 1 + random.nextInt(400), 1 + random.nextInt(30), fill);
            assertThat(backend.brngCount(f)).as(where(f)).isEqualTo((long) f.width * f.height)
                    .isEqualTo(Reference.brng(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theLimitsAreInRangeAndOneStepOutIsNot(Format format) {
        for (int i = 0; i < 6; i++) {
            HostPlanes f = planes(format, randomWidth(), randomHeight(), Fill.LIMITS);
            long count = backend.brngCount(f);
            assertThat(count).as(where(f)).isEqualTo(Reference.brng(f));
        }
    }
}
