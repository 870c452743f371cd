package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Ffmpeg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output contract, byte for byte: {@code vigil analyze --detectors all} on clips with many defects at known
 * times prints exactly the JSON lines recorded in {@code golden/analyze-all.jsonl} (less the summaries'
 * {@code elapsedSeconds}, the one wall-clock figure). A refactoring that changes what any detector reports fails here.
 * After an intended change, record the new output with {@code -Dvigil.golden.update=true} and review the diff.
 */
class GoldenOutputTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/analyze-all.jsonl");

    @TempDir
    static Path dir;
    static List<Path> clips = new ArrayList<>();

    @BeforeAll
    static void makeClips() throws Exception {
        // Picture: black 2..6 s, frozen 6..9 s (frames 150..225 repeat frame 150), blurred from 10 s.
        // Sound: a 440 Hz tone, silent 3..8 s (with black: signal_loss), hard-clipped (x20) from 9 s.
        clips.add(encode("programme.mkv", List.of(
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=13",
                "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=13",
                "-filter_complex",
                "[0:v]drawbox=c=black:t=fill:enable='between(t,2,5.99)',split[p][q];"
                        + "[p][q]freezeframes=first=150:last=225:replace=150,gblur=sigma=6:enable='gte(t,10)'[v];"
                        + "[1:a]volume=0:enable='between(t,3,8)',volume=20:enable='gte(t,9)',"
                        + "pan=stereo|c0=c0|c1=c0[a]",
                "-map", "[v]", "-map", "[a]")));
        // Bars for 4 s then programme, letterboxed from 7 s; the sound is out of phase (right = -left) for its
        // first 5 s, then loses its right channel, and carries a DC offset from 7 s.
        clips.add(encode("bars.mkv", List.of(
                "-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=4",
                "-f", "lavfi", "-i", "mandelbrot=s=320x240:r=25",
                "-f", "lavfi", "-i", "sine=f=1000:sample_rate=48000:d=12",
                "-filter_complex",
                "[0:v][1:v]concat=n=2:v=1:a=0,drawbox=y=0:h=32:c=black:t=fill:enable='gte(t,7)',"
                        + "drawbox=y=208:h=32:c=black:t=fill:enable='gte(t,7)'[v];"
                        + "[2:a]pan=stereo|c0=c0|c1=-1*c0,"
                        + "aeval=val(0)+if(gte(t\\,7)\\,0.05\\,0)|if(lt(t\\,5)\\,val(1)\\,0):c=same[a]",
                "-map", "[v]", "-map", "[a]", "-t", "12")));
        // Blocking: MPEG-2 at 100 kb/s, no audio.
        clips.add(run("blocky.ts", List.of(
                "-f", "lavfi", "-i", "mandelbrot=s=640x360:r=25", "-t", "5",
                "-c:v", "mpeg2video", "-b:v", "100k", "-threads", "1", "-bitexact")));
        // Flashing (white 5 times a second) 1..3 s; the sound starts half a second after the picture.
        clips.add(encode("flash.mkv", List.of(
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6",
                "-itsoffset", "0.5", "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=5.5",
                "-vf", "drawbox=c=white:t=fill:enable='lt(mod(t,0.4),0.2)*between(t,1,3)'",
                "-ac", "2")));
    }

    /** x264 with one thread and PCM audio in Matroska: the same bytes on every run. */
    private static Path encode(String name, List<String> args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-pix_fmt", "yuv420p",
                "-c:a", "pcm_s16le", "-bitexact"));
        return run(name, all);
    }

    private static Path run(String name, List<String> args) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        List<String> all = new ArrayList<>(args);
        all.add(out.toString());
        Ffmpeg.run(all);
        return out;
    }

    @Test
    void analyzeAllIsByteIdenticalToTheRecordedOutput() throws IOException {
        StringBuilder actual = new StringBuilder();
        for (Path clip : clips) {
            CliResult r = CliResult.run("analyze", "--detectors", "all", "--format", "jsonl", "--backend", "cpu",
                    "--no-progress", clip.toString());
            assertThat(r.exit).as(r.toString()).isZero();
            for (String line : r.out.lines().toList()) {
                actual.append(line.replace(dir.toString(), "TMP")
                        .replaceAll("\"elapsedSeconds\":[0-9.eE+-]+,?", "")).append('\n');
            }
        }
        if (Boolean.getBoolean("vigil.golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual.toString()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }
}
