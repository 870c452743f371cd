package io.vigil.cli.fuzz;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code vigil analyze --format jsonl} of one input in a JVM of its own, or of a batch of inputs one after the other
 * ({@code --jobs 1}) in one JVM, so that many inputs share one start-up (this JVM's java; the class path given: this
 * JVM's in the tests, a copy of the runnable jar in bench/fuzz.sh, which a rebuild during a long campaign cannot
 * change under it), killed when it runs past its timeout (per input: a batch gets its size times as long). A JVM
 * that dies of a signal leaves its report ({@code -XX:ErrorFile}) beside the output.
 */
final class ForkedAnalyze {
    /** What one run left: its exit code (-1 when killed at the timeout), stdout, stderr, the crash report if any. */
    record Run(int exit, boolean timedOut, String stdout, String stderr, boolean crashReport, double seconds) {
    }

    private final List<String> java;
    private final Duration timeout;

    /** With this JVM's class path (the built engine/cli classes and their dependencies, as in the tests). */
    ForkedAnalyze(Duration timeout) {
        this(timeout, Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator)));
    }

    ForkedAnalyze(Duration timeout, String classPath) {
        // Short runs: the client compiler only, one GC thread, little heap (many run side by side).
        this.java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", classPath, "io.vigil.cli.Main");
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Analyses {@code input}; its stdout, stderr and any crash report go to files named after {@code base}. */
    Run analyze(Path input, Path base) throws IOException, InterruptedException {
        return analyze(List.of(input), base);
    }

    /**
     * Analyses {@code inputs} one after the other in one JVM, under {@code inputs.size()} times the timeout; its
     * stdout, stderr and any crash report go to files named after {@code base}.
     */
    Run analyze(List<Path> inputs, Path base) throws IOException, InterruptedException {
        Path out = base.resolveSibling(base.getFileName() + ".out");
        Path err = base.resolveSibling(base.getFileName() + ".err");
        Path crash = base.resolveSibling(base.getFileName() + ".hs_err");
        List<String> cmd = new ArrayList<>(java);
        cmd.add(2, "-XX:ErrorFile=" + crash);
        cmd.addAll(List.of("analyze", "--format", "jsonl", "--no-progress", "--backend", "cpu", "--jobs", "1"));
        inputs.forEach(input -> cmd.add(input.toString()));
        long started = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = p.waitFor(timeout.toMillis() * inputs.size(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Run run = new Run(finished ? p.exitValue() : -1, !finished, read(out), read(err), Files.exists(crash),
                seconds);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return run;
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
