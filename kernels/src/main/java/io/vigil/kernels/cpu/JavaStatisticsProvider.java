package io.vigil.kernels.cpu;

import io.vigil.ffi.Device;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsProvider;
import java.util.Optional;

/** The Java loops: the reference every other provider is held to, and the one that always runs. */
public final class JavaStatisticsProvider implements StatisticsProvider {
    @Override
    public String name() {
        return "java";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public Device.Kind device() {
        return Device.Kind.CPU;
    }

    @Override
    public Optional<String> unavailableReason(EngineOptions options) {
        return Optional.empty();
    }

    @Override
    public StatisticsEngine open(EngineOptions options) {
        return CpuStatisticsEngine.reference();
    }
}
