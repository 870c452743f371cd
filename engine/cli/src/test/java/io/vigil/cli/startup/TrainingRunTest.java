package io.vigil.cli.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run, as the launcher runs it: it must analyse its clip and leave an AOT cache. A class on
 * its path that the JDK's cache writer cannot take (JDK 25.0.3 crashes on a method reference to a picocli class)
 * would cost every run its start-up cache without a word; this test says so instead.
 */
class TrainingRunTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void recordsAnAotCache() throws IOException, InterruptedException {
        Path cache = dir.resolve("training.aot");
        Path log = dir.resolve("training.log");
        Process training = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:AOTCacheOutput=" + cache, "-XX:ErrorFile=" + dir.resolve("hs_err.log"),
                "-cp", jarsOnly(), TrainingRun.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(training.waitFor(110, TimeUnit.SECONDS)).as("training run finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(training.exitValue()).as(output).isZero();
        assertThat(cache).as(output).isNotEmptyFile();
    }

    /** This test's class path with each folder (target/classes, ...) packed into a jar: the AOT cache takes jars only. */
    private String jarsOnly() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                Path jar = dir.resolve("folder" + entries.size() + ".jar");
                pack(path, jar);
                path = jar;
            }
            entries.add(path.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void pack(Path folder, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(folder.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }
}
