package io.vigil.ffi;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/**
 * The ffmpeg program, for making test media: the one on the PATH (a distribution's build has every encoder), else
 * the one inside bytedeco's FFmpeg jar, which JavaCPP extracts beside its libraries (it finds them by RUNPATH
 * {@code $ORIGIN}); on a GPU host without ffmpeg installed, that is the only one.
 */
public final class FfmpegProgram {
    private FfmpegProgram() {
    }

    /** The ffmpeg to run, or empty when there is none on the PATH and the bundled one cannot be extracted. */
    public static Optional<Path> find() {
        return onPath().or(FfmpegProgram::bundled);
    }

    static Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "ffmpeg"))) {
                return Optional.of(Path.of(dir, "ffmpeg"));
            }
        }
        return Optional.empty();
    }

    /** bytedeco's ffmpeg, extracted into JavaCPP's cache; empty when that fails. */
    public static Optional<Path> bundled() {
        try {
            String path = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
            return path == null ? Optional.empty() : Optional.of(Path.of(path)).filter(Files::isExecutable);
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }
}
