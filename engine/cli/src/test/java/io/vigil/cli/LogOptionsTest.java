package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.Ffmpeg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-format json}: every log line on stderr is JSON, FFmpeg's too, and carries the stream's id. */
@Timeout(120)
class LogOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jsonLogLinesParseAndCarryTheStreamIdFfmpegsToo() throws Exception {
        Path clip = dir.resolve("clip.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=4", "-c:v", "mpeg2video", "-slices", "4",
                "-f", "mpegts", clip.toString()));
        byte[] bytes = Files.readAllBytes(clip);
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            bytes[20_000 + random.nextInt(bytes.length - 20_010)] = (byte) random.nextInt(256);
        }
        Path damaged = dir.resolve("damaged.ts");
        Files.write(damaged, bytes);
        ProcessBuilder pb = ChildVigil.builder("analyze", "--log-format", "json", "--log-level", "debug",
                "--format", "jsonl", "--threads", "2", "cam=" + damaged).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("VIGIL_FFMPEG_LOG", "error");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<JsonNode> ffmpeg = new ArrayList<>();
        for (String line : err.lines().toList()) {
            if (line.startsWith("vigil: ")) {
                continue;   // the command's own messages to its user stay plain
            }
            JsonNode n = JSON.readTree(line);   // every other line is one JSON object
            assertThat(n.get("level").asText()).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
            String logger = n.get("logger").asText();
            if (!logger.startsWith("java.") && !logger.startsWith("jdk.")) {
                // Only the JDK's own lines (Runtime.exit at debug) come from no stream's thread here.
                assertThat(n.path("stream").asText()).as(line).isEqualTo("cam");
            }
            if (n.get("logger").asText().equals("ffmpeg")) {
                ffmpeg.add(n);
            }
        }
        assertThat(ffmpeg).as(err).isNotEmpty();
        assertThat(ffmpeg).allSatisfy(n -> assertThat(n.get("message").asText()).startsWith("[mpeg"));
    }

    @Test
    void aBadLogLevelIsAUsageError() {
        CliResult r = CliResult.run("analyze", "--log-level", "loud", "x.ts");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("'loud' is not a log level: use error, warn, info, debug or trace");
        CliResult f = CliResult.run("--log-format", "xml", "detectors");
        assertThat(f.exit).isEqualTo(2);
        assertThat(f.err).contains("'xml' is not a log format: use text or json");
    }
}
