package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.engine.Ffmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil analyze} with many inputs: every input ends with a summary or an error object, the exit code is the
 * worst input's, a picture too wide for a statistic is a warning (not a vanished input), malformed URLs are one
 * sentence, and {@code --jobs} bounds how many inputs are analysed at once.
 */
@Timeout(120)
class AnalyzeJobsTest {
    @TempDir
    static Path dir;
    static Path ok;
    static Path wide;

    @BeforeAll
    static void makeClips() throws Exception {
        ok = dir.resolve("ok.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "lavfi", "-i",
                "sine=f=440:r=48000:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "pcm_s16le", ok.toString()));
        wide = dir.resolve("wide.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "color=c=gray:s=70000x16:r=10:d=2,format=yuv420p", "-c:v", "ffv1",
                wide.toString()));
    }

    static CliResult analyze(String... inputsAndFlags) {
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "jsonl", "--no-progress"));
        args.addAll(List.of(inputsAndFlags));
        return CliResult.run(args.toArray(String[]::new));
    }

    @Test
    void threeInputsOneBrokenGiveTwoSummariesOneErrorAndTheWorstExitCode() {
        String missing = dir.resolve("missing.mkv").toString();
        CliResult r = analyze(ok.toString(), wide.toString(), missing);

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertThat(r.events("summary")).extracting(s -> s.get("input").asText())
                .containsExactlyInAnyOrder(ok.toString(), wide.toString());
        JsonNode error = r.single("error");
        assertThat(error.get("input").asText()).isEqualTo(missing);
        assertThat(error.get("stage").asText()).isEqualTo("open");
        JsonNode warning = r.single("warning");
        assertThat(warning.get("stream").asText()).isEqualTo("wide.mkv");
        assertThat(warning.get("detector").asText()).isEqualTo("letterbox");
        r.assertNoStackTrace();
    }

    @Test
    void malformedUrlsAreOneSentenceAndExitCode3() {
        CliResult r = analyze("file:///srv/a b", ok.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertThat(r.single("error").get("message").asText()).startsWith("'file:///srv/a b' is not a valid")
                .endsWith(".");
        assertThat(r.events("summary")).hasSize(1);
        assertThat(r.err.lines().filter(l -> l.contains("is not a valid"))).hasSize(1);
        r.assertNoStackTrace();
    }

    @Test
    void jobsBoundsTheInputsAnalysedAtOnce() throws Exception {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path copy = dir.resolve("copy" + i + ".mkv");
            if (!Files.exists(copy)) {
                Files.copy(ok, copy);
            }
            inputs.add(copy.toString());
        }
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        // Each input's analysis has its own analysing thread, named after its stream.
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                long analysing = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("analyse-copy")).count();
                most.accumulateAndGet((int) analysing, Math::max);
                Thread.onSpinWait();
            }
        });
        List<String> args = new ArrayList<>(List.of("--jobs", "2", "--detectors", "black,freeze"));
        args.addAll(inputs);
        CliResult r;
        try {
            r = analyze(args.toArray(String[]::new));
        } finally {
            sampling.set(false);
            sampler.join();
        }

        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.events("summary")).hasSize(6);
        assertThat(most.get()).as("inputs analysed at once").isBetween(1, 2);
        assertThat(analyze("--jobs", "0", ok.toString()).exit).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void aJobThatThrowsCountsAsAFailedAnalysis() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<Callable<Integer>> jobs = List.of(() -> 0, () -> {
            throw new IllegalStateException("stdout is gone");
        }, () -> 4);
        int code = AnalyzeCommand.runAll(jobs, 2, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(5);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("stdout is gone").doesNotContain("\tat ");
    }
}
