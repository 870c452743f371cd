package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte tap: a transport stream's bytes reach the tap as FFmpeg reads them, each byte once by position, and the
 * demuxer reads exactly what it reads without one; other formats are not tapped.
 */
class ByteTapTest {
    @TempDir
    static Path dir;
    static Path ts;
    static Path mkv;

    @BeforeAll
    static void makeClips() throws Exception {
        ts = dir.resolve("clip.ts");
        mkv = dir.resolve("clip.mkv");
        for (Path out : List.of(ts, mkv)) {
            MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3",
                    "-c:v", "mpeg2video", "-c:a", "mp2", out.toString());
        }
    }

    record Read(List<Double> videoPts, long audioSamples, boolean tapped) {
    }

    static Read read(Path clip, ByteTap tap) {
        List<Double> pts = new ArrayList<>();
        long[] samples = {0};
        try (MediaInput in = MediaInput.open(clip.toString(), new DecodeOptions(1, Duration.ofSeconds(5)),
                m -> m.tapBytes(tap))) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    pts.add(f.ptsSeconds());
                }

                @Override
                public void onAudio(AudioBlock b) {
                    samples[0] += b.samples();
                }
            });
            return new Read(pts, samples[0], in.tapped());
        }
    }

    @Test
    void aTransportStreamReachesTheTapByteForByteAndDecodesAsWithout() throws Exception {
        byte[] file = Files.readAllBytes(ts);
        byte[] seen = new byte[file.length];
        long[] end = {0};
        long[] gapsOrOverlaps = {0};
        Read tapped = read(ts, (position, data) -> {
            if (position != end[0]) {
                gapsOrOverlaps[0]++;
            }
            MemorySegmentCopy.into(data, seen, position);
            end[0] = position + data.byteSize();
        });
        Read plain = read(ts, null);
        assertThat(tapped.tapped()).isTrue();
        assertThat(seen).isEqualTo(file);
        assertThat(tapped.videoPts()).isEqualTo(plain.videoPts()).hasSize(75);
        assertThat(tapped.audioSamples()).isEqualTo(plain.audioSamples());
        // FFmpeg seeks to the end to estimate the duration, and back: the tap sees where.
        assertThat(gapsOrOverlaps[0]).isGreaterThan(0);
    }

    @Test
    void otherFormatsAreNotTapped() {
        long[] bytes = {0};
        Read read = read(mkv, (position, data) -> bytes[0] += data.byteSize());
        assertThat(read.tapped()).isFalse();
        assertThat(bytes[0]).isZero();
        assertThat(read.videoPts()).hasSize(75);
    }

    /** Copies a tapped segment into a byte array at its position. */
    static final class MemorySegmentCopy {
        static void into(java.lang.foreign.MemorySegment data, byte[] to, long position) {
            java.lang.foreign.MemorySegment.copy(data, JAVA_BYTE, 0, to, (int) position, (int) data.byteSize());
        }
    }
}
