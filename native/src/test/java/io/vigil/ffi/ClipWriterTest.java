package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipWriterTest {
    private static final int W = 320;
    private static final int H = 240;
    private static final int FPS = 25;
    private static final int RATE = 48_000;
    private static final int SAMPLES_PER_FRAME = RATE / FPS;

    @TempDir
    Path dir;

    /** A gradient that moves each frame for the first second, then black (Y=16, U=V=128). */
    private static void paint(long index, MemorySegment y, int yStride, MemorySegment u, MemorySegment v, int cStride) {
        boolean black = index >= FPS;
        for (int row = 0; row < H; row++) {
            for (int x = 0; x < W; x++) {
                int luma = black ? 16 : 16 + (int) ((x + 2 * row + 8 * index) % 220);
                y.set(ValueLayout.JAVA_BYTE, (long) row * yStride + x, (byte) luma);
            }
        }
        for (int row = 0; row < H / 2; row++) {
            for (int x = 0; x < W / 2; x++) {
                u.set(ValueLayout.JAVA_BYTE, (long) row * cStride + x, (byte) (black ? 128 : 64 + x % 128));
                v.set(ValueLayout.JAVA_BYTE, (long) row * cStride + x, (byte) (black ? 128 : 64 + row % 128));
            }
        }
    }

    /** Channel c of samples [from, from + n) of a 440 Hz sine at amplitude 0.5. */
    private static float[][] sine(long from, int n) {
        float[][] out = new float[2][n];
        for (int i = 0; i < n; i++) {
            float s = (float) (0.5 * Math.sin(2 * Math.PI * 440 * (from + i) / RATE));
            out[0][i] = s;
            out[1][i] = s;
        }
        return out;
    }

    private record Decoded(List<Double> meanLuma, long samples, float peak, long errors) {
    }

    private static Decoded decode(Path file) {
        List<Double> means = new ArrayList<>();
        long[] samples = {0};
        float[] peak = {0};
        try (MediaInput in = MediaInput.open(file.toString(), DecodeOptions.DEFAULTS)) {
            assertThat(in.info().video().width()).isEqualTo(W);
            assertThat(in.info().audio().channels()).isEqualTo(2);
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    long sum = 0;
                    var luma = frame.plane(0);
                    for (int row = 0; row < frame.height(); row++) {
                        long line = (long) row * frame.linesize(0);
                        for (int x = 0; x < frame.width(); x++) {
                            sum += luma.get(ValueLayout.JAVA_BYTE, line + x) & 0xFF;
                        }
                    }
                    means.add((double) sum / (frame.width() * frame.height()));
                }

                @Override
                public void onAudio(AudioBlock block) {
                    samples[0] += block.samples();
                    for (int c = 0; c < block.channelCount(); c++) {
                        for (int i = 0; i < block.samples(); i++) {
                            peak[0] = Math.max(peak[0], Math.abs(block.channel(c)[i]));
                        }
                    }
                }
            });
            return new Decoded(means, samples[0], peak[0], in.decodeErrors());
        }
    }

    @Test
    void writesVideoAndAudioThatDecodeBackAsPainted() throws Exception {
        String encoder = writeAndCheck(true);
        System.out.println("ClipWriter picked video encoder " + encoder);
    }

    @Test
    void theMpeg4FallbackDecodesBackAsPainted() throws Exception {
        assertThat(writeAndCheck(false)).isEqualTo("mpeg4");
    }

    /** Writes the 2 s clip, decodes it back and checks it; returns the video encoder used. */
    private String writeAndCheck(boolean allowOpenH264) throws Exception {
        Path file = dir.resolve("clip-" + allowOpenH264 + ".mkv");
        String encoder;
        try (ClipWriter writer = ClipWriter.create(file, W, H, FPS, RATE, 2, allowOpenH264)) {
            encoder = writer.videoEncoder();
            assertThat(encoder).isIn("libopenh264", "mpeg4");
            assertThat(writer.audioEncoder()).isEqualTo("pcm_s16le");
            for (int i = 0; i < 2 * FPS; i++) {
                writer.writeVideo(ClipWriterTest::paint);
                // Odd-sized pieces, so that the writer's own framing into 1024-sample frames is exercised.
                writer.writeAudio(sine(writer.audioSamples(), 1000), 1000);
                writer.writeAudio(sine(writer.audioSamples(), SAMPLES_PER_FRAME - 1000), SAMPLES_PER_FRAME - 1000);
            }
            assertThat(writer.videoFrames()).isEqualTo(50);
            assertThat(writer.audioSamples()).isEqualTo(96_000);
        }

        Decoded d = decode(file);
        assertThat(d.errors()).isZero();
        assertThat(d.meanLuma()).hasSize(50);
        for (int i = 0; i < 25; i++) {
            assertThat(d.meanLuma().get(i)).as("mean luma of frame %d", i).isGreaterThan(60);
        }
        for (int i = 25; i < 50; i++) {
            assertThat(d.meanLuma().get(i)).as("mean luma of frame %d", i).isLessThan(20);
        }
        assertThat(d.samples()).isCloseTo(96_000L, Offset.offset(1024L));
        assertThat(d.peak()).isCloseTo(0.5f, Offset.offset(0.01f));

        Path ffprobe = Path.of("/usr/bin/ffprobe");
        if (Files.isExecutable(ffprobe)) {
            String expected = encoder.equals("libopenh264") ? "h264" : "mpeg4";
            assertThat(probe(ffprobe, file, "v:0")).isEqualTo(expected);
            assertThat(probe(ffprobe, file, "a:0")).isEqualTo("pcm_s16le");
        }
        return encoder;
    }

    @Test
    void acceptsAllVideoBeforeAllAudioForAShortClip() {
        Path file = dir.resolve("sequential.mkv");
        try (ClipWriter writer = ClipWriter.create(file, W, H, FPS, RATE, 2)) {
            for (int i = 0; i < FPS; i++) {
                writer.writeVideo(ClipWriterTest::paint);
            }
            writer.writeAudio(sine(0, RATE), RATE);
        }
        Decoded d = decode(file);
        assertThat(d.meanLuma()).hasSize(FPS);
        assertThat(d.samples()).isEqualTo(RATE);
    }

    @Test
    void aPathInAMissingDirectoryFailsClearlyAndCleanly() {
        Path file = dir.resolve("no-such-dir").resolve("clip.mkv");
        // Repeated, so that a double free or a leak of the half-built writer would show as a crash or growth.
        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> ClipWriter.create(file, W, H, FPS, RATE, 2))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("Cannot create " + file)
                    .hasMessageContaining("No such file or directory");
        }
        assertThat(Files.exists(file.getParent())).isFalse();
    }

    @Test
    void rejectsAnUnknownExtensionAndOddSizes() {
        assertThatThrownBy(() -> ClipWriter.create(dir.resolve("clip.nosuchformat"), W, H, FPS, RATE, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("container format");
        assertThatThrownBy(() -> ClipWriter.create(dir.resolve("clip.mkv"), 321, H, FPS, RATE, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("even");
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFailsLoudly() {
        ClipWriter writer = ClipWriter.create(dir.resolve("empty.mkv"), W, H, FPS, RATE, 2);
        writer.close();
        writer.close();
        assertThatThrownBy(() -> writer.writeVideo(ClipWriterTest::paint)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.writeAudio(new float[2][1], 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPlaneKeptPastThePaintCallCannotBeWritten() {
        MemorySegment[] kept = new MemorySegment[1];
        try (ClipWriter writer = ClipWriter.create(dir.resolve("kept.mkv"), W, H, FPS, RATE, 2)) {
            writer.writeVideo((index, y, yStride, u, v, cStride) -> {
                paint(index, y, yStride, u, v, cStride);
                kept[0] = y;
            });
            assertThatThrownBy(() -> kept[0].set(ValueLayout.JAVA_BYTE, 0, (byte) 0))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    private static String probe(Path ffprobe, Path file, String stream) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ffprobe.toString(), "-v", "error", "-select_streams", stream,
                "-show_entries", "stream=codec_name", "-of", "csv=p=0", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assumeThat(p.waitFor()).as("ffprobe ran").isZero();
        return out;
    }
}
