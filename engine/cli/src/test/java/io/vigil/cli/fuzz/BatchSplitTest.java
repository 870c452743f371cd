package io.vigil.cli.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch's output is split by input and each input judged as if alone; whatever is not clearly one input's sends
 * the batch back input by input.
 */
class BatchSplitTest {
    static final Path A = Path.of("/fuzz/inputs/00001-none-a.mkv");
    static final Path B = Path.of("/fuzz/inputs/00002-zzuf-b.ts");
    static final String FIRING = "{\"type\":\"alarm\",\"status\":\"firing\",\"detector\":\"black\",\"stream\":"
            + "\"00001-none-a.mkv\",\"dedupKey\":\"00001-none-a.mkv/black\",\"severity\":\"critical\",\"start\":0.0,"
            + "\"summary\":\"picture black for 2.0 s\",\"metrics\":{\"darkRatio\":1.0}}";
    static final String RESOLVED = "{\"type\":\"alarm\",\"status\":\"resolved\",\"detector\":\"black\",\"stream\":"
            + "\"00001-none-a.mkv\",\"dedupKey\":\"00001-none-a.mkv/black\",\"severity\":\"critical\",\"start\":0.0,"
            + "\"end\":3.0,\"duration\":3.0,\"metrics\":{\"darkRatio\":1.0}}";
    static final String SUMMARY_A = summary(A, "{\"black\":1}");
    static final String SUMMARY_B = summary(B, "{}");
    static final String ERROR_B = error(B, "read");

    static String summary(Path input, String alarms) {
        return "{\"type\":\"summary\",\"stream\":\"" + input.getFileName() + "\",\"input\":\"" + input
                + "\",\"frames\":75,\"audioSamples\":0,\"mediaSeconds\":3.0,\"elapsedSeconds\":0.1,"
                + "\"backend\":\"cpu\",\"decodeErrors\":0,\"alarms\":" + alarms + "}";
    }

    static String error(Path input, String stage) {
        return "{\"type\":\"error\",\"stream\":\"" + input.getFileName() + "\",\"input\":\"" + input
                + "\",\"stage\":\"" + stage + "\",\"message\":\"it broke\"}";
    }

    static ForkedAnalyze.Run batch(int exit, String stderr, String... lines) {
        return new ForkedAnalyze.Run(exit, false, String.join("\n", lines) + "\n", stderr, false, 2.0);
    }

    static BatchSplit split(ForkedAnalyze.Run run) {
        return BatchSplit.of(List.of(A, B), run);
    }

    @Test
    void eachInputGetsItsLinesAndTheExitCodeItsObjectsGive() {
        BatchSplit split = split(batch(4, "vigil: 00002-zzuf-b.ts broke off\n",
                FIRING, SUMMARY_B, RESOLVED, ERROR_B, SUMMARY_A));

        assertThat(split.attributable()).as(split.unattributable()).isTrue();
        ForkedAnalyze.Run a = split.runs().get(A);
        ForkedAnalyze.Run b = split.runs().get(B);
        assertThat(a.exit()).isZero();
        assertThat(a.stdout()).isEqualTo(FIRING + "\n" + RESOLVED + "\n" + SUMMARY_A + "\n");
        assertThat(a.seconds()).isEqualTo(1.0);
        assertThat(b.exit()).isEqualTo(4);
        assertThat(Verdict.of(a).outcome()).isEqualTo(Verdict.Outcome.ANALYSED);
        assertThat(Verdict.of(b).outcome()).isEqualTo(Verdict.Outcome.BROKE_OFF);
        ForkedAnalyze.Run unreadable = BatchSplit.of(List.of(B), batch(3, "", error(B, "open"))).runs().get(B);
        assertThat(Verdict.of(unreadable).outcome()).isEqualTo(Verdict.Outcome.UNREADABLE);
    }

    @Test
    void whatIsNotClearlyOneInputsSendsTheBatchBackInputByInput() {
        assertThat(split(batch(0, "", SUMMARY_A, SUMMARY_B, SUMMARY_B)).unattributable()).contains("2 summaries");
        assertThat(split(batch(0, "", SUMMARY_A)).unattributable()).contains("0 summaries");
        assertThat(split(batch(0, "", SUMMARY_A, SUMMARY_B, summary(Path.of("/elsewhere/c.mp4"), "{}")))
                .unattributable()).startsWith("a line of no input");
        assertThat(split(batch(0, "", SUMMARY_A, "{\"type\":\"alarm\"}", SUMMARY_B)).unattributable())
                .startsWith("a line of no input");
        assertThat(split(batch(0, "", SUMMARY_A, "Killed", SUMMARY_B)).unattributable()).startsWith("not JSON");
        assertThat(split(batch(0, "", SUMMARY_A, SUMMARY_B, ERROR_B)).unattributable())
                .isEqualTo("exit 0 where the worst input's is 4");
        assertThat(split(batch(5, "", SUMMARY_A, SUMMARY_B, error(B, "analysis"))).unattributable())
                .isEqualTo("exit 5");
        assertThat(split(batch(4, "", SUMMARY_A, SUMMARY_B, error(B, "analysis"))).unattributable())
                .contains("its analysis failed");
        assertThat(split(batch(0, "java.lang.IllegalStateException: boom\n\tat io.vigil.X.y(X.java:1)\n",
                SUMMARY_A, SUMMARY_B)).unattributable()).startsWith("a stack trace");
        assertThat(split(batch(134, "", SUMMARY_A)).unattributable()).isEqualTo("exit 134");
        assertThat(split(new ForkedAnalyze.Run(-1, true, SUMMARY_A, "", false, 120)).unattributable())
                .startsWith("still running");
        assertThat(split(new ForkedAnalyze.Run(0, false, SUMMARY_A + "\n" + SUMMARY_B, "", true, 1))
                .unattributable()).contains("crash report");
    }
}
