package io.vigil.server.live;

import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.ParamType;
import io.vigil.server.EventHub;
import io.vigil.server.AlarmFigures;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.ReloadReport;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.config.ServeConfigLoader;
import io.vigil.server.config.UrlPolicy;
import io.vigil.server.evidence.EvidenceStore;
import io.vigil.server.history.AlarmHistory;
import io.vigil.server.history.StatsHistory;
import io.vigil.kernels.engine.Engines;
import io.vigil.kernels.engine.StatisticsEngine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Every stream watched in this process, each by its own {@link StreamSupervisor} (a reading thread and an analysing
 * thread), all sharing one statistics backend (on a GPU, one batcher) and publishing into one {@link EventHub}.
 * Adding or removing a stream touches only that stream. A stream is checked before it starts: its id, its URL
 * against the config's {@link UrlPolicy}, its detectors and thresholds, the stream-count limit.
 *
 * <p>The configured streams are added by the constructor's caller (see {@link #addAll}); nothing here reads files.
 *
 * <p>In a fleet the same class runs this node's share of the streams (see {@code io.vigil.server.fleet}): each started
 * with {@link #start} under its role's detectors and with its events routed through the failover handover.
 */
public final class LocalStreamRegistry implements StreamRegistry {
    private static final Logger LOG = Logger.getLogger(LocalStreamRegistry.class.getName());
    /** The alarm vigil itself raises when a stream is not being analysed against its will (no detector's). */
    public static final String MONITORING_FAILED = StreamSupervisor.MONITORING_FAILED;
    /** The cause of the alarms resolved because their stream was removed (DELETE, a reload, the fleet's record). */
    public static final String DELETED = "deleted";
    /** The cause of the alarms resolved because vigil stopped watching the stream (shutdown, a reload's restart). */
    public static final String STOPPED = "stopped";
    /** How long DELETE and shutdown wait for a stream to stop. */
    static final long STOP_TIMEOUT_NANOS = 10_000_000_000L;
    /** The config streams are checked and started with; a reload replaces its defaults, reconnect and streams. */
    private volatile ServeConfig config;
    /** One reload at a time (not the registry's lock: a reload waits for streams to stop). */
    private final Object reloading = new Object();
    private final EventHub hub;
    private final UrlPolicy policy;
    private final StatisticsEngine backend;
    private final boolean ownsBackend;
    /** Where the alarms' start pictures and clips are kept; null: nowhere (evidence.enabled false). */
    private final EvidenceStore evidence;
    private final Map<String, StreamSupervisor> streams = new LinkedHashMap<>();
    private final Map<String, StreamSpec> specs = new LinkedHashMap<>();
    /** Each running stream's groups, read without the registry's lock (the alarm handling asks under the hub's). */
    private final Map<String, List<String>> groups = new java.util.concurrent.ConcurrentHashMap<>();
    /** Where streams added at run time are kept across restarts; null: nowhere. */
    private StreamStore store;
    /** Which streams are being analysed, for the next start to quarantine a crash's suspects; null: not kept. */
    private CrashRecord crashes;
    /** The config file's streams: the file, not the store, keeps them. */
    private Set<String> configured = Set.of();
    private boolean closed;
    private volatile boolean abandoned;

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
        // The dashboard's histories, before the first stream: complete from its first statistics and alarms even
        // when the HTTP API starts later (the API finds the same ones on the hub).
        StatsHistory.of(hub);
        AlarmHistory.of(hub);
        try {
            this.evidence = config.evidence().enabled() ? EvidenceStore.open(config.evidence(),
                    config.server().stateDir(), config.cluster() == null ? "" : config.cluster().advertisedUrl()) : null;
        } catch (RuntimeException e) {
            if (owns) {
                backend.close();
            }
            throw e;
        }
    }

    /** Where the alarms' start pictures and clips are kept, or null when they are not. */
    public EvidenceStore evidence() {
        return evidence;
    }

    /** Where the streams' video statistics run: the backend's name (cpu, gpu...). */
    public String backendName() {
        return backend.name();
    }

    /** Adds the config file's streams (already checked by the loader); throws on the first one refused. */
    public void addAll(List<StreamSpec> specs) throws StreamRejectedException {
        synchronized (this) {
            configured = Set.copyOf(specs.stream().map(StreamSpec::id).toList());
        }
        for (StreamSpec spec : specs) {
            add(spec);
        }
    }

    @Override
    public StreamStatus add(StreamSpec spec) throws StreamRejectedException {
        return start(spec, check(spec), hub, () -> { }, true);
    }

    /**
     * Checks a stream as {@link #add} does (its id, its URL against the policy, its detectors and thresholds) and
     * returns its analysis config; starts nothing.
     */
    public VigilConfig check(StreamSpec spec) throws StreamRejectedException {
        return check(config, spec);
    }

    private VigilConfig check(ServeConfig with, StreamSpec spec) throws StreamRejectedException {
        if (spec == null || spec.id() == null || !ServeConfigLoader.STREAM_ID.matcher(spec.id()).matches()) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID,
                    "A stream id must be " + ServeConfigLoader.STREAM_ID_RULE + ".");
        }
        String why = policy.refusal(spec.url());
        if (why == null) {
            try {
                why = pictureFilesRefusal(ServeConfigLoader.effectiveSettings(with.profiles(), spec));
            } catch (ConfigException e) {
                why = e.getMessage();
            }
        }
        if (why != null) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID, why);
        }
        try {
            return ServeConfigLoader.streamConfig(with.defaults(), with.profiles(), spec);
        } catch (ConfigException e) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID, e.getMessage());
        }
    }

    /**
     * Takes {@code next}'s streams, defaults (detector settings, decode) and reconnect settings without disturbing what
     * did not change: a stream of the old file that the new one lacks stops, a new one starts, one whose URL,
     * detectors or resulting settings changed restarts, every other goes on as it was (its counters too); streams
     * added through the API stay, restarted only when the new defaults change their settings. Server, limits, sinks
     * and cluster changes are named in the report's notes: they take effect at the next start. Throws
     * {@link StreamRejectedException} (nothing changed) when a stream of {@code next} would be refused or there
     * would be more than {@code limits.maxStreams}.
     */
    public ReloadReport reload(ServeConfig next) throws StreamRejectedException {
        synchronized (reloading) {
            ServeConfig before = config;
            ServeConfig applied = before.withDefaults(next.defaults()).withReconnect(next.reconnect())
                    .withProfiles(next.profiles()).withStreams(next.streams());
            Map<String, StreamSpec> wanted = new LinkedHashMap<>();
            next.streams().forEach(s -> wanted.put(s.id(), s));
            Map<String, StreamSpec> running;
            Set<String> fromFile;
            synchronized (this) {
                running = new LinkedHashMap<>(specs);
                fromFile = configured;
            }
            List<String> removed = new ArrayList<>();
            List<String> unchanged = new ArrayList<>();
            List<StreamSpec> restart = new ArrayList<>();
            List<StreamSpec> add = new ArrayList<>();
            for (StreamSpec old : running.values()) {
                StreamSpec spec = wanted.getOrDefault(old.id(), fromFile.contains(old.id()) ? null : old);
                if (spec == null) {
                    removed.add(old.id());
                } else if (spec.equals(old) && check(applied, spec).equals(check(before, old))
                        && next.reconnect().equals(before.reconnect())) {
                    unchanged.add(old.id());
                } else {
                    restart.add(spec);
                }
            }
            for (StreamSpec spec : next.streams()) {
                if (!running.containsKey(spec.id())) {
                    check(applied, spec);
                    add.add(spec);
                }
            }
            int after = running.size() - removed.size() + add.size();
            if (after > before.limits().maxStreams()) {
                throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT, "The new config would watch "
                        + after + " streams, more than limits.maxStreams (" + before.limits().maxStreams() + ").");
            }
            List<String> notes = new ArrayList<>();
            noteRestartOnly(notes, "server", before.server(), next.server());
            noteRestartOnly(notes, "limits", before.limits(), next.limits());
            noteRestartOnly(notes, "sinks", before.sinks(), next.sinks());
            noteRestartOnly(notes, "cluster", before.cluster(), next.cluster());
            noteRestartOnly(notes, "evidence", before.evidence(), next.evidence());
            noteRestartOnly(notes, "maintenance", before.maintenance(), next.maintenance());
            config = applied;
            synchronized (this) {
                configured = Set.copyOf(wanted.keySet());
            }
            removed.forEach(this::remove);
            List<String> restarted = new ArrayList<>();
            for (StreamSpec spec : restart) {
                remove(spec.id(), STOPPED);
                startAfterReload(spec, restarted, notes);
            }
            List<String> added = new ArrayList<>();
            for (StreamSpec spec : add) {
                startAfterReload(spec, added, notes);
            }
            onChange();
            return new ReloadReport(added, removed, restarted, unchanged, notes);
        }
    }

    private void startAfterReload(StreamSpec spec, List<String> started, List<String> notes) {
        try {
            add(spec);
            started.add(spec.id());
        } catch (StreamRejectedException e) {
            notes.add("Stream " + spec.id() + " did not start: " + e.getMessage());
        }
    }

    private static void noteRestartOnly(List<String> notes, String section, Object before, Object after) {
        if (!java.util.Objects.equals(before, after)) {
            notes.add("The " + section + " section changed; it takes effect at the next start.");
        }
    }

    /** Why a file a stream's own settings name (a logo, slate cards) may not be read; null when all may. */
    private String pictureFilesRefusal(Map<String, Map<String, Object>> settings) {
        for (var detector : settings.entrySet()) {
            var found = DetectorRegistry.standard().find(detector.getKey());
            if (found.isEmpty() || detector.getValue() == null) {
                continue;   // an unknown detector is the config check's to name
            }
            for (var setting : detector.getValue().entrySet()) {
                ParamSpec param = found.get().parameters().stream()
                        .filter(p -> p.name().equals(setting.getKey())).findFirst().orElse(null);
                if (param == null || param.type() != ParamType.FILES || setting.getValue() == null) {
                    continue;
                }
                String paths = setting.getValue() instanceof Collection<?> list
                        ? String.join(",", list.stream().map(String::valueOf).toList())
                        : String.valueOf(setting.getValue());
                String why = policy.pictureFilesRefusal(paths);
                if (why != null) {
                    return detector.getKey() + "." + setting.getKey() + ": " + why;
                }
            }
        }
        return null;
    }

    /**
     * Starts a checked stream with {@code analysis} (in a fleet: restricted to the node's role), its events going to
     * {@code events} (the hub, or a handover in front of it) and {@code onInputStarted} told when frames first flow.
     *
     * @param limited whether {@code limits.maxStreams} applies (a fleet applies its own capacity)
     */
    public StreamStatus start(StreamSpec spec, VigilConfig analysis, EventSink events, Runnable onInputStarted,
                              boolean limited) throws StreamRejectedException {
        return start(spec, analysis, events, onInputStarted, limited, null, null);
    }

    /**
     * As the other {@code start}, with the crash record of its caller (a fleet keeps one across nodes):
     * {@code lifecycle} hears when the analysis runs, and {@code quarantined}, when not null, is why the stream starts
     * quarantined. Null for both: this registry's own {@link CrashRecord}, if any.
     */
    public StreamStatus start(StreamSpec spec, VigilConfig analysis, EventSink events, Runnable onInputStarted,
                              boolean limited, StreamLifecycle lifecycle, String quarantined)
            throws StreamRejectedException {
        StreamSupervisor supervisor;
        synchronized (this) {
            if (closed) {
                throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT, "The service is shutting down.");
            }
            if (streams.containsKey(spec.id())) {
                throw new StreamRejectedException(StreamRejectedException.Reason.DUPLICATE,
                        "A stream with the id '" + spec.id() + "' is already watched.");
            }
            if (limited && streams.size() >= config.limits().maxStreams()) {
                throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT,
                        "Already watching " + streams.size() + " streams, the most this service takes (limits.maxStreams).");
            }
            StreamLifecycle heard = lifecycle != null ? lifecycle : crashes != null ? crashes : StreamLifecycle.NONE;
            supervisor = new StreamSupervisor(spec.id(), spec.url(), analysis, backend, hub, events, policy.guard(), onInputStarted,
                    config.reconnect(), heard);
            String reason = lifecycle != null ? quarantined
                    : crashes == null ? null : crashes.quarantineReason(spec.id());
            if (reason != null) {
                supervisor.startQuarantined(reason);
            }
            if (evidence != null) {
                supervisor.keepEvidence(evidence);
            }
            streams.put(spec.id(), supervisor);
            specs.put(spec.id(), spec);
            groups.put(spec.id(), spec.groups());
            supervisor.start();
        }
        onChange();
        return supervisor.status();
    }

    /** The groups of a stream this registry runs (none for an unknown one); never waits on a lock. */
    public List<String> groupsOf(String id) {
        return groups.getOrDefault(id, List.of());
    }

    /** Stops and forgets a stream; the alarms its stop resolves carry the cause {@code deleted}. */
    @Override
    public boolean remove(String id) {
        return remove(id, DELETED);
    }

    /**
     * Stops and forgets a stream, waiting (at most 10 s) until its analysis has ended: what it had firing resolved
     * with {@code cause} (an alarm naming its own cause keeps it), its summary sent.
     */
    public boolean remove(String id, String cause) {
        StreamSupervisor supervisor;
        synchronized (this) {
            supervisor = streams.remove(id);
            specs.remove(id);
            groups.remove(id);
        }
        if (supervisor == null) {
            return false;
        }
        onChange();
        supervisor.requestStop(cause);
        if (!supervisor.awaitStopped(System.nanoTime() + STOP_TIMEOUT_NANOS)) {
            LOG.warning(supervisor + " did not stop within " + STOP_TIMEOUT_NANOS / 1_000_000_000L
                    + " s (its source's open is stuck in a system call); left to end on its own");
        }
        return true;
    }

    @Override
    public Optional<StreamStatus> release(String id) {
        StreamSupervisor s;
        CrashRecord record;
        synchronized (this) {
            s = streams.get(id);
            record = crashes;
        }
        if (s == null) {
            return Optional.empty();
        }
        if (s.release() && record != null) {
            record.forget(id);
        }
        return Optional.of(s.status());
    }

    /**
     * From now on records in {@code record} which streams are being analysed, and starts quarantined those it says
     * were analysed at two unclean exits in a row (call before any stream starts); {@link #close} tells it the
     * shutdown was clean.
     */
    public synchronized void recordCrashes(CrashRecord record) {
        crashes = record;
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

    /** Where the stream's timeline has got to (media seconds), for an alarm raised about it from outside; 0 if unknown. */
    public synchronized double timelineSeconds(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? 0 : s.timelineSeconds();
    }

    @Override
    public synchronized Optional<byte[]> thumbnail(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.thumbnail());
    }

    @Override
    public synchronized Optional<java.time.Instant> thumbnailTime(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.thumbnailTime());
    }

    @Override
    public synchronized Optional<AlarmFigures> alarmFigures(String id) {
        StreamSupervisor s = streams.get(id);
        return s == null ? Optional.empty() : Optional.of(s.alarmFigures());
    }

    /**
     * From now on keeps the streams added at run time (those not in {@code configuredIds}, the config file's) in
     * {@code streamStore}, and first adds the ones it holds. A stored stream that this config no longer accepts (its
     * URL scheme no longer allowed, a detector renamed) is left out with a warning, and out of the store.
     */
    public void restore(StreamStore streamStore, Collection<String> configuredIds) {
        synchronized (this) {
            configured = Set.copyOf(configuredIds);
        }
        for (StreamSpec spec : streamStore.load()) {
            if (configuredIds.contains(spec.id())) {
                continue;
            }
            try {
                add(spec);
            } catch (StreamRejectedException e) {
                LOG.warning("stream " + spec.id() + " from " + streamStore.file() + " left out: " + e.getMessage());
            }
        }
        synchronized (this) {
            store = streamStore;
        }
        onChange();
    }

    /** Saves the streams added at run time, when a store is set. */
    private void onChange() {
        StreamStore target;
        List<StreamSpec> added;
        synchronized (this) {
            if (store == null || closed) {
                return;
            }
            target = store;
            added = specs.values().stream().filter(s -> !configured.contains(s.id())).toList();
        }
        target.save(added);
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
            specs.clear();
            groups.clear();
        }
        // All at once, and all within one deadline: an abort reaches an open or read in progress at once, except
        // one stuck in a system call, which is left behind.
        all.forEach(s -> s.requestStop(STOPPED));
        long deadline = System.nanoTime() + STOP_TIMEOUT_NANOS;
        List<StreamSupervisor> stuck = all.stream().filter(s -> !s.awaitStopped(deadline)).toList();
        abandoned = !stuck.isEmpty();
        if (abandoned) {
            LOG.warning(stuck.size() + " stream(s) did not stop within " + STOP_TIMEOUT_NANOS / 1_000_000_000L
                    + " s and were left behind: " + stuck);
        }
        CrashRecord record;
        synchronized (this) {
            record = crashes;
        }
        if (record != null && !abandoned) {
            record.cleanShutdown();
        }
        if (evidence != null) {
            // The streams' last clips are cut by now: let them be written.
            evidence.close();
        }
        // A stream left behind may still touch the backend when its call returns: then the process's end frees it.
        if (ownsBackend && !abandoned) {
            backend.close();
        }
    }

    /** Whether {@link #close} had to leave a stream behind that did not stop within its deadline. */
    public boolean leftStreamsBehind() {
        return abandoned;
    }
}
