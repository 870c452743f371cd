package io.vigil.cli;

import io.vigil.engine.backend.Backends;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.DecodingHost;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code vigil doctor}: what this host offers vigil, and which backend {@code analyze} will use. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show the JDK, the FFmpeg build and its hardware decoders, the CUDA driver and GPUs, and the backend analyze uses.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        DecodingHost.describe().forEach(System.out::println);
        System.out.println("Backend:  " + backendLine());
        System.out.println("CPU stats: " + io.vigil.ffi.VigilPixels.status());
        return 0;
    }

    /** The backend {@code analyze --backend auto} uses, and why, in one line. */
    static String backendLine() {
        VigilConfig.Gpu gpu = VigilConfig.defaults().gpu();
        try {
            Backends.Selection s = Backends.select(io.vigil.engine.backend.BackendChoice.AUTO, gpu.device(),
                    gpu.maxBatch(), gpu.maxLatency());
            try (var backend = s.backend()) {
                return backend.name() + " (" + backend.description() + ")"
                        + (s.reason() == null ? "" : ", because " + s.reason());
            }
        } catch (RuntimeException e) {
            // The probe never fails: an unexpected error still ends in one line.
            return "cpu, because the GPU check failed: " + e.getMessage();
        }
    }
}
