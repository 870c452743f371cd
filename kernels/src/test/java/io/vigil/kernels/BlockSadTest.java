package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** FFmpeg's SIMD block SAD plus the Java edges, against a plain per-sample sum. */
class BlockSadTest {
    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);

    @Test
    void ffmpegSimdSadIsAvailable() {
        assertThat(BlockSad.simd()).as("av_pixelutils_get_sad_fn in the bundled FFmpeg").isTrue();
    }

    @RepeatedTest(20)
    void matchesReferenceOnRandomPlanes() {
        int width = 1 + random.nextInt(700);
        int height = 1 + random.nextInt(100);
        int strideA = width + random.nextInt(48);
        int strideB = width + random.nextInt(48);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) strideA * height);
            MemorySegment b = arena.allocate((long) strideB * height);
            for (long i = 0; i < a.byteSize(); i++) {
                a.set(JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            for (long i = 0; i < b.byteSize(); i++) {
                b.set(JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            long expected = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    expected += Math.abs((a.get(JAVA_BYTE, (long) y * strideA + x) & 0xFF)
                            - (b.get(JAVA_BYTE, (long) y * strideB + x) & 0xFF));
                }
            }
            assertThat(BlockSad.sad8(a, strideA, b, strideB, width, height))
                    .as("seed %d, %dx%d", seed, width, height).isEqualTo(expected);
        }
    }
}
