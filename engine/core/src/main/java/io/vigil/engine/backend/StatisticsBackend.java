package io.vigil.engine.backend;

import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStatistics;
import java.nio.file.Path;

/** A place to compute video statistics, shared by all the streams of a process. */
public interface StatisticsBackend extends AutoCloseable {
    /** "cpu" or "gpu". */
    String name();

    /** The CUDA device whose NVDEC should decode, or -1 to decode on the CPU. */
    int cudaDevice();

    /** One line for people: what computes the statistics, e.g. "GPU 0: NVIDIA H100 80GB HBM3". */
    String description();

    /** Per-stream statistics; the caller closes them. */
    FrameStatistics open(StatsRequest request);

    /**
     * The JPEG thumbnail of {@code frame} (the dashboard's tile picture), encoded by the stream's {@code writer}. Here:
     * the writer scales the frame itself (a frame in device memory is downloaded whole); the GPU backend makes it
     * small on the device first. Throws as {@link ThumbnailWriter#jpeg(VideoFrame)} does.
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

    @Override
    void close();
}
