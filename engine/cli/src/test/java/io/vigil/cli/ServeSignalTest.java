package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil serve} in a child JVM, with a stream whose server accepts and never answers and one whose UDP source
 * is silent: SIGTERM and SIGINT stop it within the deadline and it exits 0 (the JVM's own handling would say 143).
 */
@Timeout(120)
class ServeSignalTest {
    /** What a stop may take: the streams' deadline (10 s) and the JVM's way out. */
    static final long STOP_DEADLINE_SECONDS = 12;

    @TempDir
    Path dir;
    ServerSocket silent;
    final List<Socket> held = new ArrayList<>();

    @BeforeEach
    void silentServer() throws IOException {
        silent = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = silent.accept();
                    synchronized (held) {
                        held.add(s);
                    }
                }
            } catch (IOException e) {
                // closed after the test
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        silent.close();
        synchronized (held) {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void sigtermStopsCleanlyAndExitsZero() throws Exception {
        assertThat(stopWith(Process::destroy)).isZero();
    }

    @Test
    void sigintStopsCleanlyAndExitsZero() throws Exception {
        assertThat(stopWith(p -> {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        })).isZero();
    }

    /** Starts serve, waits until it answers and its hung stream is connected, signals it; returns its exit status. */
    private int stopWith(java.util.function.Consumer<Process> signal) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int udpPort;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udpPort = s.getLocalPort();
        }
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, """
                server: {bind: 127.0.0.1, port: %d, stateDir: %s}
                limits:
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  decode: {ioTimeout: 30}
                streams:
                  - {id: hung, url: "http://127.0.0.1:%d/live.ts"}
                  - {id: quiet, url: "udp://127.0.0.1:%d"}
                """.formatted(port, dir.resolve("state"), silent.getLocalPort(), udpPort));
        Process serve = start(config, dir.resolve("serve.log"));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean up = false;
            while (!up && System.nanoTime() < deadline && serve.isAlive()) {
                try {
                    up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200;
                } catch (IOException e) {
                    Thread.sleep(200);
                }
                synchronized (held) {
                    up &= !held.isEmpty();
                }
            }
            assertThat(up).as("serve answered and opened the hung stream; log: %s", log()).isTrue();
            long t0 = System.nanoTime();
            signal.accept(serve);
            assertThat(serve.waitFor(STOP_DEADLINE_SECONDS, TimeUnit.SECONDS)).as("stopped in time; log: %s", log())
                    .isTrue();
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(STOP_DEADLINE_SECONDS);
            assertThat(log()).contains("vigil serve: stopping");
            return serve.exitValue();
        } finally {
            serve.destroyForcibly().waitFor();
        }
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("serve.log"));
    }

    static Process start(Path config, Path log) throws IOException {
        return ChildVigil.start(log, "serve", "--config", config.toString());
    }
}
