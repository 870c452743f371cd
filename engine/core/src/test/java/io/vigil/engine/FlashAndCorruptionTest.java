package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flashing pictures (BT.1702's general flashes) and pictures the decoder reports broken. */
class FlashAndCorruptionTest {
    @TempDir
    static Path dir;
    static Path flashing;
    static Path oneFlash;
    static Path clean;
    static Path damaged;

    @BeforeAll
    static void makeClips() throws Exception {
        flashing = dir.resolve("flashing.mkv");
        oneFlash = dir.resolve("one-flash.mkv");
        clean = dir.resolve("clean.ts");
        damaged = dir.resolve("damaged.ts");
        String src = "testsrc2=s=320x240:r=25:d=8";
        // White full frames for 4 frames out of every 8 from 3 s to 5 s: about 6 flashes a second.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src + ",drawbox=enable='between(t,3,5)*lt(mod(n,8),4)':color=white:t=fill",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", flashing.toString()));
        // One white frame (a camera flash): not a hazard.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src + ",drawbox=enable='eq(n,100)':color=white:t=fill",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", oneFlash.toString()));
        Ffmpeg.run(List.of("-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "25", "-f", "mpegts", clean.toString()));
        damage(clean, damaged);
    }

    /**
     * Flips bytes in the payload of MPEG-TS packets of the video PID in the middle third of the file, as a bad link
     * would; the packet headers stay intact, so the demuxer goes on and the decoder meets the damage.
     */
    static void damage(Path in, Path out) throws Exception {
        byte[] ts = Files.readAllBytes(in);
        Random random = new Random(42);
        int packets = ts.length / 188;
        for (int p = packets / 3; p < 2 * packets / 3; p++) {
            int at = p * 188;
            int pid = ((ts[at + 1] & 0x1F) << 8) | (ts[at + 2] & 0xFF);
            boolean payloadStart = (ts[at + 1] & 0x40) != 0;
            if (pid == 0x100 && !payloadStart && random.nextInt(4) == 0) {
                for (int k = 0; k < 8; k++) {
                    ts[at + 20 + random.nextInt(160)] ^= (byte) (1 + random.nextInt(255));
                }
            }
        }
        Files.write(out, ts);
    }

    static List<Event.Alarm> resolved(Path clip, String detector) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "v", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void flashingIsAHazard() {
        List<Event.Alarm> flash = resolved(flashing, "flash");
        assertThat(flash).hasSize(1);
        assertThat(flash.getFirst().start()).isCloseTo(3.0, offset(0.2));
        assertThat(flash.getFirst().end()).isCloseTo(5.0, offset(0.4));
    }

    @Test
    void oneFlashOrMovingPicturesAreNot() {
        assertThat(resolved(oneFlash, "flash")).isEmpty();
        assertThat(resolved(clean, "flash")).isEmpty();
    }

    @Test
    void damagedPacketsRaiseCorruptionWhereTheyAre() {
        List<Event.Alarm> corruption = resolved(damaged, "corruption");
        assertThat(corruption).isNotEmpty();
        assertThat(corruption.getFirst().start()).isBetween(1.5, 6.5);
        assertThat(resolved(clean, "corruption")).isEmpty();
    }
}
