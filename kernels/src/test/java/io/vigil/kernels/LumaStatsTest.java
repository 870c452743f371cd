package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The SWAR luma pass against a plain per-sample reference, on random planes with awkward sizes and strides. */
class LumaStatsTest {
    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);

    @Test
    void blackdetectThresholdsMatchFfmpeg() {
        assertThat(LumaStats.blackCodeValue(0.10, 8, false)).isEqualTo(37);
        assertThat(LumaStats.blackCodeValue(0.10, 8, true)).isEqualTo(25);
        assertThat(LumaStats.blackCodeValue(0.10, 10, false)).isEqualTo(151);
        assertThat(LumaStats.blackCodeValue(0.0, 8, false)).isEqualTo(16);
        assertThat(LumaStats.blackCodeValue(1.0, 8, true)).isEqualTo(255);
    }

    @RepeatedTest(20)
    void eightBitMatchesReference() {
        int width = 1 + random.nextInt(1500);
        int height = 1 + random.nextInt(40);
        int stride = width + random.nextInt(64);
        int threshold = random.nextInt(256);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plane = arena.allocate((long) stride * height);
            // A mix of dark runs, bright runs and noise so that every branch is taken.
            int mode = random.nextInt(3);
            for (long i = 0; i < plane.byteSize(); i++) {
                int v = switch (mode) {
                    case 0 -> random.nextInt(256);
                    case 1 -> 16 + random.nextInt(30);
                    default -> (i / 97) % 2 == 0 ? random.nextInt(40) : 200 + random.nextInt(56);
                };
                plane.set(JAVA_BYTE, i, (byte) v);
            }
            FrameStats fast = new FrameStats();
            LumaStats.compute8(plane, stride, width, height, threshold, fast);
            long dark = 0;
            long sum = 0;
            int min = 255;
            int max = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int s = plane.get(JAVA_BYTE, (long) y * stride + x) & 0xFF;
                    dark += s <= threshold ? 1 : 0;
                    sum += s;
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
            }
            double count = (double) width * height;
            assertThat(fast.darkFraction).as("seed %d", seed).isEqualTo(dark / count);
            assertThat(fast.lumaMean).as("seed %d", seed).isEqualTo(sum / count);
            assertThat(fast.lumaMin).as("seed %d", seed).isEqualTo(min);
            assertThat(fast.lumaMax).as("seed %d", seed).isEqualTo(max);
        }
    }

    @Test
    void sixteenBitMatchesReference() {
        int width = 333;
        int height = 17;
        int stride = 2 * width + 10;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plane = arena.allocate((long) stride * height);
            long dark = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int v = 64 + random.nextInt(876);
                    plane.set(JAVA_SHORT_UNALIGNED, (long) y * stride + 2L * x, (short) v);
                    dark += v <= 151 ? 1 : 0;
                }
            }
            FrameStats out = new FrameStats();
            LumaStats.compute16(plane, stride, width, height, 151, out);
            assertThat(out.darkFraction).as("seed %d", seed).isEqualTo(dark / (double) (width * height));
            assertThat(out.lumaMin).isBetween(64, 939);
        }
    }
}
