package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.server.config.MeasuredCapacity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void aTinyRampTakesTwoStepsAndSavesTheCapacity() throws Exception {
        Path saved = dir.resolve("capacity.json");
        CliResult r = CliResult.run("bench", "--size", "160x90", "--codec", "h264", "--fps", "25",
                "--step-seconds", "1", "--max-streams", "2", "--backend", "cpu", "--format", "json",
                "--save", saved.toString());
        assertThat(r.exit).as(r.toString()).isZero();
        r.assertNoStackTrace();
        JsonNode json = new ObjectMapper().readTree(r.out);
        for (String field : new String[] {"streams", "size", "codec", "fps", "backend", "host", "measuredAt",
                "steps"}) {
            assertThat(json.has(field)).as("field %s in %s", field, r).isTrue();
        }
        assertThat(json.path("size").asText()).isEqualTo("160x90");
        assertThat(json.path("codec").asText()).isEqualTo("h264");
        assertThat(json.path("fps").asInt()).isEqualTo(25);
        assertThat(json.path("backend").asText()).isEqualTo("cpu");
        // limitedBy says why the ramp stopped short of --max-streams, and is absent when it did not.
        assertThat(json.has("limitedBy")).isEqualTo(json.path("streams").asInt() < 2);
        JsonNode steps = json.path("steps");
        assertThat(steps.size()).as("steps in %s", r).isEqualTo(2);
        assertThat(steps.get(0).path("streams").asInt()).isEqualTo(1);
        assertThat(steps.get(1).path("streams").asInt()).isEqualTo(2);
        assertThat(steps.get(0).path("slowestFps").asDouble()).isBetween(20.0, 30.0);
        assertThat(steps.get(0).path("droppedFrames").asLong()).isZero();
        assertThat(r.err).contains("vigil bench:   1 stream ", "vigil bench:   2 streams", "saved to " + saved);

        MeasuredCapacity m = MeasuredCapacity.read(saved);
        assertThat(m.streams()).isEqualTo(json.path("streams").asInt());
        assertThat(m.size()).isEqualTo("160x90");
        assertThat(m.codec()).isEqualTo("h264");
        assertThat(m.fps()).isEqualTo(25);
        assertThat(m.backend()).isEqualTo("cpu");
        assertThat(m.host()).isNotBlank();
    }

    @Test
    void badFlagsAreOneLineAndExitCode2() {
        CliResult size = CliResult.run("bench", "--size", "7x5", "--no-save");
        assertThat(size.exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(size.err.strip()).isEqualTo("vigil: --size, --codec or --fps: the size must be even, 16 to 8192"
                + " pixels each way, got 7x5.");
        CliResult codec = CliResult.run("bench", "--codec", "vp9", "--no-save");
        assertThat(codec.exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(codec.err).contains("the codec must be one of h264, hevc, mpeg2, got vp9");
        CliResult step = CliResult.run("bench", "--step-seconds", "0", "--no-save");
        assertThat(step.exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(step.err).contains("--step-seconds must be between 1 and 3600");
    }
}
