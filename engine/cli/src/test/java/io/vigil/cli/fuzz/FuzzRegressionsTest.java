package io.vigil.cli.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input a fuzz campaign found to be a defect, once fixed, stays handled: the files of
 * src/test/resources/fuzz/regressions (each under 50 KB, a {@code .txt} beside it saying what it broke), each
 * analysed in its own JVM and judged as the campaign judges.
 */
class FuzzRegressionsTest {
    static final Path REGRESSIONS = Path.of("src/test/resources/fuzz/regressions");

    @TempDir
    Path work;

    @Test
    @Timeout(600)
    void everyKeptInputIsHandled() throws Exception {
        List<Path> inputs;
        try (Stream<Path> files = Files.isDirectory(REGRESSIONS) ? Files.list(REGRESSIONS) : Stream.empty()) {
            inputs = files.filter(p -> !p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(inputs).as("fuzz regressions kept in %s", REGRESSIONS).isNotEmpty();
        ForkedAnalyze analyzer = new ForkedAnalyze(Duration.ofSeconds(60));
        for (Path input : inputs) {
            assertThat(Files.size(input)).as("%s kept small", input).isLessThan(50_000);
            Verdict verdict = Verdict.of(analyzer.analyze(input, work.resolve(input.getFileName() + ".run")));
            assertThat(verdict.defect()).as("%s: %s %s", input, verdict.outcome(), verdict.detail()).isFalse();
        }
    }
}
