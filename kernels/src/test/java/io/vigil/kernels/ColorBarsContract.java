package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import io.vigil.kernels.StatisticsBackend.ColorBarsResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * ColorBars' figures, the same assertions for every backend: on batches of random bar-like pictures of every layout
 * (runs of random, standard and shuffled colours at random widths and places, with noise, sizes around the 128 x 40
 * the bars need) the bars score equals the CPU class's and the flatness counts equal {@link Reference#flatness};
 * standard bars score 1, reversed ones low, noise 0, and a plain field is all flat. The backend is given by a subclass
 * (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class ColorBarsContract extends ContractSupport {
    ColorBarsContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPicturesMatchTheReference(Format format) {
        boolean partial = false;
        for (int batch = 0; batch < 4; batch++) {
            List<HostPlanes> pictures = new ArrayList<>();
            int n = 1 + random.nextInt(GpuBackend.CAPACITY);
            for (int i = 0; i < n; i++) {
                pictures.add(switch (random.nextInt(6)) {
                    case 0 -> planes(format, randomWidth(), randomHeight(), Fill.NOISE);
                    case 1 -> planes(format, 100 + random.nextInt(300), 30 + random.nextInt(60), Fill.DARK_RUNS);
                    default -> randomBars(format);
                });
            }
            List<ColorBarsResult> results = backend.colorBars(pictures);
            List<ColorBarsResult> cpu = new CpuBackend().colorBars(pictures);
            assertThat(results).hasSize(n);
            for (int i = 0; i < n; i++) {
                HostPlanes f = pictures.get(i);
                ColorBarsResult r = results.get(i);
                long[] flat = Reference.flatness(f);
                assertThat(r).as(where(f)).isEqualTo(new ColorBarsResult(cpu.get(i).bars(), flat[0], flat[1], flat[2]));
                partial |= r.bars() > 0 && r.bars() < 1;
            }
        }
        System.out.println(getClass().getSimpleName() + " " + format + ": partly matching bars seen: " + partial);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void standardBarsScoreOneOtherPicturesLow(Format format) {
        int[] black = {16, 128, 128};
        int[] grey40 = {104, 128, 128};
        int[][] reversed = new int[7][];
        for (int i = 0; i < 7; i++) {
            reversed[i] = ColorBarsTest.BARS75[6 - i];
        }
        int m = 1 << (format.bitDepth - 8);
        List<HostPlanes> pictures = List.of(
                ColorBarsTest.bars(arena, format, 641, 361, ColorBarsTest.BARS75, 0, 1, black, 1, random),
                ColorBarsTest.bars(arena, format, 1280, 720, ColorBarsTest.BARS75, 0.125, 0.875, grey40, 1, random),
                ColorBarsTest.bars(arena, format, 720, 576, ColorBarsTest.BARS100, 0, 0.875, black, 0, random),
                ColorBarsTest.bars(arena, format, 640, 360, reversed, 0, 1, black, 0, random),
                planes(format, 320, 240, Fill.NOISE),
                HostPlanes.drawn(arena, format, 320, 240, random, (p, x, y) -> (p == 0 ? 40 : 128) * m, "plain"));
        List<ColorBarsResult> r = backend.colorBars(pictures);
        for (int i = 0; i < 3; i++) {
            assertThat(r.get(i).bars()).as(where(pictures.get(i))).isEqualTo(1.0);
        }
        assertThat(r.get(3).bars()).as(where(pictures.get(3))).isLessThan(0.3);
        assertThat(r.get(4).bars()).as(where(pictures.get(4))).isZero();
        assertThat(r.get(4).flatSteps()).as(where(pictures.get(4))).isLessThan(r.get(4).steps() / 2);
        assertThat(r.get(5).bars()).as(where(pictures.get(5))).isZero();
        assertThat(r.get(5).flatSteps()).as(where(pictures.get(5))).isEqualTo(r.get(5).steps()).isPositive();
        assertThat(r.get(5).edgeSteps()).as(where(pictures.get(5))).isZero();
    }

    /**
     * 5 to 9 runs of colours across part of the width (standard bars, in order or shuffled, or random colours),
     * pillars of another colour beside them, noise up to 3; sizes from below the bars' minimum to 800 x 480.
     */
    private HostPlanes randomBars(Format format) {
        int count = 5 + random.nextInt(5);
        int[][] table = random.nextBoolean() ? ColorBarsTest.BARS75 : ColorBarsTest.BARS100;
        int[][] colours = new int[count][];
        int kind = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            colours[i] = switch (kind) {
                case 0 -> table[i % 7];
                case 1 -> table[random.nextInt(7)];
                default -> new int[] {16 + random.nextInt(220), 16 + random.nextInt(225), 16 + random.nextInt(225)};
            };
        }
        int[] pillar = {16 + random.nextInt(220), 118 + random.nextInt(21), 118 + random.nextInt(21)};
        double start = random.nextDouble() * 0.2;
        double end = 1 - random.nextDouble() * 0.2;
        int w = 110 + random.nextInt(690);
        int h = 34 + random.nextInt(446);
        return ColorBarsTest.bars(arena, format, w, h, colours, start, end, pillar, random.nextInt(4), random);
    }
}
