package io.vigil.server.http;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real live source for the API and dashboard tests: Debian's ffmpeg sending MPEG-TS over UDP to loopback in real
 * time ({@code -re}), 640x360 25 fps testsrc2 with a 440 Hz tone, the picture black from {@code blackFromSeconds} to
 * {@code blackToSeconds} after ffmpeg starts (a full-frame black box, so the stream itself never pauses).
 */
final class LiveUdpSource implements AutoCloseable {
    final int port;
    final long startedNanos;
    private final Process process;

    private LiveUdpSource(int port, Process process) {
        this.port = port;
        this.process = process;
        this.startedNanos = System.nanoTime();
    }

    static LiveUdpSource start(double blackFromSeconds, double blackToSeconds, Path log) throws IOException {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error",
                "-re", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25",
                "-f", "lavfi", "-i", "sine=f=440:r=48000",
                "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t," + blackFromSeconds + ","
                        + blackToSeconds + ")'",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "mp2", "-b:a", "128k", "-f", "mpegts",
                "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new LiveUdpSource(port, p);
    }

    String url() {
        return "udp://127.0.0.1:" + port;
    }

    /** Seconds since ffmpeg started (its {@code t}, give or take its start-up). */
    double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
