package io.vigil.cli;

import io.vigil.kernels.engine.Engines;
import io.vigil.engine.config.ConfigException;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.fleet.FleetException;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.config.ServeConfigLoader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil serve}: watches the config's streams (and those added through the API) until stopped with Ctrl-C or
 * SIGTERM; on the way out every firing alarm resolves and reaches the sinks.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Watch live streams: HTTP API and dashboard, alarms to webhooks and a JSON-lines log, until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "The serve config (YAML): server, limits, defaults, reconnect, sinks, streams.")
    Path config;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Listen on this address (overrides server.bind; default 127.0.0.1).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", description = "Listen on this port (overrides server.port; default 8321; 0 picks one).")
    Integer port;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token for POST and DELETE (overrides server.token and $VIGIL_TOKEN).")
    String token;

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig cfg = withFlags(load(config), bind, port, token != null ? token : System.getenv("VIGIL_TOKEN"));
        if (cfg.server().stateDir() == null) {
            cfg = cfg.withServer(cfg.server().withStateDir(defaultStateDir()));
        }
        ServeRuntime runtime = start(cfg);
        System.out.println("vigil serve: " + runtime.registry.list().size() + " stream(s); dashboard at "
                + runtime.dashboard());
        awaitShutdown(runtime);
        return 0;
    }

    /** Where a single node keeps the streams added through its API when the config names no server.stateDir. */
    static Path defaultStateDir() {
        return Path.of(System.getProperty("user.home"), ".vigil", "state");
    }

    static ServeConfig load(Path file) {
        try {
            return file == null ? ServeConfig.standard() : ServeConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new Main.UserError(e.getMessage(), Main.EXIT_USAGE);
        }
    }

    /** The file's server settings with the command line's over them. */
    static ServeConfig withFlags(ServeConfig cfg, String bind, Integer port, String token) {
        ServeConfig.Server s = cfg.server();
        if (port != null && (port < 0 || port > 65535)) {
            throw new Main.UserError("--port must be between 0 and 65535, got " + port + ".", Main.EXIT_USAGE);
        }
        if (token != null && token.length() < 16) {
            throw new Main.UserError("The token must be at least 16 characters long.", Main.EXIT_USAGE);
        }
        return cfg.withServer(s.withListen(bind != null ? bind : s.bind(), port != null ? port : s.port(),
                token != null ? token : s.token()));
    }

    /** Starts a runtime, turning what the user can fix into one sentence and exit code 2. */
    static ServeRuntime start(ServeConfig cfg) {
        try {
            return new ServeRuntime(cfg);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | StreamRejectedException
                 | Engines.UnavailableException | FleetException e) {
            throw new Main.UserError(e.getMessage(), Main.EXIT_USAGE);
        }
    }

    /** Blocks until the JVM is asked to stop, then closes {@code runtime} (from the shutdown hook). */
    static void awaitShutdown(ServeRuntime runtime) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            System.err.println("vigil serve: stopping; firing alarms resolve.");
            runtime.close();
            closed.countDown();
        }));
        closed.await();
    }
}
