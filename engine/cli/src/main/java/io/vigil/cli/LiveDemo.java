package io.vigil.cli;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.pipeline.SyntheticClip;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The live demo's sources: synthetic channels made in this process, each a live HLS stream (a moving picture and a
 * tone, encoded through FFmpeg's libraries by {@link SyntheticClip} in real time) served over HTTP on loopback, with a
 * defect now and then on a fixed cycle so that each kind shows up on the wall: black, a frozen picture, silence,
 * clipped sound. Channels are staggered so that something is always going on somewhere.
 */
final class LiveDemo implements AutoCloseable {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int FPS = 25;
    static final int SAMPLE_RATE = 48_000;
    /** A keyframe (and an HLS segment) every 3 s; the freeze lies inside one group of pictures, as a real freeze
     * does, so that no re-encoded keyframe breaks its bit-identical pictures. */
    static final int KEYFRAME_FRAMES = 3 * FPS;
    static final int CYCLE_SECONDS = 60;
    /** Segment files kept on disk per channel (the playlist names the last five). */
    static final int SEGMENTS_KEPT = 12;

    /** One defect of the cycle: what, from and to (seconds into the cycle). */
    record Defect(String detector, double fromSeconds, double toSeconds) {
        boolean covers(double cycleSeconds) {
            return cycleSeconds >= fromSeconds && cycleSeconds < toSeconds;
        }
    }

    static final List<Defect> CYCLE = List.of(
            new Defect("black", 9, 14),
            new Defect("freeze", 24, 24 + (KEYFRAME_FRAMES - 1) / (double) FPS),
            new Defect("silence", 36, 41),
            new Defect("clipping", 48, 52));

    private final Path dir;
    private final HttpServer http;
    private final List<Channel> channels = new ArrayList<>();

    /** Starts {@code count} channels writing under {@code dir} and serves them; {@link #urls()} names them. */
    LiveDemo(Path dir, int count) throws IOException {
        this.dir = dir;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            try (exchange) {
                Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                byte[] body = file.startsWith(dir) && Files.isRegularFile(file) ? readQuietly(file) : null;
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type",
                        file.toString().endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        http.start();
        for (int i = 0; i < count; i++) {
            String id = String.format(Locale.ROOT, "channel-%d", i + 1);
            // Staggered: channel i is i/count of a cycle ahead.
            Channel c = new Channel(id, Files.createDirectories(dir.resolve(id)), i, (double) CYCLE_SECONDS * i / count);
            channels.add(c);
            c.thread.start();
        }
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            // deleted between the check and the read (an old segment): as good as missing
            return null;
        }
    }

    /**
     * Stream id -> URL of each channel's playlist. Waits (up to 15 s) until every playlist exists: the first one is
     * written with the first segment, a keyframe interval after the start, and a stream added before that would
     * begin with failed opens and reconnects.
     */
    List<String[]> urls() {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline
                && !channels.stream().allMatch(c -> Files.isRegularFile(c.dir.resolve("live.m3u8")))) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String[]> out = new ArrayList<>();
        for (Channel c : channels) {
            out.add(new String[] {c.id, "http://127.0.0.1:" + http.getAddress().getPort() + "/" + c.id + "/live.m3u8"});
        }
        return out;
    }

    @Override
    public void close() {
        channels.forEach(c -> c.running = false);
        for (Channel c : channels) {
            try {
                c.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        http.stop(0);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is no reason to fail the shutdown
        }
    }

    /** One synthetic channel: paints, encodes and paces itself in real time on its own thread. */
    private static final class Channel {
        final String id;
        final Path dir;
        final int hue;
        final double phaseSeconds;
        final Thread thread;
        volatile boolean running = true;
        private final byte[] row = new byte[WIDTH];
        private final byte[] chromaU = new byte[WIDTH / 2];
        private final byte[] chromaV = new byte[WIDTH / 2];

        Channel(String id, Path dir, int index, double phaseSeconds) {
            this.id = id;
            this.dir = dir;
            this.hue = index * 37;
            this.phaseSeconds = phaseSeconds;
            this.thread = Thread.ofPlatform().daemon().name("vigil-demo-" + id).unstarted(this::run);
        }

        private void run() {
            int samplesPerFrame = SAMPLE_RATE / FPS;
            float[][] audio = {new float[samplesPerFrame], new float[samplesPerFrame]};
            long started = System.nanoTime();
            // The cycle starts where the phase says, rounded to a group of pictures so the freeze stays inside one.
            long firstFrame = Math.round(phaseSeconds * FPS / KEYFRAME_FRAMES) * KEYFRAME_FRAMES;
            try (SyntheticClip writer = SyntheticClip.create(dir.resolve("live.m3u8"), WIDTH, HEIGHT, FPS, SAMPLE_RATE, 2,
                    KEYFRAME_FRAMES)) {
                long frozenAt = -1;
                for (long f = 0; running; f++) {
                    long due = started + f * 1_000_000_000L / FPS;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    long cycleFrame = (firstFrame + f) % ((long) CYCLE_SECONDS * FPS);
                    double t = (double) cycleFrame / FPS;
                    boolean black = defect("black", t);
                    if (defect("freeze", t)) {
                        frozenAt = frozenAt < 0 ? f : frozenAt;
                    } else {
                        frozenAt = -1;
                    }
                    long shown = frozenAt >= 0 ? frozenAt : f;
                    writer.writeVideo((index, y, ys, u, v, cs) -> paint(shown, black, y, ys, u, v, cs));
                    boolean silent = defect("silence", t);
                    boolean clipped = defect("clipping", t);
                    for (int i = 0; i < samplesPerFrame; i++) {
                        long n = f * samplesPerFrame + i;
                        double s = Math.sin(2 * Math.PI * (330 + 55 * (hue % 4)) * n / SAMPLE_RATE);
                        // -23 dBFS (R 128's target), or driven 12 dB past full scale and cut flat (AAC's ripple
                        // leaves milder clipping short of the detector's runs at full scale).
                        float sample = silent ? 0f : clipped ? (float) Math.clamp(4 * s, -1, 1) : (float) (0.1 * s);
                        audio[0][i] = sample;
                        audio[1][i] = sample;
                    }
                    writer.writeAudio(audio, samplesPerFrame);
                    if (f % KEYFRAME_FRAMES == 0) {
                        Files.deleteIfExists(dir.resolve("live" + (f / KEYFRAME_FRAMES - SEGMENTS_KEPT) + ".ts"));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                System.err.println("vigil demo: channel " + id + " stopped: " + e.getMessage());
            }
        }

        private void paint(long frame, boolean black, MemorySegment y, int yStride, MemorySegment u, MemorySegment v,
                           int cStride) {
            for (int r = 0; r < HEIGHT; r++) {
                for (int x = 0; x < WIDTH; x++) {
                    row[x] = (byte) (black ? 16 : 50 + (int) ((x + r / 2 + 3 * frame + hue) % 128)
                            + ((r / 60 + x / 80) % 2) * 40);
                }
                MemorySegment.copy(row, 0, y, ValueLayout.JAVA_BYTE, (long) r * yStride, WIDTH);
            }
            for (int r = 0; r < HEIGHT / 2; r++) {
                for (int x = 0; x < WIDTH / 2; x++) {
                    chromaU[x] = (byte) (black ? 128 : 90 + (x + hue + frame) % 60);
                    chromaV[x] = (byte) (black ? 128 : 160 - (r + hue) % 50);
                }
                MemorySegment.copy(chromaU, 0, u, ValueLayout.JAVA_BYTE, (long) r * cStride, WIDTH / 2);
                MemorySegment.copy(chromaV, 0, v, ValueLayout.JAVA_BYTE, (long) r * cStride, WIDTH / 2);
            }
        }

        private static boolean defect(String detector, double cycleSeconds) {
            for (Defect d : CYCLE) {
                if (d.detector().equals(detector) && d.covers(cycleSeconds)) {
                    return true;
                }
            }
            return false;
        }
    }
}
