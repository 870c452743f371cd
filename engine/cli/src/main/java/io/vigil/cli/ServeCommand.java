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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil serve}: watches the config's streams (and those added through the API) until stopped with Ctrl-C or
 * SIGTERM; on the way out every firing alarm resolves and reaches the sinks. SIGHUP rereads the config file's
 * streams and defaults. Exit status: 0 after a clean stop, 1 when a stream did not stop within its deadline (or a
 * second signal cut the stop short), 2 for a bad config.
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

    @Option(names = "--check-config", paramLabel = "FILE",
            description = "Check FILE as serve would read it (YAML, keys, values, streams, the environment's ${VAR} and VIGIL_SERVER_*), print a summary and exit: 0 valid, 2 not. Opens no port and no stream.")
    Path checkConfig;

    @Override
    public Integer call() throws InterruptedException {
        if (checkConfig != null) {
            ServeConfig checked = adjusted(load(checkConfig));
            System.out.print(ConfigSummary.of(checkConfig, checked));
            return 0;
        }
        ServeConfig cfg = adjusted(load(config));
        // Before anything answers: a signal sent once serve is seen up must not meet the JVM's default handling.
        ServeSignals signals = ServeSignals.install();
        ServeRuntime runtime;
        try {
            runtime = start(cfg);
        } catch (RuntimeException e) {
            signals.restore();
            throw e;
        }
        if (config != null) {
            runtime.reloadFrom(config, this::adjusted);
        }
        System.out.println("vigil serve: " + runtime.registry.list().size() + " stream(s); dashboard at "
                + runtime.dashboard());
        return awaitShutdown(runtime, signals);
    }

    /** The file's config with the command line's flags, the token's variable and the default state folder. */
    private ServeConfig adjusted(ServeConfig file) {
        ServeConfig cfg = withFlags(file, bind, port, token != null ? token : System.getenv("VIGIL_TOKEN"));
        if (cfg.server().stateDir() == null) {
            cfg = cfg.withServer(cfg.server().withStateDir(defaultStateDir()));
        }
        return cfg;
    }

    /** Where a single node keeps the streams added through its API when the config names no server.stateDir. */
    static Path defaultStateDir() {
        return Path.of(System.getProperty("user.home"), ".vigil", "state");
    }

    static ServeConfig load(Path file) {
        try {
            return file == null ? ServeConfigLoader.standard(System.getenv()) : ServeConfigLoader.load(file);
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

    /** One reload, its outcome as a line on stderr (what changed, or why the new file was refused). */
    static void reloadAndSay(ServeRuntime runtime) {
        try {
            System.err.println("vigil serve: " + runtime.reload().line());
        } catch (ConfigException | StreamRejectedException | IllegalStateException e) {
            System.err.println("vigil serve: the config was not reloaded (the running one stays): " + e.getMessage());
        }
    }

    /** The exit status of a stop that was not clean. */
    static final int EXIT_UNCLEAN_STOP = 1;

    /**
     * Blocks until {@code signals} have a stop asked for (SIGTERM or SIGINT, Ctrl-C; at once when one came during
     * the start), closes {@code runtime} on this thread and returns the exit status: 0 when everything stopped within
     * its deadline, {@link #EXIT_UNCLEAN_STOP} when a stream had to be left behind. SIGHUP reloads {@code runtime}
     * from now on.
     *
     * <p>The signals get handlers of their own ({@link ServeSignals}) rather than the JVM's, which would run the
     * shutdown hooks and then exit with 128 + the signal (143 for SIGTERM) however cleanly they finished. Here the
     * stop runs first and {@code main} then exits with its own status, running every shutdown hook as usual (the
     * alternative, {@code Runtime.halt(0)} at the end of a hook, would cut off the other hooks: the demo's sources,
     * the log handlers' flush). Any other way the JVM is asked to stop (where these signals cannot be handled) still
     * closes the runtime from a hook.
     */
    static int awaitShutdown(ServeRuntime runtime, ServeSignals signals) throws InterruptedException {
        signals.serving(runtime);
        Thread hook = Thread.ofPlatform().name("vigil-serve-shutdown").unstarted(runtime::close);
        Runtime.getRuntime().addShutdownHook(hook);
        signals.awaitStop();
        System.err.println("vigil serve: stopping; firing alarms resolve.");
        runtime.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already stopping: the hook finds the runtime closed.
        }
        if (runtime.leftStreamsBehind()) {
            System.err.println("vigil serve: a stream did not stop within its deadline; exiting anyway.");
            return EXIT_UNCLEAN_STOP;
        }
        return 0;
    }
}
