package io.vigil.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream reaches only the hosts {@code limits.hosts} lets it reach, its own URL and every URL FFmpeg opens for it
 * (an HLS playlist on an allowed host naming segments on a refused one: the segment host never hears a request);
 * its URL's secrets are masked wherever it is shown, while the store keeps it whole for its owner only; an open that
 * hangs does not hold up its removal.
 */
@Timeout(120)
class OutboundTest {
    @TempDir
    static Path dir;
    static HttpServer playlists;
    static HttpServer segments;
    static final AtomicInteger segmentRequests = new AtomicInteger();
    static EventHub hub;
    static LiveSources.Collector events;

    @BeforeAll
    static void serve() throws Exception {
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-c:v", "libx264", "-preset",
                "ultrafast", "-g", "25", "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
                dir.resolve("index.m3u8").toString()));
        // The segments on 127.0.0.2: loopback too, but not the address limits.hosts allows below.
        segments = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 8);
        segments.createContext("/", x -> {
            segmentRequests.incrementAndGet();
            byte[] body = Files.readAllBytes(dir.resolve(x.getRequestURI().getPath().substring(1)));
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        segments.start();
        String playlist = Files.readString(dir.resolve("index.m3u8")).replaceAll("(?m)^(index\\d+\\.ts)$",
                "http://127.0.0.2:" + segments.getAddress().getPort() + "/$1");
        playlists = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        playlists.createContext("/live.m3u8", x -> {
            byte[] body = playlist.getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        playlists.start();
        hub = new EventHub(1000);
        events = new LiveSources.Collector(hub);
    }

    @AfterAll
    static void stop() {
        events.close();
        playlists.stop(0);
        segments.stop(0);
    }

    static LocalStreamRegistry registry(HostRules hosts) {
        ServeConfig config = ServeConfig.standard()
                .withDefaults(ServeConfig.analysisDefaults().withIoTimeout(Duration.ofSeconds(20)))
                .withReconnect(new ServeConfig.Reconnect(0.2, 1))
                .withLimits(new ServeConfig.Limits(8, 2048, List.of("http", "udp"), List.of(dir), hosts))
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence")));
        return new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference());
    }

    static String playlistUrl() {
        return "http://127.0.0.1:" + playlists.getAddress().getPort() + "/live.m3u8";
    }

    @Test
    void segmentsOnAHostTheConfigDoesNotAllowAreNeverFetched() throws Exception {
        int before = segmentRequests.get();
        try (LocalStreamRegistry only = registry(HostRules.allowing("127.0.0.1/32"))) {
            only.add(new StreamSpec("nested", playlistUrl(), List.of("black"), null));
            Event.Error error = (Event.Error) events.await(Duration.ofSeconds(20), "an error of nested",
                    e -> e instanceof Event.Error x && x.stream().equals("nested"));
            assertThat(error.message()).contains("refused to open http://127.0.0.2:")
                    .contains("a loopback address, refused unless limits.hosts.allow names it");
            Thread.sleep(1000);
            assertThat(only.get("nested").orElseThrow().frames()).isZero();
        }
        assertThat(segmentRequests.get()).isEqualTo(before);

        // The control: with the segment host allowed too, the same stream plays.
        try (LocalStreamRegistry both = registry(HostRules.allowing("127.0.0.1/32", "127.0.0.2/32"))) {
            both.add(new StreamSpec("nested-ok", playlistUrl(), List.of("black"), null));
            LiveSources.awaitTrue(Duration.ofSeconds(30), "frames", () -> both.get("nested-ok").orElseThrow().frames() > 25);
        }
        assertThat(segmentRequests.get()).isGreaterThan(before);
    }

    @Test
    void aUrlsSecretsAreMaskedWhereverShownAndKeptWholeInTheOwnersStore() throws Exception {
        int closedPort = LiveSources.freeTcpPort();
        String url = "http://operator:hunter2@127.0.0.1:" + closedPort + "/live.ts?token=s3cret&quality=hd";
        String masked = "http://***@127.0.0.1:" + closedPort + "/live.ts?token=***&quality=hd";
        Path state = dir.resolve("state");
        try (LocalStreamRegistry registry = registry(HostRules.allowing("127.0.0.1/32"))) {
            registry.restore(new StreamStore(state), List.of());
            assertThat(registry.add(new StreamSpec("secret", url, List.of("stall"), null)).url()).isEqualTo(masked);
            Event.Error error = (Event.Error) events.await(Duration.ofSeconds(20), "an error of secret",
                    e -> e instanceof Event.Error x && x.stream().equals("secret"));
            assertThat(error.input()).isEqualTo(masked);
            assertThat(error.message()).doesNotContain("hunter2").doesNotContain("s3cret");
            assertThat(registry.get("secret").orElseThrow().url()).isEqualTo(masked);
            assertThat(registry.list().toString()).doesNotContain("hunter2").doesNotContain("s3cret");
            Path file = state.resolve("streams.json");
            assertThat(Files.readString(file)).contains(url);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }

    @Test
    void aStreamWhoseServerAcceptsAndNeverAnswersIsRemovedAtOnce() throws Exception {
        List<Socket> held = new ArrayList<>();
        CountDownLatch accepted = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
             LocalStreamRegistry registry = registry(HostRules.allowing("127.0.0.1/32"))) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                        accepted.countDown();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            registry.add(new StreamSpec("mute", "http://127.0.0.1:" + silent.getLocalPort() + "/live.ts", null, null));
            assertThat(accepted.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            assertThat(registry.remove("mute")).isTrue();
            assertThat((System.nanoTime() - t0) / 1e9).as("seconds to remove").isLessThan(3.0);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aFifoInsideFileDirsIsRefusedWhenAdded() throws Exception {
        Path fifo = dir.resolve("pipe.ts");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        try (LocalStreamRegistry registry = registry(HostRules.DEFAULTS)) {
            assertThatThrownBy(() -> registry.add(new StreamSpec("fifo", fifo.toString(), null, null)))
                    .isInstanceOf(StreamRejectedException.class)
                    .hasMessage(fifo + " is not a regular file (a FIFO, a device or a folder): only regular files can be"
                            + " streams.");
        }
    }

    /**
     * The picture files a stream's own settings name (a logo, slate cards) come from the API too: only inside
     * limits.fileDirs, and a path outside them is refused alike whether it exists or not (no probing of the disk).
     */
    @Test
    void aStreamsPictureFilesAreReadOnlyInsideFileDirs() throws Exception {
        try (LocalStreamRegistry registry = registry(HostRules.DEFAULTS)) {
            String url = "udp://239.1.1.1:5000";
            for (String outside : List.of("/etc/hostname", "/no/such/logo.png")) {
                assertThatThrownBy(() -> registry.check(new StreamSpec("logo", url, null,
                        java.util.Map.of("logo_missing", java.util.Map.of("logo", outside)))))
                        .isInstanceOf(StreamRejectedException.class)
                        .hasMessage("logo_missing.logo: The file " + outside + " is outside the folders a stream's"
                                + " picture files may be read from (limits.fileDirs).");
            }
            assertThatThrownBy(() -> registry.check(new StreamSpec("cards", url, null,
                    java.util.Map.of("slate", java.util.Map.of("cards", List.of(dir.resolve("index.m3u8").toString(),
                            "relative.png"))))))
                    .isInstanceOf(StreamRejectedException.class).hasMessage("slate.cards: The file relative.png needs an absolute path inside one of limits.fileDirs.");
            Path inside = dir.resolve("index.m3u8");
            assertThat(registry.check(new StreamSpec("ok", url, null,
                    java.util.Map.of("logo_missing", java.util.Map.of("logo", inside.toString()))))).isNotNull();
        }
    }

    @Test
    void aStreamStuckWhereNoInterruptReachesIsLeftBehindAtItsDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        // A guard that blocks stands for a call the interrupt callback cannot end (a FIFO's open, a DNS lookup).
        StreamSupervisor stuck = new StreamSupervisor("stuck", "udp://239.0.0.9:5000", ServeConfig.analysisDefaults(),
                CpuStatisticsEngine.reference(), hub, hub, url -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                }, () -> { }, new ServeConfig.Reconnect(0.2, 1), StreamLifecycle.NONE);
        stuck.start();
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            stuck.requestStop(LocalStreamRegistry.STOPPED);
            long t0 = System.nanoTime();
            assertThat(stuck.awaitStopped(System.nanoTime() + 1_000_000_000L)).isFalse();
            assertThat((System.nanoTime() - t0) / 1e9).isBetween(0.9, 2.0);
        } finally {
            release.countDown();
        }
        assertThat(stuck.awaitStopped(System.nanoTime() + 10_000_000_000L)).isTrue();
    }
}
