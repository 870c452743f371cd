package io.vigil.cli;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.pipeline.GpuTelemetry;
import io.vigil.server.DeliveryFigures;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.delivery.JsonLinesFileSink;
import io.vigil.server.delivery.WebhookSettings;
import io.vigil.server.delivery.WebhookSink;
import io.vigil.server.handling.AlarmHandling;
import io.vigil.server.handling.HandlingStore;
import io.vigil.server.http.ApiServer;
import io.vigil.server.live.CrashRecord;
import io.vigil.server.live.LocalStreamRegistry;
import io.vigil.server.live.StreamStore;
import io.vigil.server.fleet.FleetStreamRegistry;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamSpec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One running {@code vigil serve}: the hub, the registry (this process's streams, or in a fleet the whole fleet's)
 * with the config's streams and, on a single node, those the API added before a restart, the sinks subscribed to the hub,
 * and the HTTP API. {@link #close()} stops the streams first (their firing alarms resolve and reach the sinks and
 * the SSE clients), then the sinks, then the API.
 */
final class ServeRuntime implements AutoCloseable {
    /** Alarm events (firing and resolved) the API's recent list keeps. */
    static final int RECENT_ALARMS = 10_000;

    final EventHub hub = new EventHub(RECENT_ALARMS);
    final StreamRegistry registry;
    /** This node's own streams (in a fleet, its share): what tells whether a stop left one behind. */
    private final LocalStreamRegistry local;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<AutoCloseable> sinks = new ArrayList<>();
    private final List<EventHub.Subscription> subscriptions = new ArrayList<>();
    /** The GPUs' own figures for /metrics (NVML); reads nothing on a host without it. */
    private final GpuTelemetry gpus = GpuTelemetry.open();
    final ApiServer api;
    /** Acks, mutes and maintenance windows; closed before the streams stop, so their last resolutions keep acks. */
    final AlarmHandling handling;
    private volatile Path reloadFile;
    private volatile java.util.function.UnaryOperator<ServeConfig> reloadAdjust = c -> c;

    /** Starts everything; on any failure what was started is stopped again and the failure thrown. */
    ServeRuntime(ServeConfig config) throws StreamRejectedException {
        local = new LocalStreamRegistry(config, hub);
        if (config.cluster() == null && config.server().stateDir() != null) {
            // Before any stream starts: a crash's suspects start quarantined. (A fleet keeps its record in Kafka,
            // where it follows a stream that crashes one node to the next.)
            try {
                local.recordCrashes(CrashRecord.open(config.server().stateDir()));
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
        }
        if (config.cluster() != null) {
            // A fleet node: the fleet keeps the streams (config file's ones written to Kafka when missing there).
            registry = new FleetStreamRegistry(config, hub, local);
        } else {
            registry = local;
        }
        StreamRegistry streams = registry;
        handling = new AlarmHandling(Clock.systemUTC(), config.maintenance(), new AlarmHandling.Streams() {
            @Override
            public boolean exists(String id) {
                return streams.get(id).isPresent();
            }

            @Override
            public List<String> groups(String id) {
                return local.groupsOf(id);
            }
        }, config.server().stateDir() == null ? null : new HandlingStore(config.server().stateDir())).attach(hub);
        ApiServer started = null;
        try {
            ServeConfig.Sinks s = config.sinks();
            if (s.jsonl() != null) {
                JsonLinesFileSink log = new JsonLinesFileSink(s.jsonl());
                sinks.add(log);
                subscriptions.add(hub.subscribe(p -> {
                    if (p.local() && p.payload() instanceof Event e) {
                        log.accept(e);
                    }
                }));
            }
            Path spoolRoot = s.spoolDir() != null ? s.spoolDir() : defaultSpoolDir();
            List<WebhookSink> webhooks = new ArrayList<>();
            List<String> webhookNames = new ArrayList<>();
            for (WebhookSettings w : s.webhooks()) {
                WebhookSink sink = new WebhookSink(w, WebhookSink.spoolDirFor(spoolRoot, w));
                sinks.add(sink);
                webhooks.add(sink);
                // PagerDuty webhooks share one URL: the second and later get "#2", "#3" (one series each).
                String name = displayName(w.url());
                int same = (int) webhookNames.stream().filter(n -> n.equals(name) || n.startsWith(name + "#")).count();
                webhookNames.add(same == 0 ? name : name + "#" + (same + 1));
                subscriptions.add(hub.subscribe(p -> {
                    if (p.local() && p.payload() instanceof Event e) {
                        sink.accept(e);
                    }
                }));
            }
            started = ApiServer.start(config.server().api(), registry, hub, handling);
            started.deliveryFigures(() -> {
                List<DeliveryFigures> figures = new ArrayList<>();
                for (int i = 0; i < webhooks.size(); i++) {
                    WebhookSink w = webhooks.get(i);
                    figures.add(new DeliveryFigures(webhookNames.get(i), w.delivered(), w.pending(), w.dropped(),
                            w.rejected()));
                }
                return figures;
            });
            started.gpuTelemetry(gpus);
            started.statisticsBackend(local.backendName());
            started.evidence(local.evidence());
            if (config.cluster() == null) {
                local.addAll(config.streams());
                if (config.server().stateDir() != null) {
                    local.restore(new StreamStore(config.server().stateDir()),
                            config.streams().stream().map(StreamSpec::id).toList());
                }
            }
        } catch (RuntimeException | StreamRejectedException e) {
            if (started != null) {
                started.close();
            }
            closeQuietly();
            gpus.close();
            throw e;
        }
        api = started;
    }

    /** A webhook's URL for the metrics: no user info or query, which may hold credentials. */
    static String displayName(URI url) {
        String port = url.getPort() >= 0 ? ":" + url.getPort() : "";
        return url.getScheme() + "://" + url.getHost() + port + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** Where webhook spools go when the config names no {@code sinks.spoolDir}: ~/.vigil/spool. */
    static Path defaultSpoolDir() {
        return Path.of(System.getProperty("user.home"), ".vigil", "spool");
    }

    /**
     * From now on {@link #reload} (SIGHUP, {@code POST /api/reload}) rereads {@code file}, with {@code adjust} (the
     * command line's flags) applied as at the start.
     */
    void reloadFrom(Path file, java.util.function.UnaryOperator<ServeConfig> adjust) {
        reloadFile = file;
        reloadAdjust = adjust;
        api.reloader(this::reload);
    }

    /**
     * Rereads the config file and applies its streams and defaults (see {@link LocalStreamRegistry#reload}); throws
     * {@link io.vigil.engine.config.ConfigException} or {@link StreamRejectedException} when it is refused (the
     * running config stays), {@link IllegalStateException} in a fleet or without a file.
     */
    io.vigil.server.ReloadReport reload() throws StreamRejectedException {
        if (reloadFile == null) {
            throw new IllegalStateException("vigil serve was started without --config: there is no file to reload.");
        }
        if (registry != local) {
            throw new IllegalStateException("A fleet node does not reload its streams from its file: the fleet keeps "
                    + "them in Kafka; change them through the API.");
        }
        return local.reload(reloadAdjust.apply(io.vigil.server.config.ServeConfigLoader.load(reloadFile)));
    }

    URI dashboard() {
        return api.baseUri();
    }

    /** Closes everything once; a second call (a shutdown hook after the signal's stop) returns at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly();
        if (api != null) {
            api.close();
        }
        gpus.close();
    }

    /** Whether closing had to leave a stream behind that did not stop within its deadline. */
    boolean leftStreamsBehind() {
        return local.leftStreamsBehind();
    }

    private void closeQuietly() {
        handling.close();
        registry.close();
        subscriptions.forEach(EventHub.Subscription::close);
        for (AutoCloseable sink : sinks) {
            try {
                sink.close();
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(ServeRuntime.class.getName())
                        .warning("closing a sink: " + e.getMessage());
            }
        }
        sinks.clear();
    }
}
