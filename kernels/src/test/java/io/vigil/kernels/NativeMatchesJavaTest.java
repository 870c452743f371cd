package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * libvigilpixels' C passes against the Java loops they replace, statistic by statistic, on random planes of every
 * layout (8-bit, 10-bit planar, P010, NV12, 16-bit), odd sizes up to a little over 1080p, padded pitches with
 * garbage after each row, and every fill: the same integers or the test fails with its seed.
 */
class NativeMatchesJavaTest extends ContractSupport {
    private final StatisticsBackend java = new CpuBackend();

    @Override
    protected StatisticsBackend openBackend() {
        return NativePasses.backend();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void everyStatisticGivesTheJavaIntegers(Format format) {
        for (Fill fill : Fill.values()) {
            for (int i = 0; i < 3; i++) {
                boolean large = i == 2 && fill.ordinal() % 3 == 0;
                int width = large ? 1900 + random.nextInt(40) : randomWidth();
                int height = large ? 1070 + random.nextInt(20) : randomHeight();
                HostPlanes f = planes(format, width, height, fill);
                int threshold = random.nextInt(format.maxValue() + 3) - 1;
                assertThat(backend.luma(f, threshold)).as(where(f + ", luma threshold " + threshold))
                        .isEqualTo(java.luma(f, threshold));
                assertThat(backend.brngCount(f)).as(where(f + ", brng")).isEqualTo(java.brngCount(f));
                assertThat(backend.blockinessSums(f)).as(where(f + ", blockiness"))
                        .containsExactly(java.blockinessSums(f));
                double limit = random.nextBoolean() ? Letterbox.DEFAULT_LIMIT : random.nextDouble();
                assertThat(backend.letterbox(f, limit)).as(where(f + ", letterbox limit " + limit))
                        .containsExactly(java.letterbox(f, limit));
            }
        }
    }
}
