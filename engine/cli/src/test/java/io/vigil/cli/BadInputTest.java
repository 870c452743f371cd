package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil analyze} on inputs that are missing, empty, garbage, cut short, one-sided, unreachable or silent, and
 * on bad command lines: the contract's exit codes (shared/spec/alarm-events.md), an {@code error} object on stdout,
 * and never a stack trace or a hang.
 */
class BadInputTest {
    private static final double FRAME = 1.0 / 25;

    @TempDir
    static Path dir;

    /** 6 s, 320x240 at 25 fps H.264 with a 48 kHz stereo PCM tone, in Matroska, cut to half its bytes. */
    static Path truncated;
    /** 5 s of video only (H.264 in MP4, 25 fps), black from 1.0 s to 3.6 s. */
    static Path videoOnly;
    /** 4 s of a 48 kHz tone only (WAV), silent from 1.0 s to 3.5 s. */
    static Path audioOnly;

    @BeforeAll
    static void makeMedia() throws Exception {
        Path whole = dir.resolve("whole.mkv");
        Process av = ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=6,pan=stereo|c0=c0|c1=c0",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le",
                whole.toString());
        videoOnly = dir.resolve("video-only.mp4");
        Process video = ffmpeg("-f", "lavfi",
                "-i", "testsrc2=s=320x240:r=25:d=5,drawbox=enable='gte(t,1)*lt(t,3.6)':color=black:t=fill",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-fps_mode", "cfr",
                videoOnly.toString());
        audioOnly = dir.resolve("audio-only.wav");
        // aevalsrc rather than volume's timeline: silence to the sample, not to the next audio frame.
        Process audio = ffmpeg("-f", "lavfi", "-i", "aevalsrc='if(between(t,1,3.5),0,0.5*sin(2*PI*440*t))':s=48000:d=4",
                "-c:a", "pcm_s16le", audioOnly.toString());
        finish(av);
        finish(video);
        finish(audio);

        truncated = dir.resolve("truncated.mkv");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    }

    // 1
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void missingFileCannotBeOpened() {
        String path = dir.resolve("no-such-clip.mp4").toString();
        CliResult r = analyze(path);

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        JsonNode error = r.single("error");
        assertOpenError(error, path, r);
        assertThat(error.get("message").asText()).contains("No such file");
        r.assertNoStackTrace();
    }

    // 2
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void emptyFileCannotBeOpened() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        CliResult r = analyze(empty.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertOpenError(r.single("error"), empty.toString(), r);
        assertThat(r.events("summary")).isEmpty();
        r.assertNoStackTrace();
    }

    // 3
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomBytesAreNotMedia() throws IOException {
        byte[] noise = new byte[64 * 1024];
        new Random(42).nextBytes(noise);
        Path garbage = Files.write(dir.resolve("x.mp4"), noise);
        CliResult r = analyze(garbage.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertOpenError(r.single("error"), garbage.toString(), r);
        assertThat(r.events("summary")).isEmpty();
        r.assertNoStackTrace();
    }

    // 4
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void truncatedFileReportsWhatWasReadThenBreaksOff() {
        CliResult r = analyze(truncated.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(4);
        List<JsonNode> tail = r.events.subList(Math.max(0, r.events.size() - 2), r.events.size());
        assertThat(tail).as(r.toString()).extracting(e -> e.get("type").asText()).containsExactly("summary", "error");
        JsonNode summary = tail.get(0);
        assertThat(summary.get("frames").asLong()).as(r.toString()).isPositive();
        assertThat(summary.get("mediaSeconds").asDouble()).as(r.toString()).isBetween(1.0, 5.0);
        JsonNode error = tail.get(1);
        assertThat(error.get("stage").asText()).isEqualTo("read");
        assertThat(error.get("stream").asText()).isEqualTo("truncated.mkv");
        assertThat(error.get("input").asText()).isEqualTo(truncated.toString());
        assertOneSentence(error.get("message").asText());
        assertThat(error.get("message").asText()).containsAnyOf("truncated", "broke off");
        assertThat(r.err.lines()).as(r.toString()).containsExactly("vigil: " + error.get("message").asText());
        r.assertNoStackTrace();
    }

    // 5
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void audioOnlyInputIsAnalysedAndSaysThereIsNoVideo() {
        CliResult r = analyze(audioOnly.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(0);
        List<JsonNode> silence = r.alarms("silence");
        assertThat(silence).as(r.toString()).extracting(e -> e.get("status").asText())
                .containsExactly("firing", "resolved");
        JsonNode resolved = silence.get(1);
        assertThat(resolved.get("start").asDouble()).isCloseTo(1.0, within(0.02));
        assertThat(resolved.get("end").asDouble()).isCloseTo(3.5, within(0.02));
        assertThat(silence.get(0).get("start").asDouble()).isCloseTo(1.0, within(0.02));
        JsonNode summary = r.single("summary");
        assertThat(summary.get("frames").asLong()).isZero();
        assertThat(summary.get("mediaSeconds").asDouble()).isCloseTo(4.0, within(0.05));
        assertThat(r.events("error")).isEmpty();
        assertThat(r.err).containsIgnoringCase("no video stream");
        r.assertNoStackTrace();
    }

    // 6
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void videoOnlyInputIsAnalysedAndSaysThereIsNoAudio() {
        CliResult r = analyze(videoOnly.toString());

        assertThat(r.exit).as(r.toString()).isEqualTo(0);
        assertBlackFrom1To3point6(r, "video-only.mp4");
        assertThat(r.events("error")).isEmpty();
        assertThat(r.err).containsIgnoringCase("no audio stream");
        r.assertNoStackTrace();
    }

    // 7
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closedPortIsRefusedQuickly() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/live.ts";
        CliResult r = analyze(url);

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertThat(r.seconds).as(r.toString()).isLessThan(10);
        JsonNode error = r.single("error");
        assertOpenError(error, url, r);
        assertThat(error.get("message").asText()).containsIgnoringCase("refused");
        r.assertNoStackTrace();
    }

    // 8
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serverThatNeverSendsTimesOut() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().name("silent-server").start(() -> {
                while (!server.isClosed()) {
                    try {
                        accepted.add(server.accept()); // read nothing, write nothing, keep it open
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/live.ts";
            try {
                CliResult r = analyze(url, "--timeout", "2");

                assertThat(r.exit).as(r.toString()).isIn(3, 4);
                assertThat(r.seconds).as(r.toString()).isLessThan(15);
                assertThat(accepted).as("the server was reached").isNotEmpty();
                JsonNode error = r.events("error").getLast();
                assertThat(error.get("stage").asText()).isEqualTo(r.exit == 3 ? "open" : "read");
                assertThat(error.get("stream").asText()).isEqualTo("live.ts");
                assertThat(error.get("input").asText()).isEqualTo(url);
                assertOneSentence(error.get("message").asText());
                assertThat(error.get("message").asText()).containsAnyOf("no data for 2 s", "timed out", "Timed out");
                r.assertNoStackTrace();
            } finally {
                server.close();
                acceptor.join(5000);
            }
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    // 9
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oneMissingInputDoesNotStopTheOthers() {
        String missing = dir.resolve("gone.mkv").toString();
        CliResult r = analyze(videoOnly.toString(), missing);

        assertThat(r.exit).as(r.toString()).isEqualTo(3);
        assertBlackFrom1To3point6(r, "video-only.mp4");
        JsonNode error = r.single("error");
        assertThat(error.get("stream").asText()).isEqualTo("gone.mkv");
        assertOpenError(error, missing, r);
        assertThat(r.events("summary")).extracting(e -> e.get("stream").asText()).containsExactly("video-only.mp4");
        r.assertNoStackTrace();
    }

    // 10
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void misspelledDetectorIsAUsageError() {
        CliResult r = analyze(videoOnly.toString(), "--detectors", "blak");

        assertUsageError(r);
        assertThat(r.err).contains("blak");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void negativeThreadsIsAUsageError() {
        CliResult r = analyze(videoOnly.toString(), "--threads", "-1");

        assertUsageError(r);
        assertThat(r.err).contains("--threads");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void unknownConfigKeyIsAUsageErrorWithFileLineAndKeyPath() throws IOException {
        Path yaml = Files.writeString(dir.resolve("typo.yaml"), "detectors:\n  black:\n    pixelThrehsold: 0.2\n");
        CliResult r = analyze(videoOnly.toString(), "--config", yaml.toString());

        assertUsageError(r);
        assertThat(r.err).contains(yaml + ":3").contains("detectors.black.pixelThrehsold");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void missingInputIsAUsageError() {
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "--no-progress");

        assertUsageError(r);
        assertThat(r.err).contains("INPUT").contains("vigil analyze --help");
    }

    // ---- helpers

    private static void assertBlackFrom1To3point6(CliResult r, String stream) {
        List<JsonNode> black = r.alarms("black");
        assertThat(black).as(r.toString()).extracting(e -> e.get("status").asText()).containsExactly("firing", "resolved");
        for (JsonNode e : black) {
            assertThat(e.get("stream").asText()).isEqualTo(stream);
            assertThat(e.get("start").asDouble()).as(r.toString()).isCloseTo(1.0, within(FRAME));
        }
        assertThat(black.get(1).get("end").asDouble()).as(r.toString()).isCloseTo(3.6, within(FRAME));
        JsonNode summary = r.events("summary").stream().filter(e -> e.get("stream").asText().equals(stream))
                .findFirst().orElseThrow(() -> new AssertionError("no summary for " + stream + " in " + r));
        assertThat(summary.get("frames").asLong()).isEqualTo(125);
        assertThat(summary.get("mediaSeconds").asDouble()).isCloseTo(5.0, within(FRAME));
        assertThat(summary.get("alarms").get("black").asInt()).isEqualTo(1);
    }

    private static void assertOpenError(JsonNode error, String input, CliResult r) {
        assertThat(error.get("stage").asText()).as(r.toString()).isEqualTo("open");
        assertThat(error.get("input").asText()).isEqualTo(input);
        assertThat(error.get("stream").asText()).isNotBlank();
        assertOneSentence(error.get("message").asText());
        // The contract: an error object on stdout and one clear line on stderr.
        assertThat(r.err.lines()).as(r.toString()).contains("vigil: " + error.get("message").asText());
    }

    private static void assertOneSentence(String message) {
        assertThat(message).isNotBlank().doesNotContain("\n").hasSizeLessThan(400);
    }

    private static void assertUsageError(CliResult r) {
        assertThat(r.exit).as(r.toString()).isEqualTo(2);
        assertThat(r.out).as(r.toString()).isEmpty();
        assertThat(r.err.strip().lines()).as(r.toString()).hasSize(1);
        r.assertNoStackTrace();
    }

    private static CliResult analyze(String... inputsAndFlags) {
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "jsonl", "--no-progress"));
        args.addAll(List.of(inputsAndFlags));
        return CliResult.run(args.toArray(String[]::new));
    }

    private static Process ffmpeg(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static void finish(Process p) throws IOException, InterruptedException {
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", p.info().commandLine().orElse("ffmpeg")) + " failed: " + log);
        }
    }
}
