package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serve takes its signals over before it starts, so one can come while the runtime is still starting (CI saw a
 * SIGTERM meet the JVM's default, exit 143, because the port already answered). Such a signal is not lost: a stop
 * asked for then stops the runtime as soon as it serves, and a reload then is done once it serves (never before:
 * there is nothing to reload yet). The handlers' calls are made directly; no real signal reaches the test's JVM.
 */
@Timeout(120)
class ServeSignalsTest {
    @TempDir
    Path dir;

    private Path config(String streams) throws Exception {
        return Files.writeString(dir.resolve("serve.yaml"), """
                server: {bind: 127.0.0.1, port: 0, stateDir: %s}
                limits: {hosts: {allow: [127.0.0.1/32]}}
                streams: %s
                """.formatted(dir.resolve("state"), streams));
    }

    @Test
    void aStopAskedForDuringTheStartStopsTheRuntimeOnceItServes() throws Exception {
        Path file = config("[]");
        ServeSignals signals = new ServeSignals();
        signals.stopAsked();
        ServeRuntime runtime = ServeCommand.start(ServeConfigLoader.load(file));
        URI health = runtime.dashboard().resolve("/health/live");
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        assertThat(ServeCommand.awaitShutdown(runtime, signals)).as("a clean stop").isZero();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(health)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()))
                .as("the runtime closed: its port no longer answers").isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aReloadAskedForDuringTheStartIsDoneOnceTheRuntimeServes() throws Exception {
        Path file = config("[]");
        ServeSignals signals = new ServeSignals();
        try (ServeRuntime runtime = ServeCommand.start(ServeConfigLoader.load(file))) {
            runtime.reloadFrom(file, c -> c);
            int port;
            try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            config("[{id: later, url: \"udp://127.0.0.1:" + port + "\", detectors: [black]}]");
            signals.reloadAsked();
            assertThat(runtime.registry.list()).as("not reloaded before the runtime serves").isEmpty();
            signals.serving(runtime);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (runtime.registry.list().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(runtime.registry.list()).extracting(StreamStatus::id).containsExactly("later");
        }
    }

    @Test
    void aStartThatFailsPutsTheHandlersBack() throws Exception {
        Path file = Files.writeString(dir.resolve("open.yaml"),
                "server: {bind: 0.0.0.0, port: 0, stateDir: " + dir.resolve("state") + "}\n");
        // SIGTERM: a build in the background hands its JVMs SIGINT ignored, one under nohup SIGHUP, and the JVM then
        // keeps such a signal ignored whatever handler is set (every handle() answers SIG_IGN).
        sun.misc.Signal term = new sun.misc.Signal("TERM");
        sun.misc.SignalHandler before = signal -> { };
        sun.misc.SignalHandler original;
        try {
            original = sun.misc.Signal.handle(term, before);
        } catch (IllegalArgumentException e) {
            org.junit.jupiter.api.Assumptions.abort("this JVM keeps SIGTERM: " + e.getMessage());
            return;
        }
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(original == sun.misc.SignalHandler.SIG_IGN,
                    "SIGTERM is ignored in this JVM");
            // Refused in the start (a non-loopback address without a token), after the handlers were taken over.
            CliResult refused = CliResult.run("serve", "--config", file.toString());
            assertThat(refused.exit).isEqualTo(2);
            assertThat(sun.misc.Signal.handle(term, before)).as("the handler from before serve ran").isSameAs(before);
        } finally {
            sun.misc.Signal.handle(term, original);
        }
    }
}
