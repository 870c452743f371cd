package io.vigil.engine.config;

import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.EngineOptions;
import java.time.Duration;
import java.util.SequencedMap;

/**
 * Everything {@code vigil analyze} is configured with.
 *
 * @param detectors settings per detector name, in display order (see {@link DetectorRegistry})
 * @param decodeThreads FFmpeg decoder threads per stream (0: FFmpeg chooses)
 * @param ioTimeout longest wait for a network read before an input is called broken
 * @param backend where video statistics are computed
 * @param gpu the GPU backend's settings
 */
public record VigilConfig(SequencedMap<String, DetectorSettings> detectors, int decodeThreads, Duration ioTimeout,
                          BackendChoice backend, Gpu gpu) {

    /**
     * @param device CUDA device ordinal
     * @param maxBatch most frames per kernel launch
     * @param maxLatency longest a frame waits for its batch to fill (nvstreammux's batched-push-timeout)
     */
    public record Gpu(int device, int maxBatch, Duration maxLatency) {
        public static final Gpu DEFAULTS = new Gpu(0, 128, Duration.ofMillis(10));
    }

    public static VigilConfig defaults() {
        return new VigilConfig(DetectorRegistry.standard().defaults(), 0, Duration.ofSeconds(10), BackendChoice.AUTO, Gpu.DEFAULTS);
    }

    public VigilConfig withDetectors(SequencedMap<String, DetectorSettings> d) {
        return new VigilConfig(d, decodeThreads, ioTimeout, backend, gpu);
    }

    public VigilConfig withDecodeThreads(int threads) {
        return new VigilConfig(detectors, threads, ioTimeout, backend, gpu);
    }

    public VigilConfig withIoTimeout(Duration timeout) {
        return new VigilConfig(detectors, decodeThreads, timeout, backend, gpu);
    }

    public VigilConfig withBackend(BackendChoice choice) {
        return new VigilConfig(detectors, decodeThreads, ioTimeout, choice, gpu);
    }

    /** What {@link io.vigil.kernels.engine.Engines#select} needs: {@code backend} and the {@code gpu} settings. */
    public EngineOptions engineOptions() {
        return new EngineOptions(backend, gpu.device(), gpu.maxBatch(), gpu.maxLatency());
    }
}
