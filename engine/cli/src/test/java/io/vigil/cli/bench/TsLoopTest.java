package io.vigil.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsLoopTest {
    private static final int FPS = 25;
    @TempDir
    static Path dir;
    private static TsLoop loop;

    @BeforeAll
    static void makeClip() throws IOException {
        assumeThat(Path.of("/usr/bin/ffmpeg")).as("Debian's ffmpeg").isExecutable();
        Path clip = BenchClip.make(Path.of("/usr/bin/ffmpeg"), new ClipSpec(160, 90, "h264", FPS), dir);
        loop = TsLoop.parse(Files.readAllBytes(clip), BenchClip.SECONDS);
    }

    @Test
    void packetsAreDueAtTheirPcrTimeAndEachLoopOneClipLater() {
        long last = -1;
        for (long g = 0; g < loop.packets(); g++) {
            assertThat(loop.dueNanos(g)).isGreaterThanOrEqualTo(last);
            last = loop.dueNanos(g);
        }
        // A constant mux rate spreads one loop over the clip's length.
        assertThat(loop.dueNanos(loop.packets() - 1) / 1e9).isBetween(BenchClip.SECONDS - 1.0, BenchClip.SECONDS + 1.0);
        assertThat(loop.dueNanos(loop.packets() + 5) - loop.dueNanos(5)).isEqualTo(BenchClip.SECONDS * 1_000_000_000L);
        // A keyframe every second: the join point after 6 s is due within a second of it.
        assertThat(loop.dueNanos(loop.joinPointAt(6.0)) / 1e9).isBetween(6.0, 7.0);
        assertThat(loop.joinPointAt(BenchClip.SECONDS + 1.0)).isEqualTo(loop.joinPointAt(0));
    }

    @Test
    void loopsPlayAsOneStreamWithoutAGapOrAContinuityError() throws Exception {
        // Three loops as a receiver would get them, joined at the keyframe after 5 s of the first.
        Path played = dir.resolve("played.ts");
        int first = loop.joinPointAt(5.0);
        long packets = 3L * loop.packets() - first;
        ByteBuffer datagram = ByteBuffer.allocate(TsLoop.DATAGRAM_BYTES);
        try (OutputStream out = Files.newOutputStream(played)) {
            for (long g = first; g < first + packets; g += TsLoop.PACKETS_PER_DATAGRAM) {
                loop.datagram(g, datagram, loop.soundStart(first));
                out.write(datagram.array(), 0, datagram.limit());
            }
        }
        List<String> log = new ArrayList<>();
        List<String> frames = ffprobe(played, log, "-select_streams", "v", "-show_entries", "packet=pts",
                "-of", "csv=p=0");
        List<Long> pts = frames.stream().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.trim().split(",")[0])).sorted()
                .toList();
        long frameTicks = 90_000 / FPS;
        // From the first keyframe after the join to the end: every frame, one frame apart, across two loop seams.
        assertThat(pts.size()).isGreaterThan(2 * BenchClip.SECONDS * FPS);
        for (int i = 1; i < pts.size(); i++) {
            assertThat(pts.get(i) - pts.get(i - 1)).as("video pts step at frame %d", i).isEqualTo(frameTicks);
        }
        List<String> firstVideo = ffprobe(played, log, "-select_streams", "v", "-show_entries", "packet=pts,flags",
                "-of", "csv=p=0", "-read_intervals", "%+#1");
        assertThat(firstVideo.getFirst()).as("the first picture after the join").contains("K");
        List<String> audio = ffprobe(played, log, "-select_streams", "a", "-show_entries", "packet=pts,duration",
                "-of", "csv=p=0");
        // Sound starts with the picture, within an audio frame (24 ms), not before it.
        long firstAudio = Long.parseLong(audio.getFirst().trim().split(",")[0]);
        long firstPicture = Long.parseLong(firstVideo.getFirst().trim().split(",")[0]);
        assertThat(firstAudio - firstPicture).as("audio start - picture start, 90 kHz").isBetween(0L, 2160L);
        long expect = -1;
        for (String line : audio) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(",");
            long p = Long.parseLong(f[0]);
            if (expect >= 0) {
                assertThat(p).as("audio pts").isEqualTo(expect);
            }
            expect = p + Long.parseLong(f[1]);
        }
        assertThat(String.join("\n", log)).doesNotContainIgnoringCase("continuity check failed")
                .doesNotContainIgnoringCase("corrupt");
    }

    private static List<String> ffprobe(Path file, List<String> log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "debug"));
        cmd.addAll(List.of(args));
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("ffprobe.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        log.addAll(Files.readAllLines(dir.resolve("ffprobe.log")));
        return out.lines().toList();
    }

    @Test
    void anOnAirSourceSendsAtOnceFromItsPacketWhetherOrNotAnyoneListens() throws Exception {
        int first = loop.joinPointAt(3.0) + 5;
        try (LiveSource unheard = LiveSource.onAir(loop, LiveSource.freePort(), first, "unheard")) {
            // Its sending thread's first datagram, whenever a loaded machine runs it (a fixed 300 ms was a guess).
            io.vigil.server.live.LiveSources.awaitTrue(java.time.Duration.ofSeconds(10), "a datagram sent unheard",
                    () -> unheard.datagramsSent() > 0);
        }
        try (DatagramChannel receiver = DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                LiveSource source = LiveSource.onAir(loop, receiver.socket().getLocalPort(), first, "heard")) {
            ByteBuffer got = ByteBuffer.allocate(TsLoop.DATAGRAM_BYTES);
            receiver.receive(got);
            ByteBuffer expected = ByteBuffer.allocate(TsLoop.DATAGRAM_BYTES);
            loop.datagram(first, expected, first);
            // Mid-GOP, sound and all: the packets of the clip from where it was told, as they are.
            assertThat(got.flip()).isEqualTo(expected);
        }
    }
}
