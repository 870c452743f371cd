package io.vigil.kernels.cuda;

import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.Device;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.Loops;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsRequest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Statistics on one NVIDIA GPU: NVDEC decodes into device memory, the batcher gathers frames from all streams, and
 * CUDA kernels compute every statistic there; a few dozen bytes per frame come back. Thumbnails of frames in device
 * memory are made small there too (CudaThumbnails, opened on the first one): about 86 KB come back for a 16:9 frame
 * rather than the whole frame (3.1 MB for 1080p NV12).
 */
public final class CudaStatisticsEngine implements StatisticsEngine {
    private final Device device;
    private final CudaStats stats;
    private final StatsBatcher batcher;
    private final CudaDriver driver;
    /** The loops for the frames a stream decodes on the CPU after all (NVDEC refused it). */
    private final Loops hostLoops;
    /** Every stream's thumbnails, one at a time; opened on the first device frame's, closed by {@link #close}. */
    private final Object thumbnailLock = new Object();
    private CudaThumbnails thumbnails;
    private boolean closed;

    private CudaStatisticsEngine(CudaDriver driver, Device device, CudaStats stats, StatsBatcher batcher,
                                 Loops hostLoops) {
        this.driver = driver;
        this.device = device;
        this.stats = stats;
        this.batcher = batcher;
        this.hostLoops = hostLoops;
    }

    /** Opens the kernels on {@code device}; throws CudaException when the driver refuses. */
    public static CudaStatisticsEngine open(CudaDriver driver, Device device, int maxBatch, Duration maxLatency,
                                            Loops hostLoops) {
        CudaStats stats = CudaStats.open(driver, device.index(), maxBatch);
        try {
            return new CudaStatisticsEngine(driver, device, stats, new StatsBatcher(stats, maxBatch, maxLatency),
                    hostLoops);
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
    public DecodeTarget decodeTarget() {
        return DecodeTarget.cuda(device.index());
    }

    @Override
    public String description() {
        return "GPU " + device.index() + ": " + device.name() + " (NVDEC decode, CUDA statistics)";
    }

    @Override
    public FrameStatistics open(StatisticsRequest request) {
        return new GpuFrameStatistics(batcher, request, hostLoops);
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
            int height = ThumbnailWriter.heightFor(frame);
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
            int height = ThumbnailWriter.heightFor(frame);
            MemorySegment picture;
            try {
                picture = thumbnails().downscale(frame, height);
            } catch (RuntimeException e) {
                throw new ThumbnailWriter.ThumbnailException(file, e.getMessage(), e);
            }
            writer.write(picture, height, frame.fullRange(), file);
        }
    }

    @Override
    public void smallLuma(VideoFrame frame, ThumbnailWriter writer, MemorySegment out) {
        if (!frame.onDevice()) {
            writer.luma(frame, out);
            return;
        }
        synchronized (thumbnailLock) {
            int height = ThumbnailWriter.heightFor(frame);
            // The thumbnail's picture made on the device: its luma plane comes first, packed.
            MemorySegment picture = thumbnails().downscale(frame, height);
            MemorySegment.copy(picture, 0, out, 0, (long) ThumbnailWriter.WIDTH * height);
        }
    }

    /** Bytes the last thumbnail brought back from the device; 0 before any. */
    public long lastThumbnailBytesCopiedToHost() {
        synchronized (thumbnailLock) {
            return thumbnails == null ? 0 : thumbnails.lastBytesCopiedToHost();
        }
    }

    private CudaThumbnails thumbnails() {
        if (closed) {
            throw new IllegalStateException("the GPU statistics engine is closed");
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
