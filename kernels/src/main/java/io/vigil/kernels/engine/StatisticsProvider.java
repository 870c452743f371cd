package io.vigil.kernels.engine;

import io.vigil.ffi.Device;
import java.util.Optional;

/**
 * One way of computing the statistics, found at run time with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/io.vigil.kernels.engine.StatisticsProvider}; DJL's {@code EngineProvider} is the model).
 * {@link Engines#select} asks each, highest rank first, whether it can run here and opens the first that can. A
 * provider needs a public no-argument constructor and keeps no state.
 */
public interface StatisticsProvider {
    /** Short and stable, for {@code vigil doctor}: "cuda", "c", "java". */
    String name();

    /** Higher runs first when several can: the fastest path first, the reference last. */
    int rank();

    /** The kind of device it computes on: {@code --backend cpu} picks among CPU providers, {@code gpu} among CUDA. */
    Device.Kind device();

    /**
     * Empty when this provider can run here with {@code options}; otherwise why not, in one sentence for people
     * (e.g. "there is no NVIDIA driver on this host (libcuda.so.1 not found)"). Never throws: a missing library is a
     * reason, not an error.
     */
    Optional<String> unavailableReason(EngineOptions options);

    /**
     * Opens the engine; called only after {@link #unavailableReason} found nothing. Throws a RuntimeException whose
     * message says, for people, why it could not be set up.
     */
    StatisticsEngine open(EngineOptions options);
}
