package io.vigil.kernels.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Engines#select} needs to pick and open a statistics engine: the configuration's {@code backend} and
 * {@code gpu} settings.
 *
 * @param choice what {@code --backend} (or the config's {@code backend}) asks for
 * @param gpuDevice the CUDA device ordinal a GPU engine runs on
 * @param maxBatch most frames per kernel launch on a GPU
 * @param maxLatency longest a frame waits for its batch to fill (nvstreammux's batched-push-timeout)
 */
public record EngineOptions(BackendChoice choice, int gpuDevice, int maxBatch, Duration maxLatency) {
    public EngineOptions {
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(maxLatency, "maxLatency");
    }

    /** The same settings, asking for {@code other}. */
    public EngineOptions withChoice(BackendChoice other) {
        return new EngineOptions(other, gpuDevice, maxBatch, maxLatency);
    }
}
