package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuredCapacityTest {
    @TempDir
    Path dir;

    private final MeasuredCapacity measured = new MeasuredCapacity(9, "1920x1080", "h264", 30, "cuda", "gpu-7",
            Instant.parse("2026-01-31T12:00:00Z"), "0.1.0", "frames dropped at 10 streams");

    @Test
    void whatIsWrittenReadsBack() throws Exception {
        Path file = dir.resolve("sub/capacity.json");
        measured.write(file);
        assertThat(MeasuredCapacity.read(file)).isEqualTo(measured);
        assertThat(Files.readString(file)).contains("\"streams\" : 9", "\"measuredAt\" : \"2026-01-31T12:00:00Z\"");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left").hasSize(1);
        }
    }

    @Test
    void aDevelopmentBuildAndAFullRampHaveNoVersionOrLimit() {
        MeasuredCapacity bare = new MeasuredCapacity(2, "160x90", "mpeg2", 25, "c", "box", Instant.EPOCH, null, null);
        Path file = dir.resolve("c.json");
        bare.write(file);
        assertThat(MeasuredCapacity.read(file)).isEqualTo(bare);
    }

    @Test
    void fieldsItDoesNotKnowAreIgnored() throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, """
                {"streams": 4, "size": "1280x720", "codec": "hevc", "fps": 50, "backend": "java", "host": "h",
                 "measuredAt": "2026-02-01T00:00:00Z", "steps": [1, 2, 3]}
                """);
        assertThat(MeasuredCapacity.read(file).streams()).isEqualTo(4);
    }

    @Test
    void aMissingFileSaysToRunTheBench() {
        Path file = dir.resolve("none.json");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).isInstanceOf(ConfigException.class)
                .hasMessage("No measured capacity at " + file + ": run 'vigil bench' on this host first (it writes"
                        + " that file), or give cluster.maxStreams as a number.");
    }

    @Test
    void aMalformedFileSaysWhatIsWrong() throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"streams\": ");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + " is not JSON (");
        Files.writeString(file, "[1]");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).hasMessage(file
                + " is not a capacity written by 'vigil bench': it is not a JSON object; run 'vigil bench' again to"
                + " rewrite it.");
        Files.writeString(file, "{\"streams\": \"many\", \"size\": \"1x1\"}");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).hasMessageContaining(": streams is not a whole number >= 0;");
        Files.writeString(file, "{\"streams\": 3, \"fps\": 30, \"size\": \"1x1\", \"codec\": \"h264\", \"backend\": \"c\","
                + " \"host\": \"h\"}");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).hasMessageContaining(": measuredAt is missing;");
        Files.writeString(file, "{\"streams\": 3, \"fps\": 30, \"size\": \"1x1\", \"codec\": \"h264\", \"backend\": \"c\","
                + " \"host\": \"h\", \"measuredAt\": \"yesterday\"}");
        assertThatThrownBy(() -> MeasuredCapacity.read(file)).hasMessageContaining(": measuredAt is not an ISO-8601");
    }
}
