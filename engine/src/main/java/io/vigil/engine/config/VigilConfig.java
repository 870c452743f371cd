package io.vigil.engine.config;

import java.time.Duration;
import java.util.SequencedMap;

/**
 * Everything {@code vigil analyze} is configured with.
 *
 * @param detectors settings per detector name, in display order
 * @param decodeThreads FFmpeg decoder threads per stream (0: FFmpeg chooses)
 * @param ioTimeout longest wait for a network read before an input is called broken
 */
public record VigilConfig(SequencedMap<String, DetectorSettings> detectors, int decodeThreads, Duration ioTimeout) {

    public static VigilConfig defaults() {
        return new VigilConfig(Defaults.detectors(), 0, Duration.ofSeconds(10));
    }

    public VigilConfig withDetectors(SequencedMap<String, DetectorSettings> d) {
        return new VigilConfig(d, decodeThreads, ioTimeout);
    }

    public VigilConfig withDecodeThreads(int threads) {
        return new VigilConfig(detectors, threads, ioTimeout);
    }

    public VigilConfig withIoTimeout(Duration timeout) {
        return new VigilConfig(detectors, decodeThreads, timeout);
    }
}
