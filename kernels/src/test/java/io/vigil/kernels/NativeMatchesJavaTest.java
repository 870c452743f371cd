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
            long vAddress = chroma && !interleaved ? v.address() : 0;
            String what = where(width + "x" + height + " log2 " + log2w + "," + log2h + (interleaved ? " interleaved" : "")
                    + (chroma ? "" : " gray") + " " + bitDepth + "-bit shift " + shift + " pitches " + yPitch + "," + cPitch);
            long expected = BroadcastRange.JAVA.count(y.address(), yPitch, chroma ? u.address() : 0, cPitch, vAddress,
                    cPitch, width, height, bytesPerSample, shift, bitDepth, log2w, log2h, chroma, interleaved);
            assertThat(BroadcastRange.NATIVE.count(y.address(), yPitch, chroma ? u.address() : 0, cPitch, vAddress,
                    cPitch, width, height, bytesPerSample, shift, bitDepth, log2w, log2h, chroma, interleaved))
                    .as(what).isEqualTo(expected);
        }
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
