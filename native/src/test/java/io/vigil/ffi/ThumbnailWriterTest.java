package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailWriterTest {
    @TempDir
    static Path dir;
    static Path clip;
    static Path deep;
    static Path black;

    @BeforeAll
    static void makeClips() throws Exception {
        clip = dir.resolve("clip.mkv");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=0.5",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.toString());
        // Limited-range black (Y = 16) and white (235): 0 and 255 in the JPEG's full range.
        black = dir.resolve("black.mkv");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=0.2[a];color=white:s=320x240:r=25:d=0.2[b];[a][b]concat=n=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", black.toString());
        // 10-bit 4:2:2 at 4:3: another layout and aspect.
        deep = dir.resolve("deep.mkv");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=640x480:r=25:d=0.3",
                "-c:v", "ffv1", "-pix_fmt", "yuv422p10le", deep.toString());
    }

    /** Mean of the luma plane in 8-bit full-range code values. */
    static double meanLuma(VideoFrame f) {
        double sum = 0;
        int w = f.width();
        int h = f.height();
        boolean wide = f.layout().bytesPerSample() == 2;
        java.lang.foreign.MemorySegment luma = f.plane(0);
        for (int y = 0; y < h; y++) {
            long row = (long) y * f.linesize(0);
            for (int x = 0; x < w; x++) {
                sum += wide ? luma.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, row + 2L * x) & 0xffff
                        : luma.get(java.lang.foreign.ValueLayout.JAVA_BYTE, row + x) & 0xff;
            }
        }
        double mean = sum / ((double) w * h) / (1 << (f.layout().bitDepth() - 8));
        return f.fullRange() ? mean : (mean - 16) * 255.0 / 219.0;
    }

    record Decoded(int width, int height, double meanLuma, String layout) {
    }

    static Decoded decodeFirst(Path file) {
        List<Decoded> out = new ArrayList<>();
        try (MediaInput in = MediaInput.open(file.toString(), DecodeOptions.DEFAULTS)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    out.add(new Decoded(f.width(), f.height(), meanLuma(f), f.layout().name()));
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        assertThat(out).as("frames of " + file).isNotEmpty();
        return out.getFirst();
    }

    /** Writes a thumbnail of frame {@code index} of {@code input}; returns the source frame's mean luma. */
    static double thumbnailOf(Path input, int index, ThumbnailWriter writer, Path jpeg) {
        double[] mean = {Double.NaN};
        try (MediaInput in = MediaInput.open(input.toString(), DecodeOptions.DEFAULTS)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (f.index() == index) {
                        mean[0] = meanLuma(f);
                        writer.write(f, jpeg);
                    }
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        return mean[0];
    }

    @Test
    void writesA320PixelWideJpegOfTheFrame() throws Exception {
        Path jpeg = dir.resolve("a.jpg");
        Path second = dir.resolve("b.jpg");
        try (ThumbnailWriter writer = new ThumbnailWriter()) {
            double source = thumbnailOf(clip, 5, writer, jpeg);
            // The same writer, reused for another frame of the same size.
            thumbnailOf(clip, 9, writer, second);
            Decoded thumb = decodeFirst(jpeg);
            assertThat(thumb.width()).isEqualTo(320);
            assertThat(thumb.height()).isEqualTo(180);
            assertThat(thumb.meanLuma()).isCloseTo(source, offset(1.5));
            assertThat(decodeFirst(second).width()).isEqualTo(320);
            // A full-range picture (the JPEG itself, as its decoder delivers it) keeps its levels.
            Path again = dir.resolve("again.jpg");
            double full = thumbnailOf(jpeg, 0, writer, again);
            assertThat(decodeFirst(again).meanLuma()).isCloseTo(full, offset(1.5));
        }
        byte[] bytes = Files.readAllBytes(jpeg);
        assertThat(bytes[0] & 0xff).isEqualTo(0xff);
        assertThat(bytes[1] & 0xff).isEqualTo(0xd8);
        assertThat(bytes.length).isBetween(1_000, 60_000);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void deepSamplesAndAnotherAspect() {
        Path jpeg = dir.resolve("deep.jpg");
        try (ThumbnailWriter writer = new ThumbnailWriter()) {
            double source = thumbnailOf(deep, 2, writer, jpeg);
            Decoded thumb = decodeFirst(jpeg);
            assertThat(thumb.width()).isEqualTo(320);
            assertThat(thumb.height()).isEqualTo(240);
            assertThat(thumb.meanLuma()).isCloseTo(source, offset(1.5));
        }
    }

    @Test
    void limitedRangeIsExpandedToJpegFullRange() {
        try (ThumbnailWriter writer = new ThumbnailWriter()) {
            Path dark = dir.resolve("dark.jpg");
            Path light = dir.resolve("light.jpg");
            assertThat(thumbnailOf(black, 1, writer, dark)).isCloseTo(0, offset(0.5));
            assertThat(thumbnailOf(black, 7, writer, light)).isCloseTo(255, offset(0.5));
            assertThat(decodeFirst(dark).meanLuma()).isCloseTo(0, offset(1.5));
            assertThat(decodeFirst(light).meanLuma()).isCloseTo(255, offset(1.5));
        }
    }

    @Test
    void aSmallPictureFromTheGpuIsRangeConvertedAndEncoded() throws Exception {
        try (ThumbnailWriter writer = new ThumbnailWriter(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment picture = arena.allocate(ThumbnailWriter.smallPictureBytes(180));
            assertThat(picture.byteSize()).isEqualTo(86_400);
            // Left half limited-range black, right half white; chroma neutral.
            for (int y = 0; y < 180; y++) {
                for (int x = 0; x < 320; x++) {
                    picture.set(java.lang.foreign.ValueLayout.JAVA_BYTE, y * 320L + x, (byte) (x < 160 ? 16 : 235));
                }
            }
            picture.asSlice(320 * 180).fill((byte) 128);
            // A frame first: the same writer goes from scaling a frame to converting a small picture and back.
            thumbnailOf(clip, 2, writer, dir.resolve("before.jpg"));
            Path jpeg = dir.resolve("small.jpg");
            writer.write(picture, 180, false, jpeg);
            Decoded thumb = decodeFirst(jpeg);
            assertThat(thumb.width()).isEqualTo(320);
            assertThat(thumb.height()).isEqualTo(180);
            assertThat(thumb.meanLuma()).as("0 and 255 after the range conversion").isCloseTo(127.5, offset(1.5));
            Path full = dir.resolve("small-full.jpg");
            Files.write(full, writer.jpeg(picture, 180, true));
            assertThat(decodeFirst(full).meanLuma()).as("full range stays").isCloseTo((16 + 235) / 2.0, offset(1.5));
            double source = thumbnailOf(clip, 5, writer, dir.resolve("after.jpg"));
            assertThat(decodeFirst(dir.resolve("after.jpg")).meanLuma()).isCloseTo(source, offset(1.5));
            assertThatThrownBy(() -> writer.jpeg(picture, 240, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("86400");
            assertThatThrownBy(() -> writer.jpeg(picture.asSlice(0, 320 * 3 / 2), 1, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even");
        }
    }

    @Test
    void heightIsEvenAndKeepsTheAspect() {
        assertThat(ThumbnailWriter.heightFor(1920, 1080, 0, 1)).isEqualTo(180);
        assertThat(ThumbnailWriter.heightFor(1920, 1080, 1, 1)).isEqualTo(180);
        assertThat(ThumbnailWriter.heightFor(1280, 720, 0, 0)).isEqualTo(180);
        assertThat(ThumbnailWriter.heightFor(720, 480, 0, 0)).isEqualTo(214);
        // 720x576 at SAR 16:15 displays as 768x576 (4:3).
        assertThat(ThumbnailWriter.heightFor(720, 576, 16, 15)).isEqualTo(240);
        assertThat(ThumbnailWriter.heightFor(4000, 10, 0, 0)).isEqualTo(2);
    }

    @Test
    void aFileThatCannotBeWrittenNamesTheFileAndTheReason() {
        Path missing = dir.resolve("no-such-dir").resolve("x.jpg");
        try (ThumbnailWriter writer = new ThumbnailWriter()) {
            assertThatThrownBy(() -> thumbnailOf(clip, 0, writer, missing))
                    .isInstanceOf(ThumbnailWriter.ThumbnailException.class)
                    .hasMessageContaining(missing.toString())
                    .hasMessageContaining("no such folder");
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void aWriterFailsLoudlyAfterClose() {
        ThumbnailWriter writer = new ThumbnailWriter();
        writer.close();
        writer.close();
        try (VideoFrame empty = new VideoFrame()) {
            assertThatThrownBy(() -> writer.write(empty, dir.resolve("c.jpg"))).isInstanceOf(IllegalStateException.class);
        }
    }
}
