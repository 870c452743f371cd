package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.ClipWriter;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.cuda.CudaStatisticsEngine;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.Engines;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a GPU (skips without one): the GPU backend makes a device frame's thumbnail small on the device, and only the
 * small picture comes back (86,400 bytes for 16:9 rather than the 3.1 MB 1080p frame), while the picture matches the
 * one the download path (the CPU engine's) makes of the same frame: same size, same levels within rounding.
 */
class GpuThumbnailTest {
    @Test
    void aDeviceFrameIsMadeSmallOnTheGpuAndMatchesTheDownloadPath(@TempDir Path dir) throws Exception {
        assumeTrue(io.vigil.ffi.cuda.CudaDriver.load().isPresent(), "no NVIDIA driver here");
        Path clip = dir.resolve("hd.mkv");
        try (ClipWriter writer = ClipWriter.create(clip, 1920, 1080, 25, 8000, 1)) {
            for (int i = 0; i < 6; i++) {
                writer.writeVideo((index, y, yStride, u, v, chromaStride) -> {
                    for (int r = 0; r < 1080; r++) {
                        for (int x = 0; x < 1920; x++) {
                            y.set(ValueLayout.JAVA_BYTE, (long) r * yStride + x, (byte) (16 + (x / 7 + r / 5 + index) % 200));
                        }
                    }
                    for (int r = 0; r < 540; r++) {
                        for (int x = 0; x < 960; x++) {
                            u.set(ValueLayout.JAVA_BYTE, (long) r * chromaStride + x, (byte) (60 + x % 120));
                            v.set(ValueLayout.JAVA_BYTE, (long) r * chromaStride + x, (byte) (150 + r % 50));
                        }
                    }
                });
            }
        }
        Engines.Selection s = Engines.select(new EngineOptions(BackendChoice.GPU, 0, 16, Duration.ofMillis(5)));
        CudaStatisticsEngine gpu = (CudaStatisticsEngine) s.engine();
        Path small = dir.resolve("gpu.jpg");
        Path whole = dir.resolve("download.jpg");
        Path written = dir.resolve("alarm.jpg");
        boolean[] onDevice = {false};
        DecodeOptions nvdec = new DecodeOptions(0, Duration.ofSeconds(10), DecodeTarget.cuda(0));
        try (gpu; MediaInput in = MediaInput.open(clip.toString(), nvdec);
             ThumbnailWriter a = new ThumbnailWriter(); ThumbnailWriter b = new ThumbnailWriter()) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (f.index() == 3) {
                        onDevice[0] = f.onDevice();
                        try {
                            Files.write(small, gpu.thumbnail(f, a));
                            Files.write(whole, CpuStatisticsEngine.reference().thumbnail(f, b));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        gpu.writeThumbnail(f, a, written);
                    }
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
            if (!onDevice[0]) {
                abort("NVDEC did not decode the clip here, so there are no device frames");
            }
            assertThat(gpu.lastThumbnailBytesCopiedToHost()).isEqualTo(320 * 180 * 3 / 2);
        }
        double[] g = ThumbnailGpuTest.meanAndSize(small);
        double[] d = ThumbnailGpuTest.meanAndSize(whole);
        System.out.printf("thumbnail: gpu %d bytes back, mean %.2f; download path %d bytes back, mean %.2f%n",
                320 * 180 * 3 / 2, g[0], 1920 * 1080 * 3 / 2, d[0]);
        assertThat(g[1]).isEqualTo(320);
        assertThat(g[2]).isEqualTo(180);
        assertThat(g[0]).isCloseTo(d[0], offset(1.0));
        assertThat(ThumbnailGpuTest.meanAndSize(written)[0]).isCloseTo(g[0], offset(0.01));
    }
}
