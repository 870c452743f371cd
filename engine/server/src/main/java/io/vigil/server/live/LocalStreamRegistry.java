package io.vigil.server.live;

import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.VigilConfig;
import io.vigil.server.EventHub;
import io.vigil.server.LatencyHistogram;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.config.ServeConfigLoader;
import io.vigil.server.config.UrlPolicy;
import io.vigil.kernels.engine.Engines;
import io.vigil.kernels.engine.StatisticsEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every stream watched in this process, each by its own {@link StreamSupervisor} (a reading thread and an analysing
 * thread), all sharing one statistics backend (on a GPU, one batcher) and publishing into one {@link EventHub}.
 * Adding or removing a stream touches only that stream. A stream is checked before it starts: its id, its URL
 * against the config's {@link UrlPolicy}, its detectors and thresholds, the stream-count limit.
 *
 * <p>The configured streams are added by the constructor's caller (see {@link #addAll}); nothing here reads files.
 *
 * <p>Towards a Kafka-backed registry (copies of vigil sharing the work): the API, the dashboard and the sinks see
 * only {@link StreamRegistry} and the {@link EventHub}, never this class. A {@code KafkaStreamRegistry} would keep the
 * stream specs in a compacted topic (add = produce a spec, remove = a tombstone; list/get read the materialised
 * topic plus statuses that each copy produces to a status topic), let each copy run a {@link StreamSupervisor} for the
 * streams of its partitions (with its subset of detectors: the supervisor already takes its detector settings per
 * stream), and feed the events that the other copies produce to an events topic into the local hub, so that each
 * copy's API and SSE show every stream. Thumbnails and latency histograms would travel the same way.
 */
public final class LocalStreamRegistry implements StreamRegistry {
    private final ServeConfig config;
    private final EventHub hub;
    private final UrlPolicy policy;
    private final StatisticsEngine backend;
    private final boolean ownsBackend;
    private final Map<String, StreamSupervisor> streams = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Opens the statistics backend {@code config.defaults()} asks for (auto: the GPU where there is one); throws
     * {@link Engines.UnavailableException} when it asks for a GPU that is not there. Starts no stream.
     */
    public LocalStreamRegistry(ServeConfig config, EventHub hub) {
        this(config, hub, Engines.select(config.defaults().engineOptions()).engine(), true);
    }

    /** As the other constructor, with a backend the caller owns (it must outlive this registry). */
    public LocalStreamRegistry(ServeConfig config, EventHub hub, StatisticsEngine backend) {
        this(config, hub, backend, false);
    }

    private LocalStreamRegistry(ServeConfig config, EventHub hub, StatisticsEngine backend, boolean owns) {
        this.config = config;
        this.hub = hub;
        this.policy = new UrlPolicy(config.limits());
        this.backend = backend;
        this.ownsBackend = owns;
    }

    /** Adds the config file's streams (already checked by the loader); throws on the first one refused. */
    public void addAll(List<StreamSpec> specs) throws StreamRejectedException {
        for (StreamSpec spec : specs) {
            add(spec);
        }
    }

    @Override
    public StreamStatus add(StreamSpec spec) throws StreamRejectedException {
        if (spec == null || spec.id() == null || !ServeConfigLoader.STREAM_ID.matcher(spec.id()).matches()) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID,
                    "A stream id must be 1 to 64 letters, digits, '.', '_' or '-'.");
        }
        String why = policy.refusal(spec.url());
        if (why != null) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID, why);
        }
        VigilConfig analysis;
        try {
            analysis = ServeConfigLoader.streamConfig(config.defaults(), spec);
        } catch (ConfigException e) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID, e.getMessage());
        }
        StreamSupervisor supervisor;
        synchronized (this) {
            if (closed) {
                throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT, "The service is shutting down.");
            }
            if (streams.containsKey(spec.id())) {
                throw new StreamRejectedException(StreamRejectedException.Reason.DUPLICATE,
                        "A stream with the id '" + spec.id() + "' is already watched.");
            }
            if (streams.size() >= config.limits().maxStreams()) {
                throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT,
                        "Already watching " + streams.size() + " streams, the most this service takes (limits.maxStreams).");
            }
            supervisor = new StreamSupervisor(spec.id(), spec.url(), analysis, backend, hub,
                    config.reconnect().initialSeconds(), config.reconnect().maxSeconds());
            streams.put(spec.id(), supervisor);
            supervisor.start();
        }
        return supervisor.status();
    }

    @Override
    public boolean remove(String id) {
        StreamSupervisor supervisor;
        synchronized (this) {
            supervisor = streams.remove(id);
        }
        if (supervisor == null) {
            return false;
        }
        supervisor.requestStop();
        supervisor.awaitStopped();
        return true;
    }

    @Override
    public synchronized Optional<StreamStatus> get(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.of(s.status());
    }

    @Override
    public List<StreamStatus> list() {
        List<StreamSupervisor> all;
        synchronized (this) {
            all = new ArrayList<>(streams.values());
        }
        return all.stream().map(StreamSupervisor::status).toList();
    }

    @Override
    public synchronized Optional<byte[]> thumbnail(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.thumbnail());
    }

    @Override
    public synchronized Optional<LatencyHistogram> frameToAlarmLatency(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.of(s.latency());
    }

    /** Whether every stream added so far has opened its source at least once or given up trying (for /health/ready). */
    public boolean ready() {
        return list().stream().noneMatch(s -> s.state() == StreamStatus.State.STARTING);
    }

    /** The config this registry checks streams against. */
    public ServeConfig config() {
        return config;
    }

    @Override
    public void close() {
        List<StreamSupervisor> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(streams.values());
            streams.clear();
        }
        // All at once: each may wait for an open in progress to time out.
        all.forEach(StreamSupervisor::requestStop);
        all.forEach(StreamSupervisor::awaitStopped);
        if (ownsBackend) {
            backend.close();
        }
    }
}
