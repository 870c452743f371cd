package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The C and CUDA toolchains the kernels' tests use when a host has them (a build host; never the GPU device host,
 * whose bundle has no sources and no compiler): where the sources are, which compilers exist, and running them.
 */
public final class NativeTools {
    private NativeTools() {
    }

    /** The kernels module's directory (Maven runs tests there; -Dbasedir says so explicitly). */
    public static Path moduleDir() {
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        return dir;
    }

    /** src/main/cuda, where vigil_stats.h and vigil_stats.cu are; empty outside a source checkout. */
    public static Optional<Path> cudaSources() {
        Path dir = moduleDir().resolve("src/main/cuda");
        return Files.isRegularFile(dir.resolve("vigil_stats.h")) ? Optional.of(dir) : Optional.empty();
    }

    /** src/test/c, the stand-in driver and the kernel self-test. */
    public static Path testCSources() {
        return moduleDir().resolve("src/test/c");
    }

    /** A program on the PATH, or one of {@code fallbacks}. */
    public static Optional<Path> program(String name, String... fallbacks) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        for (String fallback : fallbacks) {
            if (Files.isExecutable(Path.of(fallback))) {
                return Optional.of(Path.of(fallback));
            }
        }
        return Optional.empty();
    }

    public static Optional<Path> cc() {
        return program("cc", "/usr/bin/cc");
    }

    public static Optional<Path> nvcc() {
        return program("nvcc", "/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc");
    }

    public static Optional<Path> ptxas() {
        return program("ptxas", "/usr/local/bin/ptxas", "/usr/local/cuda/bin/ptxas");
    }

    /** What a finished program said, and its exit status. */
    public record Result(int status, String output) {
    }

    /** Runs {@code command} in the module directory, stdout and stderr together, for at most two minutes. */
    public static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(moduleDir().toFile()).redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** Runs {@code command} and fails the test, with the program's output, unless it exits 0. */
    public static String runOk(List<String> command) {
        Result result = run(command);
        assertThat(result.status()).as("%s exited %d:%n%s", String.join(" ", command), result.status(),
                result.output()).isZero();
        return result.output();
    }

    static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
