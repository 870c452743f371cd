package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * 8-bit pictures made in memory and handed over as NVDEC hands its frames over, for tests of the GPU statistics on
 * the stand-in driver (which has no NVDEC): FFmpeg's own reference-counted buffers, marked as device memory when
 * asked. The stand-in driver must be told to take the buffers as device memory ({@link #buffers}).
 */
public final class DevicePictures {
    /** The code value of a sample of plane {@code plane} at ({@code x}, {@code y}), samples counted as the layout does. */
    @FunctionalInterface
    public interface Painter {
        int sample(int plane, int x, int y);
    }

    /** One of FFmpeg's buffers under a picture: where it is and how long. */
    public record Buffer(long address, long bytes) {
    }

    private DevicePictures() {
    }

    /**
     * Fills {@code frame} (releasing what it held) with a {@code width}x{@code height} picture of {@code format} (an
     * 8-bit layout), painted by {@code painter}, limited range, in device memory when {@code onDevice}.
     */
    public static void fill(VideoFrame frame, int format, int width, int height, Painter painter, long index,
                            boolean onDevice) {
        PixelLayout layout = PixelLayout.of(format);
        if (layout == null || layout.bytesPerSample() != 1) {
            throw new IllegalArgumentException("not an 8-bit layout the statistics read: " + format);
        }
        frame.release();
        AVFrame av = frame.avFrame();
        av.format(format);
        av.width(width);
        av.height(height);
        FfmpegException.check(av_frame_get_buffer(av, 0), "av_frame_get_buffer");
        for (int p = 0; p < layout.planes(); p++) {
            int linesize = av.linesize(p);
            int rows = layout.planeHeight(p, height);
            int samples = layout.planeWidth(p, width);
            MemorySegment plane = NativeMemory.at(av.data(p).address(), (long) linesize * rows);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < samples; x++) {
                    plane.set(JAVA_BYTE, (long) y * linesize + x, (byte) painter.sample(p, x, y));
                }
            }
        }
        frame.fill(layout, index * 0.04, 0.04, index, onDevice);
    }

    /** FFmpeg's buffers under {@code frame}'s planes. */
    public static List<Buffer> buffers(VideoFrame frame) {
        AVFrame av = frame.avFrame();
        List<Buffer> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            AVBufferRef buf = av.buf(i);
            if (buf != null && !buf.isNull()) {
                out.add(new Buffer(buf.data().address(), buf.size()));
            }
        }
        return out;
    }
}
