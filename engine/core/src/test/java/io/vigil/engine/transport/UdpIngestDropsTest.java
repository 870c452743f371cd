package io.vigil.engine.transport;

import static io.vigil.engine.transport.Tr101290ClipTest.checksRaised;
import static io.vigil.engine.transport.Tr101290ClipTest.transport;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.VigilConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UDP input whose host drops datagrams (a receive buffer too small for a burst) counts them as ingest drops and
 * raises no Continuity_count_error for the gaps they leave; a sender that itself skips packets (gaps in the stream
 * as sent) does raise it, with no ingest drops.
 */
class UdpIngestDropsTest {
    private static final int DATAGRAM = 7 * 188;
    @TempDir
    static Path dir;
    static byte[] clean;

    @BeforeAll
    static void clip() throws Exception {
        clean = TsPackets.make(dir, 4);
    }

    /**
     * Analyses udp://127.0.0.1:port{@code query} while {@code ts} is sent to it: the first {@code pacedShare} at about
     * twice its rate (so that the open's probe sees a whole start), the rest as fast as the sender can.
     */
    static List<Event> analyseWhileSending(byte[] ts, String query, double pacedShare) throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<Event> events = new CopyOnWriteArrayList<>();
        int p = port;
        Thread sender = Thread.ofPlatform().start(() -> send(ts, p, pacedShare));
        Analysis.run("udp://127.0.0.1:" + port + query, "udp",
                VigilConfig.defaults().withIoTimeout(Duration.ofMillis(1500)), events::add, null, n -> { });
        sender.join();
        EventInvariants.assertComplete(new ArrayList<>(events));
        return events;
    }

    static void send(byte[] ts, int port, double pacedShare) {
        try (DatagramSocket out = new DatagramSocket()) {
            InetAddress to = InetAddress.getLoopbackAddress();
            waitForReader(port);
            int datagrams = ts.length / DATAGRAM;
            int paced = (int) (datagrams * pacedShare);
            // The clip is 2 Mbit/s: 190 datagrams a second; 20 every 50 ms is about twice that.
            for (int k = 0; k < datagrams; k++) {
                out.send(new DatagramPacket(ts, k * DATAGRAM, DATAGRAM, to, port));
                if (k < paced && k % 20 == 19) {
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until a socket on {@code port} is listed in /proc/net/udp: the reader has bound it. */
    static void waitForReader(int port) throws Exception {
        String hex = ":" + HexFormat.of().withUpperCase().toHexDigits((short) port) + " ";
        long until = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < until && !Files.readString(Path.of("/proc/net/udp")).contains(hex)) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
    }

    @Test
    void datagramsTheKernelDropsAreIngestDropsNotContinuityErrors() throws Exception {
        // No FFmpeg circular buffer, and a socket buffer of a few datagrams: a burst overruns it.
        List<Event> events = analyseWhileSending(clean, "?fifo_size=0&buffer_size=8192", 0.3);
        Event.Transport figures = transport(events);
        System.out.println("ingest drops: " + figures + " of " + clean.length / DATAGRAM + " datagrams sent");
        assertThat(figures.ingestDrops()).as("datagrams dropped by the kernel").isPositive();
        // The bytes that came had the gaps: fewer packets than were sent.
        assertThat(figures.packets()).isLessThan(clean.length / 188);
        assertThat(checksRaised(events)).isEmpty();
        assertThat(figures.errors()).isEmpty();
    }

    @Test
    void packetsTheSenderSkipsAreContinuityErrorsNotIngestDrops() throws Exception {
        TsPackets ts = new TsPackets(clean);
        int removed = 0;
        for (int i = ts.packetAt(1.5); removed < 3; i += 200) {
            if (TsPackets.pid(ts.packets.get(i)) == TsPackets.VIDEO_PID) {
                ts.packets.remove(i);
                removed++;
            }
        }
        List<Event> events = analyseWhileSending(ts.bytes(), "", 1.0);
        Event.Transport figures = transport(events);
        assertThat(figures.ingestDrops()).isZero();
        assertThat(checksRaised(events)).contains("Continuity_count_error");
        assertThat(figures.errors().get("Continuity_count_error")).containsEntry("256", 3L);
    }
}
