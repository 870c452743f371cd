package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * Blockiness' four integer sums (small luma steps across the 8x8 grid and elsewhere), the same assertions for every
 * backend: exact equality with {@link Reference#blockiness} on random planes of every layout (noise, whose steps are
 * mostly over the limit, and dark runs) and on flat pictures (all steps 0, score 1). The backend is given by a
 * subclass (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class BlockinessContract extends ContractSupport {
    BlockinessContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPlanesMatchTheReference(Format format) {
        for (int i = 0; i < 12; i++) {
            HostPlanes f = planes(format, randomWidth(), randomHeight(),
                    i % 3 == 0 ? Fill.NOISE : i % 3 == 1 ? Fill.DARK_RUNS : Fill.LIMITS);
            assertThat(backend.blockinessSums(f)).as(where(f)).containsExactly(Reference.blockiness(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void flatPicturesScoreOne(Format format) {
        for (Fill fill : new Fill[] {Fill.BLACK, Fill.MAX}) {
            HostPlanes f = planes(format, 1 + random.nextInt(400), 1 + random.nextInt(30), fill);
            long[] s = backend.blockinessSums(f);
            assertThat(s).as(where(f)).containsExactly(Reference.blockiness(f));
            assertThat(s[0] + s[2]).isZero();
            assertThat(Blockiness.score(s[0], s[1], s[2], s[3], format.bitDepth)).isEqualTo(1.0);
        }
    }
}
