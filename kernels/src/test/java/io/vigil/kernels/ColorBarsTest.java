package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Format;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ColorBars on drawn pictures of every layout: 75% and 100% bars (with RP 219's grey pillars, EBU's black eighth bar,
 * a little noise) score 1; the same bars in another order, without chroma, a ramp, noise, a checkerboard and black
 * score low; flatness of a plain field, a gradient and noise.
 */
class ColorBarsTest {
    /** BT.601 limited-range Y, Cb, Cr of 75% bars: white(75% grey), yellow, cyan, green, magenta, red, blue. */
    static final int[][] BARS75 = {{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58}, {84, 184, 198},
        {65, 100, 212}, {35, 212, 114}};
    /** 100% bars. */
    static final int[][] BARS100 = {{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {106, 202, 222},
        {81, 90, 240}, {41, 240, 110}};

    private final Random random = new Random(7);

    /** {@code colours[i]} across {@code [start, end)} of the width in equal bars, {@code pillar} elsewhere. */
    static HostPlanes bars(Arena arena, Format format, int w, int h, int[][] colours, double start, double end,
                           int[] pillar, int noise, Random random) {
        int m = 1 << (format.bitDepth - 8);
        return HostPlanes.drawn(arena, format, w, h, random, (p, x, y) -> {
            int c = p == 0 ? 0 : format.interleaved ? 1 + (x & 1) : p;
            int lx = p == 0 ? x : 2 * (format.interleaved ? x >> 1 : x);
            int ly = p == 0 ? y : 2 * y;
            double at = (double) lx / w;
            int[] colour = pillar;
            if (at >= start && at < end && ly < h * 2 / 3) {
                colour = colours[(int) ((at - start) / (end - start) * colours.length)];
            } else if (ly >= h * 2 / 3) {
                colour = new int[] {16, 128, 128};
            }
            int v = colour[c] * m + (noise == 0 ? 0 : random.nextInt(2 * noise + 1) - noise);
            return Math.clamp(v, 0, format.maxValue());
        }, "bars");
    }

    static double score(HostPlanes f) {
        boolean il = f.format.interleaved;
        return new ColorBars(Loops.JAVA).barsScore(f.planes[0], f.pitches[0], f.planes[1], f.pitches[1],
                il ? java.lang.foreign.MemorySegment.NULL : f.planes[2], il ? 0 : f.pitches[2], f.width, f.height,
                f.format.bytesPerSample, f.format.shift, f.format.bitDepth, 1, 1, il);
    }

    static double[] flatness(HostPlanes f) {
        long[] out = new long[3];
        ColorBars.flatnessJava(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample,
                f.format.shift, f.format.bitDepth, out);
        return new double[] {(double) out[0] / out[2], (double) out[1] / out[2]};
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void standardBarsScoreOne(Format format) {
        try (Arena arena = Arena.ofConfined()) {
            int[] grey40 = {104, 128, 128};
            int[] black = {16, 128, 128};
            // SMPTE: seven bars across the width; RP 219: grey pillars of 1/8; EBU: an eighth bar (black).
            assertThat(score(bars(arena, format, 641, 361, BARS75, 0, 1, black, 1, random))).isEqualTo(1.0);
            assertThat(score(bars(arena, format, 1920, 1080, BARS75, 0.125, 0.875, grey40, 1, random)))
                    .isEqualTo(1.0);
            assertThat(score(bars(arena, format, 720, 576, BARS100, 0, 0.875, black, 0, random))).isEqualTo(1.0);
            assertThat(score(bars(arena, format, 320, 240, BARS100, 0, 1, black, 2, random))).isEqualTo(1.0);
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void otherPicturesScoreLow(Format format) {
        try (Arena arena = Arena.ofConfined()) {
            int[] black = {16, 128, 128};
            int[][] reversed = new int[7][];
            int[][] grey = new int[7][];
            for (int i = 0; i < 7; i++) {
                reversed[i] = BARS75[6 - i];
                grey[i] = new int[] {BARS75[i][0], 128, 128};
            }
            assertThat(score(bars(arena, format, 640, 360, reversed, 0, 1, black, 0, random))).isLessThan(0.3);
            // Luma steps of bars without their colours: a grey staircase.
            assertThat(score(bars(arena, format, 640, 360, grey, 0, 1, black, 0, random))).isLessThan(0.3);
            int m = 1 << (format.bitDepth - 8);
            HostPlanes ramp = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> p == 0 ? (16 + x * 219 / 640) * m : 128 * m, "ramp");
            assertThat(score(ramp)).isZero();
            HostPlanes checker = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> p == 0 ? ((x / 40 + y / 40) % 2 == 0 ? 235 : 16) * m : 128 * m, "checkerboard");
            assertThat(score(checker)).isLessThan(0.3);
            HostPlanes noise = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> random.nextInt(format.maxValue() + 1), "noise");
            assertThat(score(noise)).isZero();
            HostPlanes plain = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> (p == 0 ? 16 : 128) * m, "black");
            assertThat(score(plain)).isZero();
        }
    }

    @Test
    void flatnessSeparatesGraphicsFromNoise() {
        try (Arena arena = Arena.ofConfined()) {
            Format format = Format.YUV420P;
            HostPlanes gradient = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> p == 0 ? 40 + y / 4 + x / 8 : 128, "gradient");
            assertThat(flatness(gradient)[0]).isEqualTo(1.0);
            assertThat(flatness(gradient)[1]).isZero();
            HostPlanes boxes = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> p == 0 ? (x > 100 && x < 540 && y > 150 && y < 210 ? 235 : 30) : 128, "box");
            double[] b = flatness(boxes);
            assertThat(b[0]).isGreaterThan(0.99);
            assertThat(b[1]).isGreaterThan(0.0002);
            HostPlanes noise = HostPlanes.drawn(arena, format, 640, 360, random,
                    (p, x, y) -> 100 + random.nextInt(9), "grain");
            assertThat(flatness(noise)[0]).isLessThan(0.5);
        }
    }
}
