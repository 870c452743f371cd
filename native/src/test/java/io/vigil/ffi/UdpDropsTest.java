package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tapped UDP input counts the datagrams this host dropped before FFmpeg read them: the kernel's (a receive buffer
 * too small for a burst) and FFmpeg's circular buffer's (an overrun, with {@code overrun_nonfatal}), and tells the tap.
 */
class UdpDropsTest {
    @TempDir
    static Path dir;
    static byte[] ts;

    @BeforeAll
    static void clip() throws Exception {
        Path file = dir.resolve("clip.ts");
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-c:v", "mpeg2video", "-b:v", "2M",
                "-f", "mpegts", "-muxrate", "3000000", file.toString());
        ts = Files.readAllBytes(file);
    }

    /** Reads {@code url} until it goes quiet, while a sender paces the first second and blasts the rest. */
    static long[] readWhileBlasting(int port, String query) throws Exception {
        AtomicLong told = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        long[] counted = {0};
        Thread sender = Thread.ofPlatform().start(() -> send(port));
        try (MediaInput in = MediaInput.open("udp://127.0.0.1:" + port + "?" + query,
                new DecodeOptions(1, Duration.ofMillis(1500)), m -> m.tapBytes(new ByteTap() {
                    @Override
                    public void bytes(long position, java.lang.foreign.MemorySegment data) {
                    }

                    @Override
                    public void ingestChecked(long droppedDatagrams, long bufferedBytes) {
                        told.addAndGet(droppedDatagrams);
                        calls.incrementAndGet();
                    }
                }))) {
            try {
                in.readAll(new MediaSink() {
                    @Override
                    public void onVideo(VideoFrame f) {
                    }

                    @Override
                    public void onAudio(AudioBlock b) {
                    }
                });
            } catch (MediaException timedOut) {
                // A live input ends when it goes quiet.
            }
            counted[0] = in.ingestDrops();
        }
        sender.join();
        return new long[] {counted[0], told.get(), calls.get()};
    }

    static void send(int port) {
        try (DatagramSocket out = new DatagramSocket()) {
            InetAddress to = InetAddress.getLoopbackAddress();
            waitForReader(port);
            int paced = ts.length / 4 / 1316;
            int k = 0;
            for (int i = 0; i + 1316 <= ts.length; i += 1316, k++) {
                out.send(new DatagramPacket(ts, i, 1316, to, port));
                if (k < paced) {
                    Thread.sleep(0, 500_000);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until a socket on {@code port} is listed in /proc/net/udp (the reader has bound it). */
    static void waitForReader(int port) throws Exception {
        String hex = ":" + HexFormat.of().withUpperCase().toHexDigits((short) port);
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            if (Files.readString(Path.of("/proc/net/udp")).contains(hex + " ")) {
                Thread.sleep(100);
                return;
            }
            Thread.sleep(20);
        }
    }

    static int freePort() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void theKernelsDropsOfASmallReceiveBufferAreCountedAndTold() throws Exception {
        long[] r = readWhileBlasting(freePort(), "fifo_size=0&buffer_size=8192");
        assertThat(r[0]).as("counted").isPositive();
        assertThat(r[1]).as("told to the tap").isEqualTo(r[0]);
        assertThat(r[2]).as("polls").isGreaterThan(1);
    }

    @Test
    void circularBufferOverrunsAreCountedWhenNonFatal() throws Exception {
        long[] r = readWhileBlasting(freePort(), "fifo_size=40&overrun_nonfatal=1&buffer_size=4194304");
        assertThat(r[0]).as("counted").isPositive();
        assertThat(r[1]).as("told to the tap").isEqualTo(r[0]);
    }
}
