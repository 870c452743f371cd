package io.vigil.kernels.cpu;

import io.vigil.ffi.Device;
import io.vigil.ffi.VigilPixels;
import io.vigil.kernels.Loops;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsProvider;
import java.util.Locale;
import java.util.Optional;

/**
 * libvigilpixels' C passes on the CPU: the same integers as the Java loops, faster, where the library was built and
 * loads. {@code VIGIL_PIXELS=java} (or {@code -Dvigil.pixels=java}) turns it off, read when it is asked, so that the
 * Java loops run.
 */
public final class CStatisticsProvider implements StatisticsProvider {
    @Override
    public String name() {
        return "c";
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public Device.Kind device() {
        return Device.Kind.CPU;
    }

    @Override
    public Optional<String> unavailableReason(EngineOptions options) {
        String forced = System.getProperty("vigil.pixels", System.getenv("VIGIL_PIXELS"));
        if (forced != null && forced.trim().toLowerCase(Locale.ROOT).equals("java")) {
            return Optional.of("the Java loops were asked for (vigil.pixels / VIGIL_PIXELS=java)");
        }
        return VigilPixels.unavailableReason();
    }

    @Override
    public StatisticsEngine open(EngineOptions options) {
        return CpuStatisticsEngine.of(Loops.C);
    }
}
