package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * libvigilpixels' C passes against the Java loops they replace, statistic by statistic (freeze's block peaks too), on
 * random planes of every layout (8-bit, 10-bit planar, P010, NV12, 16-bit), odd sizes up to a little over 1080p,
 * padded pitches with garbage after each row, and every fill: the same integers or the test fails with its seed. Blur and ColorBars also
 * on drawn pictures (random planes have few long runs): ramps and steps of every width with grain, which give many
 * edges and long walks, and colour bars with grain, which give flat cells, segments and a bars score.
 */
class NativeMatchesJavaTest extends ContractSupport {
    private final StatisticsBackend java = new CpuBackend();

    NativeMatchesJavaTest() {
        super(NativePasses::backend);
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
                HostPlanes reference = random.nextBoolean() ? f.nearCopy(arena, 1 + random.nextInt(4), random)
                        : planes(format, width, height, Fill.NOISE);
                HostPlanes anchor = random.nextBoolean() ? null : f.nearCopy(arena, random.nextInt(3), random);
                assertThat(backend.blockPeaks(f, reference, anchor)).as(where(f + ", block peaks"))
                        .isEqualTo(java.blockPeaks(f, reference, anchor));
            }
        }
    }

    /**
     * BRNG on the chroma layouts HostPlanes does not make: 4:4:4, 4:2:2, 4:1:1 (the one-pixel-at-a-time path),
     * 4:4:0, gray, planar and interleaved, 8- and 16-bit (P010-style shift too), odd sizes and padded pitches.
     */
    @ParameterizedTest
    @CsvSource({
            "0, 0, false, true, 1, 0, 8", "1, 0, false, true, 1, 0, 8", "2, 0, false, true, 1, 0, 8",
            "0, 1, false, true, 1, 0, 8", "0, 0, false, false, 1, 0, 8", "1, 0, true, true, 1, 0, 8",
            "0, 0, true, true, 1, 0, 8", "0, 0, false, true, 2, 0, 10", "1, 0, false, true, 2, 0, 10",
            "2, 0, false, true, 2, 6, 10", "1, 0, true, true, 2, 6, 10", "0, 0, false, false, 2, 0, 16",
            "1, 1, false, true, 2, 0, 12"})
    void brngGivesTheJavaCountOnEveryChromaLayout(int log2w, int log2h, boolean interleaved, boolean chroma,
                                                    int bytesPerSample, int shift, int bitDepth) {
        for (int i = 0; i < 8; i++) {
            int width = i == 7 ? 1920 + random.nextInt(3) : randomWidth();
            int height = randomHeight();
            int cw = (width + (1 << log2w) - 1) >> log2w;
            int ch = (height + (1 << log2h) - 1) >> log2h;
            int yPitch = width * bytesPerSample + random.nextInt(40);
            int cPitch = cw * bytesPerSample * (interleaved ? 2 : 1) + random.nextInt(40);
            boolean inRange = random.nextBoolean();
            MemorySegment y = randomPlane(yPitch, height, bytesPerSample, shift, bitDepth, inRange);
            MemorySegment u = randomPlane(cPitch, ch, bytesPerSample, shift, bitDepth, inRange);
            MemorySegment v = randomPlane(cPitch, ch, bytesPerSample, shift, bitDepth, inRange);
            MemorySegment vPlane = chroma && !interleaved ? v : MemorySegment.NULL;
            String what = where(width + "x" + height + " log2 " + log2w + "," + log2h + (interleaved ? " interleaved" : "")
                    + (chroma ? "" : " gray") + " " + bitDepth + "-bit shift " + shift + " pitches " + yPitch + "," + cPitch);
            long expected = BroadcastRange.JAVA.count(y, yPitch, chroma ? u : MemorySegment.NULL, cPitch, vPlane,
                    cPitch, width, height, bytesPerSample, shift, bitDepth, log2w, log2h, chroma, interleaved);
            assertThat(BroadcastRange.NATIVE.count(y, yPitch, chroma ? u : MemorySegment.NULL, cPitch, vPlane,
                    cPitch, width, height, bytesPerSample, shift, bitDepth, log2w, log2h, chroma, interleaved))
                    .as(what).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void blurAndColorBarsGiveTheJavaIntegers(Format format) {
        int barsScored = 0;
        long edges = 0;
        for (int i = 0; i < 24; i++) {
            boolean large = i == 23;
            int kind = i % 4;
            int width = large ? 1900 + random.nextInt(40) : kind == 0 ? randomWidth() : 1 + random.nextInt(700);
            int height = large ? 1070 + random.nextInt(20) : kind == 0 ? randomHeight() : 1 + random.nextInt(300);
            HostPlanes f = switch (kind) {
                case 0 -> planes(format, width, height, Fill.values()[random.nextInt(Fill.values().length)]);
                case 1, 2 -> ramps(format, width, height);
                default -> bars(format, Math.max(width, 128), Math.max(height, 40));
            };
            long[] expected = new long[3];
            long[] actual = new long[3];
            Blur.JAVA.sums(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample,
                    f.format.shift, f.format.bitDepth, expected);
            Blur.NATIVE.sums(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample,
                    f.format.shift, f.format.bitDepth, actual);
            assertThat(actual).as(where(f + ", blur")).containsExactly(expected);
            edges += expected[1];

            ColorBars java = new ColorBars(Loops.JAVA);
            ColorBars c = new ColorBars(Loops.C);
            double javaScore = barsScore(java, f);
            assertThat(barsScore(c, f)).as(where(f + ", bars score")).isEqualTo(javaScore);
            assertThat(c.rowSums).as(where(f + ", bars row sums")).containsExactly(java.rowSums);
            assertThat(c.leftSums).as(where(f + ", bars left sums")).containsExactly(java.leftSums);
            assertThat(c.rightSums).as(where(f + ", bars right sums")).containsExactly(java.rightSums);
            assertThat(c.uSums).as(where(f + ", bars U sums")).containsExactly(java.uSums);
            assertThat(c.vSums).as(where(f + ", bars V sums")).containsExactly(java.vSums);
            assertThat(c.chromaCounts).as(where(f + ", bars chroma counts")).containsExactly(java.chromaCounts);
            barsScored += javaScore > 0 ? 1 : 0;
            long[] flatJava = new long[3];
            long[] flatNative = new long[3];
            java.flatness(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample, f.format.shift,
                    f.format.bitDepth, flatJava);
            c.flatness(f.planes[0], f.pitches[0], f.width, f.height, f.format.bytesPerSample, f.format.shift,
                    f.format.bitDepth, flatNative);
            assertThat(flatNative).as(where(f + ", flatness")).containsExactly(flatJava);
        }
        // The drawn pictures did what they are for: many edges to walk, bars found.
        assertThat(edges).as(where("blur edges over all pictures")).isGreaterThan(1000);
        assertThat(barsScored).as(where("pictures with a bars score")).isGreaterThan(0);
    }

    /** A 16-bit picture whose samples have bits above their depth: the C pass leaves its fast path, same sums. */
    @ParameterizedTest
    @CsvSource({"0, 10", "6, 10", "0, 12", "2, 10"})
    void blurGivesTheJavaSumsWithBitsAboveTheDepth(int shift, int bitDepth) {
        for (int i = 0; i < 4; i++) {
            int width = 7 + random.nextInt(400);
            int height = 7 + random.nextInt(200);
            int pitch = 2 * width + random.nextInt(40);
            MemorySegment plane = randomPlane(pitch, height, 2, shift, bitDepth, false);
            plane.set(JAVA_BYTE, (long) random.nextInt(height) * pitch + 2L * random.nextInt(width) + 1, (byte) 0xFF);
            long[] expected = new long[3];
            long[] actual = new long[3];
            Blur.JAVA.sums(plane, pitch, width, height, 2, shift, bitDepth, expected);
            Blur.NATIVE.sums(plane, pitch, width, height, 2, shift, bitDepth, actual);
            assertThat(actual).as(where(width + "x" + height + " shift " + shift + " depth " + bitDepth))
                    .containsExactly(expected);
        }
    }

    private static double barsScore(ColorBars bars, HostPlanes f) {
        boolean il = f.format.interleaved;
        return bars.barsScore(f.planes[0], f.pitches[0], f.planes[1], f.pitches[1],
                il ? MemorySegment.NULL : f.planes[2], il ? 0 : f.pitches[2], f.width, f.height,
                f.format.bytesPerSample, f.format.shift, f.format.bitDepth, 1, 1, il); // HostPlanes' layouts are all 4:2:0
    }

    /**
     * Ramps and steps: luma a sum of a horizontal and a vertical wave, each a triangle (ramps over its half period,
     * 1 to 120 samples) or a square (steps), quantised or not, plus grain; chroma likewise, so that every picture
     * has many edges of many widths in both directions.
     */
    private HostPlanes ramps(Format format, int width, int height) {
        int max = format.maxValue();
        int m = 1 << (format.bitDepth - 8);
        int periodX = 2 + random.nextInt(240);
        int periodY = 2 + random.nextInt(240);
        boolean squareX = random.nextInt(3) == 0;
        boolean squareY = random.nextInt(3) == 0;
        int quantum = 1 + random.nextInt(random.nextBoolean() ? 2 : 24);
        int amplitude = (40 + random.nextInt(180)) * m;
        int grain = random.nextInt(4) * m;
        return HostPlanes.drawn(arena, format, width, height, random, (p, x, y) -> {
            double wx = wave(x + 13 * p, periodX, squareX);
            double wy = wave(y + 7 * p, periodY, squareY);
            int value = (int) (amplitude * (0.6 * wx + 0.4 * wy)) / quantum * quantum + 16 * m;
            value += grain == 0 ? 0 : random.nextInt(2 * grain + 1) - grain;
            return Math.clamp(value, 0, max);
        }, "ramps " + periodX + "x" + periodY + (squareX ? " square" : "") + (squareY ? "/square" : "") + " q"
                + quantum + " grain " + grain);
    }

    /** 0..1: a triangle wave (or a square one) of the given period. */
    private static double wave(int t, int period, boolean square) {
        double phase = (double) (t % period) / period;
        return square ? (phase < 0.5 ? 0 : 1) : phase < 0.5 ? 2 * phase : 2 - 2 * phase;
    }

    /**
     * 75% colour bars (white, yellow, cyan, green, magenta, red, blue) over the upper two thirds, a black and grey
     * band below, grain over all; sometimes shifted sideways, narrowed or with bars swapped, so that scores vary.
     */
    private HostPlanes bars(Format format, int width, int height) {
        int[] y = {180, 168, 145, 134, 63, 51, 28};
        int[] u = {128, 44, 156, 72, 184, 100, 212};
        int[] v = {128, 136, 44, 58, 198, 212, 120};
        if (random.nextInt(3) == 0) {
            int a = random.nextInt(7);
            int b = random.nextInt(7);
            int[][] all = {y, u, v};
            for (int[] c : all) {
                int t = c[a];
                c[a] = c[b];
                c[b] = t;
            }
        }
        int m = 1 << (format.bitDepth - 8);
        int max = format.maxValue();
        int left = random.nextBoolean() ? 0 : random.nextInt(width / 8 + 1);
        int span = width - left - (random.nextBoolean() ? 0 : random.nextInt(width / 8 + 1));
        int grain = random.nextInt(3) * m;
        return HostPlanes.drawn(arena, format, width, height, random, (p, x, yy) -> {
            int lumaX = p == 0 ? x : format.interleaved ? 2 * (x / 2) : 2 * x;
            int lumaY = p == 0 ? yy : 2 * yy;
            int value;
            if (lumaY < 2 * height / 3 && lumaX >= left && lumaX < left + span) {
                int bar = Math.min(6, (int) ((long) (lumaX - left) * 7 / Math.max(1, span)));
                int[] c = p == 0 ? y : format.interleaved ? (x % 2 == 0 ? u : v) : p == 1 ? u : v;
                value = c[bar] * m;
            } else {
                value = (p == 0 ? (lumaX * 4 / Math.max(1, width) % 2 == 0 ? 16 : 120) : 128) * m;
            }
            value += grain == 0 ? 0 : random.nextInt(2 * grain + 1) - grain;
            return Math.clamp(value, 0, max);
        }, "bars from " + left + " over " + span + " grain " + grain);
    }

    /** Samples mostly inside broadcast range (or anywhere), garbage in the bits below the shift and the padding. */
    private MemorySegment randomPlane(int pitch, int rows, int bytesPerSample, int shift, int bitDepth,
                                      boolean mostlyInRange) {
        MemorySegment plane = arena.allocate((long) pitch * rows, 256);
        int max = (1 << bitDepth) - 1;
        int m = 1 << (bitDepth - 8);
        for (long b = 0; b < plane.byteSize(); b += bytesPerSample) {
            int s = mostlyInRange && random.nextInt(40) != 0 ? 16 * m + random.nextInt(219 * m + 1)
                    : random.nextInt(max + 1);
            if (bytesPerSample == 1) {
                plane.set(JAVA_BYTE, b, (byte) s);
            } else if (b + 1 < plane.byteSize()) {
                int word = (s << shift) | random.nextInt(1 << shift);
                plane.set(JAVA_BYTE, b, (byte) word);
                plane.set(JAVA_BYTE, b + 1, (byte) (word >> 8));
            }
        }
        return plane;
    }
}
