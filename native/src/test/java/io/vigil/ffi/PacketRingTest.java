package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet ring stays within its byte and seconds bounds whatever the bitrate, starts a clip on a keyframe at or
 * before its start, and its snapshots remux into files ffprobe reads back with the input's codecs, video and audio.
 */
class PacketRingTest {
    @TempDir
    static Path dir;
    /** 8 s of noise at about 20 Mb/s: every frame large, so that the byte bound, not the seconds, holds the ring. */
    static Path heavy;
    /** 8 s of H.264 and AAC in MPEG-TS, a keyframe every second. */
    static Path h264;

    @BeforeAll
    static void makeClips() throws Exception {
        heavy = dir.resolve("heavy.ts");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "nullsrc=s=640x360:r=25:d=8,geq=random(1)*255:128:128",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=8",
                "-c:v", "mpeg2video", "-q:v", "2", "-g", "25", "-c:a", "mp2", heavy.toString());
        h264 = dir.resolve("h264.ts");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=8", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=8",
                "-c:v", "libx264", "-g", "25", "-bf", "2", "-c:a", "aac", h264.toString());
    }

    private static final MediaSink NOTHING = new MediaSink() {
        @Override
        public void onVideo(VideoFrame frame) {
        }

        @Override
        public void onAudio(AudioBlock block) {
        }
    };

    @Test
    void aHighBitrateInputNeverHoldsMoreThanTheByteBound() {
        long bound = 1_000_000;
        long most = 0;
        long read = 0;
        try (PacketRing ring = new PacketRing(bound, 30);
             MediaInput in = MediaInput.open(heavy.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            while (in.step(NOTHING)) {
                most = Math.max(most, ring.bytes());
                read++;
            }
            assertThat(most).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
            // Far less than the 8 s read: the bytes, not the seconds, bound it.
            assertThat(ring.newestSeconds() - ring.oldestSeconds()).isLessThan(4);
            assertThat(read).isGreaterThan(ring.packets());
        }
    }

    @Test
    void theSecondsBoundHoldsALowBitrateInput() {
        try (PacketRing ring = new PacketRing(64_000_000, 3);
             MediaInput in = MediaInput.open(h264.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            while (in.step(NOTHING)) {
                assertThat(ring.newestSeconds() - ring.oldestSeconds()).isLessThanOrEqualTo(3);
            }
            assertThat(ring.newestSeconds() - ring.oldestSeconds()).isGreaterThan(2.5);
        }
    }

    @Test
    void aSnapshotRemuxesToAnMp4WithVideoAndAudioStartingOnAKeyframe() throws Exception {
        Path out = dir.resolve("cut.mp4");
        try (PacketRing ring = new PacketRing(64_000_000, 30);
             MediaInput in = MediaInput.open(h264.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            in.readAll(NOTHING);
            assertThat(ring.container()).isEqualTo("mp4");
            double origin = ring.oldestSeconds();
            try (PacketRing.Snapshot clip = ring.snapshot(origin + 2.5, origin + 5.5)) {
                // The keyframe at or before 2.5 s is the one at 2 s.
                assertThat(clip.firstSeconds() - origin).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.1));
                assertThat(clip.hasVideo()).isTrue();
                assertThat(clip.hasAudio()).isTrue();
                ClipRemux.write(clip, out);
            }
        }
        String probe = probe(out);
        assertThat(probe).contains("codec_name=h264").contains("codec_name=aac");
        double duration = Double.parseDouble(probe.lines().filter(l -> l.startsWith("duration="))
                .reduce((a, b) -> b).orElseThrow().substring(9));
        assertThat(duration).isBetween(3.2, 3.9);
        double start = Double.parseDouble(probe.lines().filter(l -> l.startsWith("start_time="))
                .reduce((a, b) -> b).orElseThrow().substring(11));
        assertThat(start).isBetween(0.0, 0.2);
        assertThat(decodeErrors(out)).isEmpty();
    }

    @Test
    void mpeg2AndMp2GoInMp4Too() throws Exception {
        Path out = dir.resolve("mpeg2.mp4");
        try (PacketRing ring = new PacketRing(64_000_000, 30);
             MediaInput in = MediaInput.open(heavy.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            in.readAll(NOTHING);
            assertThat(ring.container()).isEqualTo("mp4");
            try (PacketRing.Snapshot clip = ring.snapshot(ring.oldestSeconds(), ring.newestSeconds())) {
                ClipRemux.write(clip, out);
            }
        }
        // MP4 tags MPEG-1 audio (layer II too) with one object type, which FFmpeg reads back as "mp3"; it decodes.
        assertThat(probe(out)).contains("codec_name=mpeg2video").containsPattern("codec_name=mp[23]");
        assertThat(decodeErrors(out)).isEmpty();
    }

    /** What ffmpeg says when it decodes every stream of {@code file} (empty: no error). */
    static String decodeErrors(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", file.toString(), "-f", "null", "-")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out.strip();
    }

    @Test
    void aFileThatCannotBeWrittenIsAnFfmpegExceptionAndFreesEverything() throws Exception {
        Path blocked = Files.createDirectories(dir.resolve("blocked.mp4"));
        try (PacketRing ring = new PacketRing(64_000_000, 30);
             MediaInput in = MediaInput.open(h264.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            in.readAll(NOTHING);
            try (PacketRing.Snapshot clip = ring.snapshot(ring.oldestSeconds(), ring.newestSeconds())) {
                assertThatThrownBy(() -> ClipRemux.write(clip, blocked)).isInstanceOf(FfmpegException.class)
                        .hasMessageContaining("avio_open");
            }
        }
    }

    @Test
    void aPacketLargerThanTheWholeBoundIsNotKept() {
        try (PacketRing ring = new PacketRing(1000, 30);
             MediaInput in = MediaInput.open(heavy.toString(), new DecodeOptions(1, Duration.ofSeconds(5)))) {
            in.tapPackets(ring);
            for (int i = 0; i < 50 && in.step(NOTHING); i++) {
                assertThat(ring.bytes()).isLessThanOrEqualTo(1000);
            }
            assertThat(ring.dropped()).isPositive();
        }
    }

    static String probe(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries",
                "stream=codec_name,codec_type:format=duration,start_time", "-of", "default=noprint_wrappers=1",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
