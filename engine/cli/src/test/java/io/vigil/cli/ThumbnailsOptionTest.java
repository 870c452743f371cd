package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.engine.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil analyze --thumbnails DIR}: the folder is made, the path goes out in the events; a bad folder is exit 2. */
class ThumbnailsOptionTest {
    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("black.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5,drawbox=enable='gte(t,1)*lt(t,4)':color=black:t=fill",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=5",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", clip.toString()));
    }

    @Test
    void theBlackAlarmCarriesItsThumbnailInBothEvents() {
        Path thumbs = dir.resolve("new").resolve("thumbs");
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "--thumbnails", thumbs.toString(), clip.toString());
        assertThat(r.exit).as(r.toString()).isZero();
        r.assertNoStackTrace();
        List<JsonNode> black = r.alarms("black");
        assertThat(black).hasSize(2);
        String expected = thumbs.resolve("black.mkv-black-1000.jpg").toString();
        assertThat(black).allSatisfy(e -> assertThat(e.path("thumbnail").asText()).isEqualTo(expected));
        assertThat(Path.of(expected)).isRegularFile();
    }

    @Test
    void withoutTheFlagThereIsNoThumbnailField() {
        CliResult r = CliResult.run("analyze", "--format", "jsonl", clip.toString());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.alarms("black")).hasSize(2).allSatisfy(e -> assertThat(e.has("thumbnail")).isFalse());
    }

    @Test
    void aFolderThatCannotBeMadeIsABadCommandLine() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "--thumbnails", file.resolve("thumbs").toString(),
                clip.toString());
        assertThat(r.exit).as(r.toString()).isEqualTo(2);
        assertThat(r.err).contains("--thumbnails").contains("Cannot write thumbnails to " + file.resolve("thumbs"));
        assertThat(r.err.lines().count()).isEqualTo(1);
        assertThat(r.events).isEmpty();
        r.assertNoStackTrace();
    }
}
