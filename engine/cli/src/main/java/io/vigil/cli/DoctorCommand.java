package io.vigil.cli;

import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.DecodingHost;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.Engines;
import io.vigil.server.VigilVersion;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code vigil doctor}: vigil's version, what this host offers vigil, which backend {@code analyze} will use, and each statistics
 * provider with its rank and, when it cannot run, why.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show vigil's version, the JDK, the bundled FFmpeg (and the host's, if any) with its hardware"
                + " decoders, the CUDA driver and GPUs, the backend analyze uses, and every statistics provider with its"
                + " rank.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("vigil:    " + VigilVersion.version());
        for (String line : DecodingHost.describe()) {
            System.out.println(line.startsWith("FFmpeg:") ? bundled(line) : line);
            if (line.startsWith("FFmpeg:")) {
                System.out.println(HostFfmpeg.line());
            }
        }
        EngineOptions options = VigilConfig.defaults().engineOptions();
        System.out.println("Backend:  " + backendLine(options));
        providerLines(options).forEach(System.out::println);
        return 0;
    }

    /** The probe's FFmpeg line says which FFmpeg vigil decodes with: the copy in bytedeco's jar, not the host's. */
    static String bundled(String ffmpegLine) {
        return ffmpegLine + ", bundled (bytedeco's FFmpeg jar: what vigil decodes with)";
    }

    /** The backend {@code analyze --backend auto} uses, and why, in one line. */
    static String backendLine(EngineOptions options) {
        try {
            Engines.Selection s = Engines.select(options);
            try (var engine = s.engine()) {
                return engine.name() + " (" + engine.description() + ")"
                        + (s.reason() == null ? "" : ", because " + s.reason());
            }
        } catch (RuntimeException e) {
            // The probe never fails: an unexpected error still ends in one line.
            return "cpu, because the GPU check failed: " + e.getMessage();
        }
    }

    /** Every statistics provider, highest rank first: its rank, and whether it can run here or why not. */
    static List<String> providerLines(EngineOptions options) {
        List<Engines.ProviderStatus> survey = Engines.survey(options);
        int width = survey.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        List<String> lines = new java.util.ArrayList<>();
        lines.add("Providers: statistics providers, highest rank first (auto runs the first that can):");
        for (Engines.ProviderStatus p : survey) {
            lines.add(String.format(Locale.ROOT, "  %-" + width + "s  rank %2d  %s", p.name(), p.rank(),
                    p.unavailableReason().map(why -> "cannot run: " + why).orElse("can run")));
        }
        return lines;
    }
}
