package io.vigil.kernels.engine;

import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A place to compute video statistics, shared by all the streams of a process and opened by its
 * {@link StatisticsProvider} (DJL's {@code Engine} is the model): the CPU loops, or CUDA kernels over frames that
 * never leave the GPU. It says where the decoder should put frames for it, opens each stream's statistics, and makes
 * thumbnails where the frame is.
 */
public interface StatisticsEngine extends AutoCloseable {
    /** "cpu" or "gpu": where the statistics run, as the summary and {@code vigil doctor} say it. */
    String name();

    /** One line for people: what computes the statistics, e.g. "GPU 0: NVIDIA H100 80GB HBM3 (...)". */
    String description();

    /** Where the decoder should put frames: host memory, or the engine's CUDA device (NVDEC). */
    DecodeTarget decodeTarget();

    /** Per-stream statistics for {@code request} (which must ask for something); the caller closes them. */
    FrameStatistics open(StatisticsRequest request);

    /**
     * The JPEG thumbnail of {@code frame} (the dashboard's tile picture), encoded by the stream's {@code writer}.
     * Here the writer scales the frame itself (a frame in device memory is downloaded whole); an engine that holds
     * frames on a device makes it small there first. Throws as {@link ThumbnailWriter#jpeg(VideoFrame)} does.
     */
    default byte[] thumbnail(VideoFrame frame, ThumbnailWriter writer) {
        return writer.jpeg(frame);
    }

    /**
     * Writes an alarm's thumbnail of {@code frame} to {@code file} as {@link #thumbnail} makes it; throws
     * {@link ThumbnailWriter.ThumbnailException} naming the file and the reason when any step fails.
     */
    default void writeThumbnail(VideoFrame frame, ThumbnailWriter writer, Path file) {
        writer.write(frame, file);
    }

    /**
     * The luma of {@code frame} made small as its thumbnail is ({@link ThumbnailWriter#WIDTH} x
     * {@link ThumbnailWriter#heightFor(VideoFrame)}), row after row without padding, into {@code out}: the picture
     * the logo and slate checks match. Here the stream's {@code writer} scales the frame; an engine that holds
     * frames on a device makes it small there, and only the small picture comes back. Its range (full or limited)
     * is the engine's: the checks' correlation does not depend on it.
     */
    default void smallLuma(VideoFrame frame, ThumbnailWriter writer, MemorySegment out) {
        writer.luma(frame, out);
    }

    @Override
    void close();
}
