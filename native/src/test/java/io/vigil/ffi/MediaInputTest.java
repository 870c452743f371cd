package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaInputTest {
    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("clip.mkv");
        // 2 s of 320x240 at 25 fps with a 48 kHz stereo tone.
        run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=2,pan=stereo|c0=c0|c1=c0",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", clip.toString());
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Test
    void decodesEveryFrameAndSampleWithTimestampsFromZero() {
        List<Double> pts = new ArrayList<>();
        long[] samples = {0};
        float[] peak = {0};
        try (MediaInput in = MediaInput.open(clip.toString(), new DecodeOptions(1, java.time.Duration.ofSeconds(5)))) {
            assertThat(in.info().video().width()).isEqualTo(320);
            assertThat(in.info().audio().channels()).isEqualTo(2);
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    pts.add(f.ptsSeconds());
                    assertThat(f.layout().name()).isEqualTo("yuv420p");
                    assertThat(f.planeWidth(1)).isEqualTo(160);
                    assertThat(f.planeAddress(0)).isNotZero();
                }

                @Override
                public void onAudio(AudioBlock b) {
                    samples[0] += b.samples();
                    for (int i = 0; i < b.samples(); i++) {
                        peak[0] = Math.max(peak[0], Math.abs(b.channel(1)[i]));
                    }
                }
            });
            assertThat(in.decodeErrors()).isZero();
        }
        assertThat(pts).hasSize(50);
        assertThat(pts.get(0)).isEqualTo(0.0);
        assertThat(pts.get(49)).isCloseTo(1.96, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(samples[0]).isEqualTo(96000);
        assertThat(peak[0]).isBetween(0.1f, 1.0f);
    }

    @Test
    void keptFrameSurvivesTheDecodersNextFrameAndFailsLoudlyAfterRelease() {
        try (MediaInput in = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS); VideoFrame kept = new VideoFrame()) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (f.index() == 3) {
                        kept.refFrom(f);
                    }
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
            assertThat(kept.index()).isEqualTo(3);
            assertThat(kept.ptsSeconds()).isEqualTo(0.12, org.assertj.core.data.Offset.offset(1e-9));
            kept.release();
            assertThatThrownBy(() -> kept.planeAddress(0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void missingFileIsAnOpenError() {
        assertThatThrownBy(() -> MediaInput.open(dir.resolve("nope.mp4").toString(), DecodeOptions.DEFAULTS))
                .isInstanceOf(MediaException.class)
                .hasMessageContaining("No such file")
                .extracting(e -> ((MediaException) e).stage()).isEqualTo(MediaException.Stage.OPEN);
    }

    @Test
    void randomBytesAreAnOpenError() throws IOException {
        Path junk = dir.resolve("junk.mp4");
        byte[] bytes = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(junk, bytes);
        assertThatThrownBy(() -> MediaInput.open(junk.toString(), DecodeOptions.DEFAULTS))
                .isInstanceOf(MediaException.class)
                .hasMessageStartingWith("Cannot open " + junk);
    }

    @Test
    void remoteUrlsNeverGetLocalProtocols() {
        InputLocation http = InputLocation.parse("http://127.0.0.1:9/live.m3u8");
        assertThat(http.remote()).isTrue();
        assertThat(http.protocolWhitelist().split(",")).doesNotContain("file", "concat", "subfile", "data", "pipe");
        assertThat(InputLocation.parse("/tmp/a.ts").protocolWhitelist()).isEqualTo("file");
        assertThatThrownBy(() -> InputLocation.parse("gopher://x/y")).isInstanceOf(MediaException.class)
                .hasMessageContaining("Unsupported URL scheme 'gopher'");
    }
}
