package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;

import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Where {@code AVFrame.data[]} and {@code AVFrame.extended_data} lie, so that the per-frame path reads plane
 * pointers through Panama instead of allocating a JavaCPP pointer for each. The offsets are those of
 * libavutil/frame.h (both fields have led the struct for a decade); the first use checks them against the
 * bindings on a real frame and refuses to run if they differ.
 */
final class AvFrameLayout {
    static final long DATA = 0;
    static final long EXTENDED_DATA = 8 * 8 + 8 * 4;

    static {
        AVFrame frame = av_frame_alloc();
        try {
            frame.format(AV_SAMPLE_FMT_FLTP).nb_samples(16);
            av_channel_layout_default(frame.ch_layout(), 2);
            FfmpegException.check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer");
            long data1 = NativeMemory.pointerAt(frame.address() + DATA + 8);
            long extended = NativeMemory.pointerAt(frame.address() + EXTENDED_DATA);
            if (data1 != frame.data(1).address() || extended != frame.extended_data().address()) {
                throw new IllegalStateException("AVFrame layout of the loaded FFmpeg differs from libavutil/frame.h");
            }
        } finally {
            av_frame_free(frame);
        }
    }

    /** Runs the layout check once. */
    static void verify() {
        // the static initializer did the work
    }

    private AvFrameLayout() {
    }
}
