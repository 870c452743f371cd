package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assumptions.abort;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.ClipWriter;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thumbnail of a frame in CUDA memory (NVDEC) is downloaded, scaled and encoded like one decoded on the CPU: the
 * two JPEGs of the same frame have the same size and, within rounding, the same levels.
 */
class ThumbnailGpuTest {
    private static final int FRAME = 5;

    @Test
    void aDeviceFrameGivesTheSameThumbnailAsTheHostFrame(@TempDir Path dir) {
        Path clip = dir.resolve("thumb.mkv");
        try (ClipWriter writer = ClipWriter.create(clip, 640, 360, 25, 8000, 1)) {
            for (int i = 0; i < 10; i++) {
                writer.writeVideo((index, y, yStride, u, v, chromaStride) -> {
                    for (int r = 0; r < 360; r++) {
                        for (int x = 0; x < 640; x++) {
                            y.set(ValueLayout.JAVA_BYTE, (long) r * yStride + x, (byte) (16 + (x + r + index) % 200));
                        }
                    }
                    for (int r = 0; r < 180; r++) {
                        for (int x = 0; x < 320; x++) {
                            u.set(ValueLayout.JAVA_BYTE, (long) r * chromaStride + x, (byte) 100);
                            v.set(ValueLayout.JAVA_BYTE, (long) r * chromaStride + x, (byte) 150);
                        }
                    }
                });
            }
        }
        Path host = dir.resolve("host.jpg");
        Path device = dir.resolve("device.jpg");
        assertThat(thumbnail(clip, DecodeOptions.DEFAULTS, host)).isFalse();
        GpuAvailability.driverOrSkip(); // the CPU half above runs everywhere
        if (!thumbnail(clip, new DecodeOptions(0, Duration.ofSeconds(10), DecodeTarget.cuda(0)), device)) {
            abort("NVDEC did not decode the clip here, so there are no device frames");
        }
        double[] h = meanAndSize(host);
        double[] d = meanAndSize(device);
        assertThat(d[1]).isEqualTo(320);
        assertThat(d[2]).isEqualTo(180);
        assertThat(d[0]).isCloseTo(h[0], offset(1.0));
    }

    /** Writes a thumbnail of frame {@value #FRAME}; returns whether that frame was in device memory. */
    private static boolean thumbnail(Path clip, DecodeOptions options, Path jpeg) {
        boolean[] onDevice = {false};
        try (MediaInput in = MediaInput.open(clip.toString(), options); ThumbnailWriter writer = new ThumbnailWriter()) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (f.index() == FRAME) {
                        onDevice[0] = f.onDevice();
                        writer.write(f, jpeg);
                    }
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        return onDevice[0];
    }

    /** Mean luma (full range, as decoded), width and height of a JPEG. */
    static double[] meanAndSize(Path jpeg) {
        double[] out = new double[3];
        try (MediaInput in = MediaInput.open(jpeg.toString(), DecodeOptions.DEFAULTS)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    MemorySegment y = f.plane(0);
                    double sum = 0;
                    for (int r = 0; r < f.height(); r++) {
                        for (int x = 0; x < f.width(); x++) {
                            sum += y.get(ValueLayout.JAVA_BYTE, (long) r * f.linesize(0) + x) & 0xff;
                        }
                    }
                    out[0] = sum / ((double) f.width() * f.height());
                    out[1] = f.width();
                    out[2] = f.height();
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        return out;
    }
}
