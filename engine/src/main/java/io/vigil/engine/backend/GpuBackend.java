package io.vigil.engine.backend;

import io.vigil.ffi.CudaDriver;
import io.vigil.ffi.Device;
import io.vigil.kernels.FrameStatistics;
import io.vigil.kernels.cuda.CudaStats;
import java.time.Duration;

/**
 * Statistics on one NVIDIA GPU: NVDEC decodes into device memory, the batcher gathers frames from all streams, and
 * CUDA kernels compute every statistic there; a few dozen bytes per frame come back.
 */
public final class GpuBackend implements StatisticsBackend {
    private final Device device;
    private final CudaStats stats;
    private final StatsBatcher batcher;

    private GpuBackend(Device device, CudaStats stats, StatsBatcher batcher) {
        this.device = device;
        this.stats = stats;
        this.batcher = batcher;
    }

    /** Opens the kernels on {@code device}; throws CudaException when the driver refuses. */
    public static GpuBackend open(CudaDriver driver, Device device, int maxBatch, Duration maxLatency) {
        CudaStats stats = CudaStats.open(driver, device.index(), maxBatch);
        try {
            return new GpuBackend(device, stats, new StatsBatcher(stats, maxBatch, maxLatency));
        } catch (RuntimeException e) {
            stats.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public int cudaDevice() {
        return device.index();
    }

    @Override
    public String description() {
        return "GPU " + device.index() + ": " + device.name() + " (NVDEC decode, CUDA statistics)";
    }

    @Override
    public FrameStatistics open(StatsRequest request) {
        return new GpuFrameStatistics(batcher, request);
    }

    public StatsBatcher.Figures figures() {
        return batcher.figures();
    }

    @Override
    public void close() {
        batcher.close();
        stats.close();
    }
}
