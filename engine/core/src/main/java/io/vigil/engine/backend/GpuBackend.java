package io.vigil.engine.backend;

import io.vigil.ffi.CudaDriver;
import io.vigil.ffi.Device;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStatistics;
import io.vigil.kernels.cuda.CudaStats;
import io.vigil.kernels.cuda.CudaThumbnails;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Statistics on one NVIDIA GPU: NVDEC decodes into device memory, the batcher gathers frames from all streams, and
 * CUDA kernels compute every statistic there; a few dozen bytes per frame come back. Thumbnails of frames in device
 * memory are made small there too (CudaThumbnails, opened on the first one): about 86 KB come back for a 16:9 frame
 * rather than the whole frame (3.1 MB for 1080p NV12).
 */
public final class GpuBackend implements StatisticsBackend {
    private final Device device;
    private final CudaStats stats;
    private final StatsBatcher batcher;
    private final CudaDriver driver;
    /** Every stream's thumbnails, one at a time; opened on the first device frame's, closed by {@link #close}. */
    private final Object thumbnailLock = new Object();
    private CudaThumbnails thumbnails;
    private boolean closed;

    private GpuBackend(CudaDriver driver, Device device, CudaStats stats, StatsBatcher batcher) {
        this.driver = driver;
        this.device = device;
        this.stats = stats;
        this.batcher = batcher;
    }

    /** Opens the kernels on {@code device}; throws CudaException when the driver refuses. */
    public static GpuBackend open(CudaDriver driver, Device device, int maxBatch, Duration maxLatency) {
        CudaStats stats = CudaStats.open(driver, device.index(), maxBatch);
        try {
            return new GpuBackend(driver, device, stats, new StatsBatcher(stats, maxBatch, maxLatency));
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
    public byte[] thumbnail(VideoFrame frame, ThumbnailWriter writer) {
        if (!frame.onDevice()) {
            return writer.jpeg(frame);
        }
        synchronized (thumbnailLock) {
            int height = thumbnailHeight(frame);
            MemorySegment picture = thumbnails().downscale(frame, height);
            return writer.jpeg(picture, height, frame.fullRange());
        }
    }

    @Override
    public void writeThumbnail(VideoFrame frame, ThumbnailWriter writer, Path file) {
        if (!frame.onDevice()) {
            writer.write(frame, file);
            return;
        }
        synchronized (thumbnailLock) {
            int height = thumbnailHeight(frame);
            MemorySegment picture;
            try {
                picture = thumbnails().downscale(frame, height);
            } catch (RuntimeException e) {
                throw new ThumbnailWriter.ThumbnailException(file, e.getMessage(), e);
            }
            writer.write(picture, height, frame.fullRange(), file);
        }
    }

    /** Bytes the last thumbnail brought back from the device; 0 before any. */
    public long lastThumbnailBytesCopiedToHost() {
        synchronized (thumbnailLock) {
            return thumbnails == null ? 0 : thumbnails.lastBytesCopiedToHost();
        }
    }

    private static int thumbnailHeight(VideoFrame frame) {
        return ThumbnailWriter.heightFor(frame);
    }

    private CudaThumbnails thumbnails() {
        if (closed) {
            throw new IllegalStateException("the GPU backend is closed");
        }
        if (thumbnails == null) {
            thumbnails = CudaThumbnails.open(driver, device.index());
        }
        return thumbnails;
    }

    @Override
    public void close() {
        batcher.close();
        try {
            synchronized (thumbnailLock) {
                closed = true;
                if (thumbnails != null) {
                    thumbnails.close();
                }
            }
        } finally {
            stats.close();
        }
    }
}
