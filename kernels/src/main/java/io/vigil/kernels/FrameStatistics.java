package io.vigil.kernels;

import io.vigil.ffi.VideoFrame;

/**
 * A stream's video statistics, computed by one backend (the CPU reference, or CUDA kernels in batches). Detectors
 * cannot tell the backends apart: both fill {@link FrameStats} with the same definitions. One instance per stream,
 * used by one thread at a time.
 */
public interface FrameStatistics extends AutoCloseable {
    /** Fills {@code out} for {@code frame}; the frame is lent for the call only. */
    void compute(VideoFrame frame, FrameStats out);

    /** The backend that computed the statistics so far: "cpu" or "gpu". */
    String backend();

    @Override
    void close();
}
