package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * cropdetect's bars (black runs of luma rows and columns from each edge), the same assertions for every backend: exact
 * equality with {@link Reference#letterbox} on bars of dark noise straddling the limit, on noise, at other limits; a
 * black picture has every bar as large as the picture, a picture at the largest value none. The backend is given by a
 * subclass (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class LetterboxContract extends ContractSupport {
    LetterboxContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void barsMatchTheReference(Format format) {
        int withBars = 0;
        for (int i = 0; i < 12; i++) {
            HostPlanes f = planes(format, randomWidth(), randomHeight(), i % 4 == 0 ? Fill.NOISE : Fill.BARS);
            double limit = i % 3 == 2 ? random.nextDouble() * 0.2 : Letterbox.DEFAULT_LIMIT;
            int[] expected = Reference.letterbox(f, limit);
            assertThat(backend.letterbox(f, limit)).as(where(f) + " limit " + limit).containsExactly(expected);
            withBars += expected[0] + expected[1] + expected[2] + expected[3] > 0 ? 1 : 0;
        }
        assertThat(withBars).as(where(format) + ": pictures with bars").isPositive();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void blackIsAllBarAndWhiteIsNone(Format format) {
        int w = 1 + random.nextInt(400);
        int h = 1 + random.nextInt(30);
        HostPlanes black = planes(format, w, h, Fill.BLACK);
        assertThat(backend.letterbox(black, Letterbox.DEFAULT_LIMIT)).as(where(black)).containsExactly(h, h, w, w);
        HostPlanes max = planes(format, w, h, Fill.MAX);
        assertThat(backend.letterbox(max, Letterbox.DEFAULT_LIMIT)).as(where(max)).containsExactly(0, 0, 0, 0);
    }
}
