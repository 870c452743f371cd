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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An rtp:// input of MPEG-TS (payload type 33) gets the TR 101 290 checks: FFmpeg's rtp_mpegts sender is analysed
 * clean, packets lost before vigil (sequence numbers skipped) are counted as rtpLost and raise no
 * Continuity_count_error; another payload type is read as before, unchecked.
 */
class RtpTransportTest {
    private static final int TS_PER_PACKET = 7;
    @TempDir
    static Path dir;
    static byte[] clean;

    @BeforeAll
    static void clip() throws Exception {
        clean = TsPackets.make(dir, 3);
    }

    /** A free even port whose next one (RTCP's) is free too. */
    static int rtpPort() throws Exception {
        for (int tries = 0; tries < 50; tries++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort() & ~1;
            }
            try (DatagramSocket rtp = new DatagramSocket(port, InetAddress.getLoopbackAddress());
                 DatagramSocket rtcp = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (java.net.SocketException taken) {
                // another try
            }
        }
        throw new IllegalStateException("no free pair of UDP ports");
    }

    static List<Event> analyse(int port, Runnable sender) throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread sending = Thread.ofPlatform().start(sender);
        Analysis.run("rtp://127.0.0.1:" + port, "rtp",
                VigilConfig.defaults().withIoTimeout(Duration.ofMillis(1500)), events::add, null, n -> { });
        sending.join();
        EventInvariants.assertComplete(new ArrayList<>(events));
        return events;
    }

    @Test
    void ffmpegsRtpMpegtsIsAnalysedCleanWithNothingLost() throws Exception {
        int port = rtpPort();
        List<Event> events = analyse(port, ffmpegSends(port, "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", "800k", "-f", "rtp_mpegts"));
        Event.Transport figures = transport(events);
        assertThat(figures).as("the transport stream inside the RTP packets was analysed").isNotNull();
        assertThat(figures.packets()).isGreaterThan(1000);
        assertThat(figures.rtpLost()).isZero();
        assertThat(figures.ingestDrops()).isNull();
        assertThat(checksRaised(events)).isEmpty();
        assertThat(figures.errors()).isEmpty();
    }

    static Runnable ffmpegSends(int port, String... arguments) {
        return () -> {
            try {
                UdpIngestDropsTest.waitForReader(port);
                List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-re"));
                command.addAll(List.of(arguments));
                command.add("rtp://127.0.0.1:" + port);
                Process ffmpeg = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!ffmpeg.waitFor(20, TimeUnit.SECONDS)) {
                    ffmpeg.destroyForcibly();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void anotherPayloadTypeIsReadByFfmpegsRtpDemuxerUnchecked() throws Exception {
        int port = rtpPort();
        // MPEG audio: RTP payload type 14.
        List<Event> events = analyse(port, ffmpegSends(port, "-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "mp2",
                "-f", "rtp"));
        Event.Summary summary = Tr101290ClipTest.summary(events);
        assertThat(summary.audioSamples()).as("decoded as before").isPositive();
        assertThat(summary.transport()).isNull();
    }

    @Test
    void sequenceGapsAreRtpLostNotContinuityErrors() throws Exception {
        int port = rtpPort();
        Set<Integer> skipped = Set.of(300, 301, 302, 450); // of about 570 packets
        List<Event> events = analyse(port, () -> sendRtp(port, skipped));
        Event.Transport figures = transport(events);
        assertThat(figures.rtpLost()).isEqualTo(skipped.size());
        assertThat(figures.packets()).isEqualTo(clean.length / 188 - skipped.size() * TS_PER_PACKET);
        assertThat(checksRaised(events)).isEmpty();
        assertThat(figures.errors()).isEmpty();
    }

    /** Sends the clip as RTP (payload type 33, sequence numbers from 65000: across the wrap), leaving out some. */
    static void sendRtp(int port, Set<Integer> skipped) {
        try (DatagramSocket out = new DatagramSocket()) {
            InetAddress to = InetAddress.getLoopbackAddress();
            UdpIngestDropsTest.waitForReader(port);
            int payload = TS_PER_PACKET * 188;
            for (int k = 0; k * payload < clean.length; k++) {
                int length = Math.min(payload, clean.length - k * payload);
                byte[] packet = new byte[12 + length];
                int sequence = (65_000 + k) & 0xFFFF;
                long timestamp = k * 3600L;
                packet[0] = (byte) 0x80;
                packet[1] = 33;
                packet[2] = (byte) (sequence >> 8);
                packet[3] = (byte) sequence;
                for (int i = 0; i < 4; i++) {
                    packet[4 + i] = (byte) (timestamp >> (24 - 8 * i));
                }
                packet[8] = 0x12;
                packet[11] = 0x34;
                System.arraycopy(clean, k * payload, packet, 12, length);
                if (!skipped.contains(k)) {
                    out.send(new DatagramPacket(packet, packet.length, to, port));
                }
                // The clip is 2 Mbit/s: 190 packets a second; 20 every 50 ms is about twice that.
                if (k % 20 == 19) {
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
