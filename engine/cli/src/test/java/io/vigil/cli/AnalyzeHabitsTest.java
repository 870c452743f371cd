package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.Ffmpeg;
import io.vigil.engine.pipeline.InputAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The habits an FFmpeg user brings to {@code vigil analyze}: {@code -} for a pipe, names for inputs, "did you mean",
 * every scheme in the help, a hint for {@code --format json}, shell completion, and Ctrl-C that still reports.
 */
@Timeout(120)
class AnalyzeHabitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("clip.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-f", "lavfi", "-i", "sine=d=3",
                "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts", clip.toString()));
    }

    @Test
    void dashReadsTheClipFromAPipe() throws Exception {
        for (String stdin : List.of("-", "pipe:0", "tv=pipe:")) {
            Process p = ChildVigil.builder("analyze", "--format", "jsonl", "--detectors", "none", stdin)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(Files.readAllBytes(clip));   // a pipe: FFmpeg can neither seek nor peek it
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            JsonNode summary = JSON.readTree(out.lines().filter(l -> l.contains("\"summary\"")).findFirst().orElseThrow());
            assertThat(summary.get("stream").asText()).isEqualTo(stdin.startsWith("tv=") ? "tv" : "stdin");
            assertThat(summary.get("frames").asLong()).isEqualTo(75);
        }
    }

    @Test
    void standardInputIsReadByOneInputOnly() {
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "-", "pipe:0");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Standard input (-) can be read by one input only");
    }

    @Test
    void inputsAreNamedByNameEqualsOrByName() throws IOException {
        Path odd = dir.resolve("a=b.ts");   // an existing file whose name holds '=' stays a file
        Files.copy(clip, odd, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "--detectors", "none", "--name", "first",
                clip.toString(), "second=" + clip, clip.toString(), odd.toString());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.events("summary")).extracting(e -> e.get("stream").asText())
                .containsExactlyInAnyOrder("first", "second", "clip.ts", "a=b.ts");

        CliResult twice = CliResult.run("analyze", "--name", "x", "x=" + clip);
        assertThat(twice.exit).isEqualTo(2);
        assertThat(twice.err).contains("named twice");
        CliResult same = CliResult.run("analyze", "x=" + clip, "x=" + clip);
        assertThat(same.exit).isEqualTo(2);
        assertThat(same.err).contains("'x' is given to two inputs");
        CliResult bad = CliResult.run("analyze", "--name", "a b", clip.toString());
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("is not a stream name");
    }

    @Test
    void aMistypedCommandGetsPicocliSuggestion() {
        CliResult r = CliResult.run("anlyze", "clip.ts");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Did you mean: vigil analyze?").contains("(see 'vigil --help')")
                .doesNotContain("vigil  --help");
        CliResult option = CliResult.run("analyze", "--detector", "black", "clip.ts");
        assertThat(option.err).contains("Possible solutions: --detectors")
                .contains("(see 'vigil analyze --help')");
    }

    @Test
    void helpListsEverySchemeTheInputParserReads() {
        CliResult r = CliResult.run("analyze", "--help");
        String help = r.out.replaceAll("\\s+", " ");
        assertThat(InputAddress.networkSchemes()).contains("rtmps", "rtsps", "srt");
        assertThat(help).contains("(" + String.join(", ", InputAddress.networkSchemes()) + ")")
                .contains("- for standard input");
    }

    @Test
    void formatJsonIsRefusedWithTheFlagThatWorks() {
        CliResult r = CliResult.run("analyze", "--format", "json", clip.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("'json' is not a format").contains("use --format jsonl");
        assertThat(r.out).isEmpty();
    }

    @Test
    void completionScriptIsPicocliBashAndParses() throws Exception {
        CliResult r = CliResult.run("completion", "bash");
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("complete -F _complete_vigil", "analyze", "--detectors", "--thumbnails");
        Path script = dir.resolve("vigil-completion.bash");
        Files.writeString(script, r.out);
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(bash.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(new String(bash.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void sigintOnALiveInputWritesItsSummaryWithAlarmsResolvedAndExits130() throws Exception {
        assertThat(stopLiveWith("INT")).isEqualTo(130);
    }

    @Test
    void sigtermOnALiveInputWritesItsSummaryWithAlarmsResolvedAndExits143() throws Exception {
        assertThat(stopLiveWith("TERM")).isEqualTo(143);
    }

    /**
     * Analyses a live black UDP source until its black alarm fires, sends {@code signal}; checks that the alarm is
     * resolved and the summary written, without an error object; returns the exit status.
     */
    private int stopLiveWith(String signal) throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "udp://127.0.0.1:" + port;
        Process source = new ProcessBuilder("ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
                "color=black:s=160x120:r=25", "-t", "60", "-c:v", "mpeg2video", "-f", "mpegts",
                url + "?pkt_size=1316").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path out = dir.resolve("live-" + signal + ".out");
        Path err = dir.resolve("live-" + signal + ".err");
        Process vigil = ChildVigil.builder("analyze", "--format", "jsonl", "--detectors", "black", "cam=" + url)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.readString(out).contains("\"firing\"") && vigil.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(out)).as("black fired; stderr: %s", Files.readString(err)).contains("\"firing\"");
            new ProcessBuilder("kill", "-" + signal, Long.toString(vigil.pid())).start().waitFor();
            assertThat(vigil.waitFor(20, TimeUnit.SECONDS)).as("stopped; stderr: %s", Files.readString(err)).isTrue();
            List<JsonNode> events = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                events.add(JSON.readTree(line));
            }
            assertThat(events).extracting(e -> e.get("type").asText() + "/" + e.path("status").asText())
                    .containsExactly("alarm/firing", "alarm/resolved", "summary/");
            assertThat(events.getLast().get("stream").asText()).isEqualTo("cam");
            assertThat(events.getLast().get("alarms").get("black").asInt()).isEqualTo(1);
            assertThat(Files.readString(err)).contains("vigil: stopping").doesNotContain("Exception");
            return vigil.exitValue();
        } finally {
            vigil.destroyForcibly().waitFor();
            source.destroyForcibly().waitFor();
        }
    }
}
