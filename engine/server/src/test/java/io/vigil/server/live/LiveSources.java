package io.vigil.server.live;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.server.EventHub;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Real live sources for the tests: ffmpeg paced in real time, a static file server, and an event collector. */
public final class LiveSources {
    private LiveSources() {
    }

    /** ffmpeg's input options for a live 320x240 25 fps test picture and a tone, {@code seconds} long. */
    public static List<String> testSignal(double seconds) {
        return List.of("-re", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=" + seconds,
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + seconds);
    }

    /** Black picture from {@code blackFrom} to {@code blackTo}, silent sound from {@code quietFrom} to {@code quietTo}. */
    public static List<String> defects(double blackFrom, double blackTo, double quietFrom, double quietTo) {
        return List.of("-vf", "lutyuv=y=16:u=128:v=128:enable='gte(t," + blackFrom + ")*lt(t," + blackTo + ")'",
                "-af", "volume=0:enable='gte(t," + quietFrom + ")*lt(t," + quietTo + ")'");
    }

    /** H.264 with a keyframe every second (a joining reader starts soon) and MP2 sound, for MPEG-TS outputs. */
    public static List<String> encode() {
        return List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                "-pix_fmt", "yuv420p", "-c:a", "mp2", "-b:a", "128k");
    }

    /**
     * A registry for live sources on the CPU: a read that waits {@code ioTimeout} for data has broken off, and a
     * broken source is reopened after 0.2 s, backing off to 1 s; alarm evidence goes under {@code evidenceDir}.
     */
    static LocalStreamRegistry liveRegistry(EventHub hub, Duration ioTimeout, Path evidenceDir) {
        ServeConfig config = ServeConfig.standard()
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(evidenceDir.resolve("evidence")))
                .withDefaults(ServeConfig.analysisDefaults().withIoTimeout(ioTimeout))
                .withReconnect(new ServeConfig.Reconnect(0.2, 1))
                .withLimits(ServeConfig.Limits.DEFAULTS.withHosts(io.vigil.server.config.HostRules.allowing("127.0.0.1/32")));
        return new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference());
    }

    /** Starts ffmpeg with {@code args}; its log goes to {@code log}. */
    public static Process ffmpeg(Path log, List<String>... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning", "-y"));
        for (List<String> a : args) {
            cmd.addAll(a);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    public static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Serves the files of {@code dir} on loopback (404 for what is not there yet), as an HLS origin does. */
    public static HttpServer fileServer(Path dir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().add("Content-Type", file.toString().endsWith(".m3u8")
                        ? "application/vnd.apple.mpegurl" : "video/mp2t");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return server;
    }

    /** Polls {@code condition} every 100 ms until it holds; fails after {@code timeout}. */
    public static void awaitTrue(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    /** Everything the hub publishes (events only), for assertions. */
    public static final class Collector implements AutoCloseable {
        private final List<Event> events = new ArrayList<>();
        private final EventHub.Subscription subscription;

        public Collector(EventHub hub) {
            subscription = hub.subscribe(p -> {
                if (p.payload() instanceof Event e) {
                    synchronized (events) {
                        events.add(e);
                        events.notifyAll();
                    }
                }
            });
        }

        public List<Event> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        /** The alarms of {@code stream} by {@code detector}, in order. */
        public List<Event.Alarm> alarms(String stream, String detector) {
            return events().stream().filter(e -> e instanceof Event.Alarm a && a.stream().equals(stream)
                    && a.detector().equals(detector)).map(e -> (Event.Alarm) e).toList();
        }

        /** Waits until some event matches; returns it, or fails after {@code timeout}. */
        public Event await(Duration timeout, String what, Predicate<Event> match) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (events) {
                while (true) {
                    for (Event e : events) {
                        if (match.test(e)) {
                            return e;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no " + what + " within " + timeout + "; events: " + events);
                    }
                    events.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        public Event.Alarm awaitAlarm(Duration timeout, String stream, String detector, boolean firing)
                throws InterruptedException {
            return (Event.Alarm) await(timeout, (firing ? "firing " : "resolved ") + detector + " of " + stream,
                    e -> e instanceof Event.Alarm a && a.stream().equals(stream) && a.detector().equals(detector)
                            && a.firing() == firing);
        }

        @Override
        public void close() {
            subscription.close();
        }
    }
}
