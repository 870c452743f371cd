package io.vigil.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host's own ffmpeg (the one on the PATH), for {@code doctor}: vigil never decodes with it (it links the FFmpeg
 * bundled in bytedeco's jar), but an operator comparing a problem stream with ffmpeg/ffprobe wants to know that the
 * two differ.
 */
final class HostFfmpeg {
    private HostFfmpeg() {
    }

    /** One doctor line: the host's ffmpeg version and path, or that there is none. */
    static String line() {
        Optional<Path> program = onPath();
        if (program.isEmpty()) {
            return "Host:     no ffmpeg on the PATH (vigil needs none)";
        }
        return "Host:     ffmpeg " + version(program.get()) + " at " + program.get()
                + " (not the one vigil decodes with)";
    }

    private static Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "ffmpeg");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** "ffmpeg version 5.1.6-0+deb12u1 Copyright ..." gives 5.1.6-0+deb12u1; "unknown" when it does not say in 5 s. */
    static String version(Path program) {
        try {
            Process p = new ProcessBuilder(program.toString(), "-hide_banner", "-version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            String first;
            try (var in = p.getInputStream()) {
                first = new String(in.readNBytes(4096), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            }
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String[] words = first.split(" ");
            return words.length >= 3 && words[0].equals("ffmpeg") && words[1].equals("version") ? words[2] : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
