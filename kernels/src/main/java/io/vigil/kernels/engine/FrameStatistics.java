package io.vigil.kernels.engine;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;

/**
 * A stream's video statistics, opened on a {@link StatisticsEngine} for a {@link StatisticsRequest}: the view the
 * pipeline reads them through. Detectors cannot tell the engines apart: every engine fills {@link FrameStats} with
 * the same definitions. One instance per stream, used by one thread at a time.
 */
public interface FrameStatistics extends AutoCloseable {
    /**
     * Fills {@code out} for {@code frame}; the frame is lent for the call only. Throws
     * {@link StatisticFailedException} once for a statistic that cannot be computed on this stream's frames, after
     * filling the others; it is not computed again.
     */
    void compute(VideoFrame frame, FrameStats out);

    /** Where the statistics were computed so far: "cpu" or "gpu" (the summary's {@code backend}). */
    String backend();

    @Override
    void close();
}
