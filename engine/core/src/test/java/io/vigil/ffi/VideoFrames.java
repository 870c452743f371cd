package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;

import java.lang.foreign.MemorySegment;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/** Pictures made in memory, for tests that feed a pipeline without a decoder. */
public final class VideoFrames {
    private static final PixelLayout YUV420P = PixelLayout.of(AV_PIX_FMT_YUV420P);

    private VideoFrames() {
    }

    /**
     * Fills {@code frame} (releasing what it held) with a {@code width}x{@code height} yuv420p picture (limited
     * range) in FFmpeg's own buffers: {@code y} is {@code width * height} luma samples row by row, {@code u} and
     * {@code v} a quarter of that each; shown from {@code ptsSeconds} for {@code durationSeconds}.
     */
    public static void fill(VideoFrame frame, int width, int height, byte[] y, byte[] u, byte[] v, double ptsSeconds,
                            double durationSeconds, long index) {
        frame.release();
        AVFrame av = frame.avFrame();
        av.format(AV_PIX_FMT_YUV420P);
        av.width(width);
        av.height(height);
        FfmpegException.check(av_frame_get_buffer(av, 0), "av_frame_get_buffer");
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        copy(av, 0, y, width, height);
        copy(av, 1, u, chromaWidth, chromaHeight);
        copy(av, 2, v, chromaWidth, chromaHeight);
        frame.fill(YUV420P, ptsSeconds, durationSeconds, index, false);
    }

    private static void copy(AVFrame av, int plane, byte[] samples, int rowBytes, int rows) {
        int linesize = av.linesize(plane);
        MemorySegment target = NativeMemory.at(av.data(plane).address(), (long) linesize * rows);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(MemorySegment.ofArray(samples), (long) r * rowBytes, target, (long) r * linesize,
                    rowBytes);
        }
    }
}
