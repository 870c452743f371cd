package io.vigil.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@code vigil} in a child JVM on the test's class path, for what only a process shows: signals, stdin, exit codes. */
final class ChildVigil {
    private ChildVigil() {
    }

    /** Starts {@code vigil args...} with stdout and stderr together in {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        return builder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The process for {@code vigil args...}, to redirect as the test needs. */
    static ProcessBuilder builder(String... args) {
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        // SIGINT and SIGHUP restored to their defaults: a build started in the background (`mvn ... &`) hands its
        // children SIGINT ignored, one started under nohup SIGHUP, and a JVM leaves an ignored signal ignored (as a
        // background job should), so serve would not see them.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,HUP,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", classPath, "io.vigil.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }
}
