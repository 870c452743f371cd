package io.vigil.cli.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short fuzz campaign in CI: one seed per container (kept in target/test-media between runs), 30 mutations of
 * them, analysed in batches of five per JVM as bench/fuzz.sh does (what a batch leaves unclear, input by input);
 * every one must be handled. {@code bench/fuzz.sh} runs the long ones.
 */
class FuzzSmokeTest {
    static final long CAMPAIGN_SEED = 12;
    static final int INPUTS = 30;
    /** Batches as in bench/fuzz.sh, smaller: six JVMs, so that both jobs stay busy. */
    static final int BATCH = 5;

    @TempDir
    Path work;

    @Test
    @Timeout(300)
    void aFewDozenMutatedInputsAreAllHandled() throws Exception {
        Path media = Path.of(System.getProperty("vigil.test.media", "target/test-media"), "fuzz-seeds");
        List<Seeds.Made> seeds = Seeds.make(media, Seeds.SMOKE);
        assertThat(seeds).as("seeds made").hasSizeGreaterThan(Seeds.SMOKE.size() - 3);
        Fuzz fuzz = new Fuzz(seeds, CAMPAIGN_SEED, work.resolve("inputs"), work.resolve("defects"),
                new ForkedAnalyze(Duration.ofSeconds(60)), 2, BATCH, false, System.out);
        long started = System.nanoTime();
        List<Fuzz.Result> results = fuzz.run(INPUTS);
        String report = Fuzz.report(results, CAMPAIGN_SEED, (System.nanoTime() - started) / 1e9, 2,
                Duration.ofSeconds(60));
        System.out.print(report);
        assertThat(results).as(report).noneMatch(r -> r.verdict().defect());
    }
}
