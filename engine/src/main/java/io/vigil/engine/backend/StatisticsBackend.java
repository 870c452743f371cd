package io.vigil.engine.backend;

import io.vigil.kernels.FrameStatistics;

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

    @Override
    void close();
}
