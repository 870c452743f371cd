package io.vigil.server.fleet;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.OpenAlarms;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.server.EventHub;
import io.vigil.server.FleetFigures;
import io.vigil.server.AlarmFigures;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.Role;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.live.LocalStreamRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * One node of a vigil fleet, seen by the API as a {@link StreamRegistry} of the whole fleet: adding or removing a
 * stream writes the desired state to Kafka (any node may; what it writes is what the fleet runs); listing reads the
 * fleet view. Underneath, this node runs the streams of the shards its role's group gave it (as many as its capacity
 * allows) in a {@link LocalStreamRegistry}, with its role's detectors, each stream's events passing an
 * {@link AlarmHandover} that continues or resolves what a previous node left firing.
 *
 * <p>One housekeeping thread reconciles what runs here with what should (every second, and when the desired state
 * or the shards change), resolves expired handovers and writes this node's statuses every {@value #STATUS_EVERY_MS}
 * ms. Revoked shards are released on the group's thread before it acknowledges them.
 */
public final class FleetStreamRegistry implements StreamRegistry {
    private static final Logger LOG = Logger.getLogger(FleetStreamRegistry.class.getName());
    /** Kafka's clients say a lot at INFO (every client's whole config); vigil shows their warnings and errors. */
    private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");
    static final long STATUS_EVERY_MS = 2000;
    /** A placement whose node has not refreshed it for this long is not shown (its node is gone). */
    private static final long STALE_MS = 4 * STATUS_EVERY_MS;
    /** How long after its first frame a taken-over stream's detectors have, beyond their raise delay, to re-raise. */
    private static final double REGRACE_MARGIN_SECONDS = 5;
    /** How long a taken-over stream with no frames keeps what it inherited before resolving it. */
    private static final double NO_INPUT_GRACE_SECONDS = 30;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration VIEW_SYNC_TIMEOUT = Duration.ofSeconds(5);
    /** How long a node giving streams up waits for its events to reach Kafka, for the next node to read them. */
    private static final Duration HANDOVER_FLUSH_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long an alarm of a stream the fleet no longer has stays open in the alarms topic before the node owning the
     * stream's shard resolves it: long enough for a resolution already on its way (the node that ran the stream
     * stopping it) to be read back.
     */
    private static final long ORPHAN_GRACE_NANOS = 10_000_000_000L;
    /** How long this node remembers resolving an alarm that the alarms topic does not show (yet, or any more). */
    private static final long RESOLVED_MEMORY_NANOS = 60_000_000_000L;

    private final ServeConfig.Cluster cluster;
    private final Role role;
    private final EventHub hub;
    private final LocalStreamRegistry runner;
    private final FleetTopics topics;
    private final Properties common = new Properties();
    private final Object runLock = new Object();
    /** Streams running here, with their handovers. Guarded by runLock. */
    private final Map<String, LocalRun> running = new LinkedHashMap<>();
    /**
     * The monitoring_failed alarms this node raised when it left its group, by stream: resolved when it runs the
     * stream again, even before the alarm has reached Kafka. Guarded by runLock.
     */
    private final Map<String, Event.Alarm> leftBehind = new LinkedHashMap<>();
    /**
     * The alarms this node resolved (or is resolving: a stream deleted here) that the alarms topic may still show
     * firing, by {@link #alarmKey}, with when: never resolved a second time. Guarded by runLock.
     */
    private final Map<String, Long> resolvedHere = new java.util.HashMap<>();
    /** Open alarms of streams the fleet no longer has, on this node's shards, by {@link #alarmKey}: since when. */
    private final Map<String, Long> orphanSince = new java.util.HashMap<>();
    private final Thread housekeeping;
    private final Object wake = new Object();

    private int shardCount;
    private FleetView view;
    private EventPublisher publisher;
    private KafkaProducer<String, byte[]> writer;
    private ShardMembership membership;
    private FleetCrashRecord crashes;
    private EventHub.Subscription toKafka;
    private volatile boolean dirty = true;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int waiting;
    private long continued;
    private long resolvedOnFailover;
    private long lastRebalanceRequestNanos;

    private record LocalRun(StreamSpec spec, AlarmHandover handover) {
    }

    /**
     * Joins the fleet: creates or checks the topics, reads the fleet's state, writes the config file's streams that
     * the desired state lacks, and joins its role's group. Throws {@link FleetException} (one sentence) when Kafka
     * cannot be reached or refuses.
     *
     * @param runner runs this node's streams (this registry closes it)
     */
    public FleetStreamRegistry(ServeConfig config, EventHub hub, LocalStreamRegistry runner) {
        this.cluster = config.cluster();
        this.role = cluster.role();
        this.hub = hub;
        this.runner = runner;
        this.topics = FleetTopics.of(cluster.topicPrefix());
        common.putAll(cluster.kafka());
        common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        hub.localOrigin(role.wireName());
        if (KAFKA_LOG.getLevel() == null) {
            KAFKA_LOG.setLevel(Level.WARNING);
        }
        this.housekeeping = Thread.ofPlatform().name("vigil-fleet").daemon().unstarted(this::housekeep);
        try {
            join(config.streams());
        } catch (RuntimeException e) {
            close();
            throw e instanceof FleetException ? e : new FleetException("Cannot join the fleet: " + e.getMessage(), e);
        }
    }

    private void join(List<StreamSpec> fromConfig) {
        try (Admin admin = Admin.create(adminProperties())) {
            shardCount = topics.ensure(admin, cluster);
        } catch (KafkaException e) {
            throw new FleetException("Kafka at " + cluster.bootstrapServers() + ": " + e.getMessage(), e);
        }
        Properties w = new Properties();
        w.putAll(common);
        w.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-writer-" + cluster.nodeId());
        w.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        w.put(ProducerConfig.ACKS_CONFIG, "all");
        w.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        w.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        writer = new KafkaProducer<>(w, new StringSerializer(), new ByteArraySerializer());
        publisher = new EventPublisher(common, topics, cluster.nodeId(), role.wireName());
        publisher.start();
        toKafka = hub.subscribe(p -> {
            if (p.local() && p.payload() instanceof Event e) {
                publisher.accept(e);
            }
        });
        view = new FleetView(common, topics, cluster.nodeId(), hub, this::markDirty);
        view.start(VIEW_TIMEOUT);
        crashes = new FleetCrashRecord(writer, topics.crashes(), role.wireName(), cluster.nodeId(),
                id -> view.crashLine(id, role.wireName()));
        for (StreamSpec spec : fromConfig) {
            if (view.desired(spec.id()) == null) {
                write(spec.id(), FleetCodec.write(spec));
            }
        }
        membership = new ShardMembership(common, topics.shards(), topics.shards() + "." + role.wireName(),
                cluster.nodeId(), cluster.sessionTimeoutSeconds(), new ShardAssignor.Weights() {
                    @Override
                    public int capacity() {
                        return cluster.maxStreams();
                    }

                    @Override
                    public int[] streamsPerShard(int count) {
                        int[] out = new int[count];
                        for (StreamSpec s : view.desired()) {
                            out[shardOf(s.id(), count)]++;
                        }
                        return out;
                    }
                }, new ShardMembership.Listener() {
                    @Override
                    public void assigned(Set<Integer> added) {
                        markDirty();
                    }

                    @Override
                    public void revoked(Set<Integer> removed) {
                        release(removed);
                    }

                    @Override
                    public void lost(Set<Integer> removed, String why) {
                        leftGroup(removed, why);
                    }
                });
        membership.start();
        housekeeping.start();
        LOG.info("node " + cluster.nodeId() + " (role " + role.wireName() + ") joined the fleet at "
                + cluster.bootstrapServers() + ": " + view.desired().size() + " stream(s), " + shardCount + " shards");
    }

    private Properties adminProperties() {
        Properties a = new Properties();
        a.putAll(common);
        a.put(CommonClientConfigs.CLIENT_ID_CONFIG, "vigil-admin-" + cluster.nodeId());
        a.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        a.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return a;
    }

    /** The shard of a stream: Kafka's own key hash (murmur2), so tools that partition by key agree. */
    static int shardOf(String streamId, int shards) {
        return Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % shards;
    }

    private void markDirty() {
        dirty = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    // ---- The API: the whole fleet ----

    @Override
    public StreamStatus add(StreamSpec spec) throws StreamRejectedException {
        runner.check(spec);
        if (view.desired(spec.id()) != null) {
            throw new StreamRejectedException(StreamRejectedException.Reason.DUPLICATE,
                    "A stream with the id '" + spec.id() + "' is already watched.");
        }
        write(spec.id(), FleetCodec.write(spec));
        awaitView(() -> view.desired(spec.id()) != null);
        return status(spec).orElseThrow();
    }

    @Override
    public boolean remove(String id) {
        if (view.desired(id) == null) {
            return false;
        }
        write(id, null);
        awaitView(() -> view.desired(id) == null);
        return true;
    }

    private void write(String id, byte[] value) {
        try {
            writer.send(new ProducerRecord<>(topics.streams(), id, value))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new FleetException("Kafka refused the change to stream " + id + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new FleetException("Kafka did not take the change to stream " + id + " within "
                    + WRITE_TIMEOUT.toSeconds() + " s.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException("Interrupted while writing stream " + id + ".", e);
        }
    }

    /** Waits (at most 5 s) until this node's view has read its own write, so a list right after shows it. */
    private void awaitView(java.util.function.BooleanSupplier seen) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!seen.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public Optional<StreamStatus> get(String id) {
        StreamSpec spec = view.desired(id);
        return spec == null ? Optional.empty() : status(spec);
    }

    /** Releases the stream when this node runs it; elsewhere its status comes back unchanged (ask its node). */
    @Override
    public Optional<StreamStatus> release(String id) {
        StreamSpec spec = view.desired(id);
        if (spec == null) {
            return Optional.empty();
        }
        Optional<StreamStatus> here = runner.get(id);
        if (here.isPresent()) {
            if (here.get().state() == StreamStatus.State.QUARANTINED) {
                crashes.forget(id);   // before it runs again: its run's first line says 0
            }
            runner.release(id);
        }
        return status(spec);
    }

    @Override
    public List<StreamStatus> list() {
        List<StreamStatus> out = new ArrayList<>();
        for (StreamSpec spec : view.desired()) {
            status(spec).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public List<StreamStatus> local() {
        return runner.list();
    }

    /**
     * A stream as the fleet runs it: this node's own status when it runs it, else the freshest of the other nodes',
     * with every node that runs it (one per role) as placements; unassigned when none does.
     */
    private Optional<StreamStatus> status(StreamSpec spec) {
        long now = System.currentTimeMillis();
        List<StreamStatus.Placement> placements = new ArrayList<>();
        RemoteStatus freshest = null;
        Map<String, Long> alarmsByDetector = new TreeMap<>();
        for (RemoteStatus r : view.statuses()) {
            if (!r.stream().equals(spec.id()) || now - r.updatedMillis() > STALE_MS
                    || r.node().equals(cluster.nodeId())) {
                continue;
            }
            placements.add(new StreamStatus.Placement(r.node(), r.role(), r.nodeUrl(), r.parsedState(),
                    Instant.ofEpochMilli(r.updatedMillis())));
            if (r.alarmsByDetector() != null) {
                r.alarmsByDetector().forEach((k, v) -> alarmsByDetector.merge(k, v, Long::sum));
            }
            if (freshest == null || r.updatedMillis() > freshest.updatedMillis()) {
                freshest = r;
            }
        }
        Optional<StreamStatus> mine = runner.get(spec.id());
        StreamStatus base;
        if (mine.isPresent()) {
            StreamStatus m = mine.get();
            placements.add(new StreamStatus.Placement(cluster.nodeId(), role.wireName(), cluster.advertisedUrl(),
                    m.state(), Instant.now()));
            m.alarmsByDetector().forEach((k, v) -> alarmsByDetector.merge(k, v, Long::sum));
            base = m;
        } else if (freshest != null) {
            RemoteStatus r = freshest;
            base = new StreamStatus(spec.id(), r.url(), r.parsedState(), r.backend(), r.decoder(), r.fps(),
                    r.frames(), r.decodeErrors(), r.droppedFrames(), r.reconnects(), r.failures(), r.lastError(),
                    r.parsedSince(),
                    r.statistics() == null ? Map.of() : r.statistics(), List.of(), Map.of());
        } else {
            base = new StreamStatus(spec.id(), io.vigil.engine.pipeline.InputAddress.parse(spec.url()).displayName(),
                    StreamStatus.State.UNASSIGNED, null, null, 0, 0, 0, 0, 0, 0, null, Instant.now(), Map.of(),
                    List.of(), Map.of());
        }
        placements.sort(Comparator.comparing(StreamStatus.Placement::role).thenComparing(StreamStatus.Placement::node));
        return Optional.of(new StreamStatus(base.id(), base.url(), base.state(), base.backend(), base.decoder(),
                base.fps(), base.frames(), base.decodeErrors(), base.droppedFrames(), base.reconnects(),
                base.failures(), base.lastError(), base.since(), base.statistics(), hub.active(spec.id()), alarmsByDetector,
                placements));
    }

    @Override
    public Optional<byte[]> thumbnail(String id) {
        return runner.thumbnail(id);
    }

    @Override
    public Optional<java.time.Instant> thumbnailTime(String id) {
        return runner.thumbnailTime(id);
    }

    @Override
    public Optional<AlarmFigures> alarmFigures(String id) {
        return runner.alarmFigures(id);
    }

    @Override
    public String notReady() {
        if (view == null || view.failure() != null) {
            return "Not ready: the fleet view cannot read Kafka" + (view == null ? "." : ": " + view.failure());
        }
        if (membership == null || !membership.joined()) {
            return "Not ready: this node does not hold its shards yet"
                    + (membership != null && membership.failure() != null ? ": " + membership.failure() : ".");
        }
        if (!publisher.healthy()) {
            return "Not ready: Kafka refuses this node's events.";
        }
        return StreamRegistry.super.notReady();
    }

    @Override
    public Optional<FleetFigures> fleet() {
        if (membership == null) {
            return Optional.empty();
        }
        Set<Integer> owned = membership.owned();
        long now = System.currentTimeMillis();
        Set<String> placedInRole = new java.util.HashSet<>();
        for (RemoteStatus r : view.statuses()) {
            if (r.role().equals(role.wireName()) && now - r.updatedMillis() <= STALE_MS) {
                placedInRole.add(r.stream());
            }
        }
        int unassigned = 0;
        int runningHere;
        synchronized (runLock) {
            runningHere = running.size();
            for (StreamSpec s : view.desired()) {
                if (!running.containsKey(s.id()) && !placedInRole.contains(s.id())) {
                    unassigned++;
                }
            }
        }
        long cont;
        long res;
        synchronized (this) {
            cont = continued;
            res = resolvedOnFailover;
        }
        return Optional.of(new FleetFigures(cluster.nodeId(), role.wireName(), owned.size(), shardCount, runningHere,
                waiting, unassigned, membership.rebalances(), publisher.sent(), publisher.lost(), cont, res));
    }

    // ---- This node's share ----

    private void housekeep() {
        long lastStatus = 0;
        while (!stopping) {
            try {
                if (dirty) {
                    dirty = false;
                    reconcile();
                }
                long nowNanos = System.nanoTime();
                List<LocalRun> runs;
                synchronized (runLock) {
                    runs = List.copyOf(running.values());
                }
                for (LocalRun r : runs) {
                    inheritLate(r);
                    r.handover().expire(nowNanos);
                }
                resolveOrphans(nowNanos);
                if (System.currentTimeMillis() - lastStatus >= STATUS_EVERY_MS) {
                    lastStatus = System.currentTimeMillis();
                    writeStatuses();
                    dirty = true;   // a periodic look, too: a stream whose start failed is tried again
                }
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "fleet housekeeping: " + e.getMessage(), e);
            }
            synchronized (wake) {
                if (!dirty && !stopping) {
                    try {
                        wake.wait(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /** Starts what this node should run and stops what it should not. */
    private void reconcile() {
        Set<Integer> owned = membership.owned();
        List<StreamSpec> mine = new ArrayList<>();
        for (StreamSpec s : view.desired()) {
            if (owned.contains(shardOf(s.id(), shardCount))) {
                mine.add(s);
            }
        }
        boolean starting;
        synchronized (runLock) {
            starting = mine.stream().anyMatch(s -> !running.containsKey(s.id()));
        }
        // The crash record and the open alarms read up to now: the last writes of the node that ran a stream before
        // (this one too: a stream stopped here for capacity, its alarms still on their way to Kafka) are seen.
        if (starting) {
            publisher.flush(HANDOVER_FLUSH_TIMEOUT);
            if (!view.awaitHandedOver(VIEW_SYNC_TIMEOUT)) {
                LOG.warning("the fleet view did not read the crash record and open alarms within "
                        + VIEW_SYNC_TIMEOUT.toSeconds() + " s; judging the streams to start from what it has");
            }
        }
        synchronized (runLock) {
            if (stopping) {
                return;
            }
            // Running on another node now: that node resolves the alarm (inherited, or taken on late).
            leftBehind.keySet().removeIf(this::runningElsewhere);
            // A stream removed from the fleet while unwatched: nobody will run it again to end its alarm.
            leftBehind.values().removeIf(alarm -> {
                if (view.desired(alarm.stream()) != null) {
                    return false;
                }
                resolvedHere.put(alarmKey(alarm), System.nanoTime());
                hub.accept(AlarmHandover.resolved(alarm, Instant.now(), AlarmHandover.DELETED, alarm.metrics()));
                return true;
            });
            // What already runs keeps its place within the capacity; the rest in id order, for a stable choice.
            mine.sort(Comparator.comparing((StreamSpec s) -> !running.containsKey(s.id()))
                    .thenComparing(StreamSpec::id));
            int capacity = cluster.maxStreams();
            List<StreamSpec> wanted = mine.subList(0, Math.min(capacity, mine.size()));
            waiting = mine.size() - wanted.size();
            Map<String, StreamSpec> wantedById = new LinkedHashMap<>();
            wanted.forEach(s -> wantedById.put(s.id(), s));
            // What a stream restarting here with new settings had firing: its new run continues it.
            Map<String, Map<String, Event.Alarm>> restarting = new LinkedHashMap<>();
            for (LocalRun run : List.copyOf(running.values())) {
                StreamSpec want = wantedById.get(run.spec().id());
                if (want == null || !want.equals(run.spec())) {
                    // Removed from the fleet: resolve. Moved, over capacity or changed: hand over.
                    Map<String, Event.Alarm> left = stop(run, view.desired(run.spec().id()) == null);
                    if (want != null) {
                        restarting.put(want.id(), left);
                    }
                }
            }
            for (StreamSpec s : wanted) {
                if (!running.containsKey(s.id())) {
                    startHere(s, restarting.get(s.id()));
                }
            }
        }
        long now = System.nanoTime();
        if (waiting > 0 && now - lastRebalanceRequestNanos > 10_000_000_000L) {
            lastRebalanceRequestNanos = now;
            LOG.info(waiting + " stream(s) of this node's shards wait for capacity (cluster.maxStreams "
                    + cluster.maxStreams() + "); asking the group to rebalance");
            membership.requestRebalance();
        } else if (now - lastRebalanceRequestNanos > 30_000_000_000L && overShare(mine.size())) {
            lastRebalanceRequestNanos = now;
            LOG.info("this node holds " + mine.size() + " stream(s), more than its share of the fleet's "
                    + view.desired().size() + "; asking the group to rebalance");
            membership.requestRebalance();
        }
    }

    /**
     * Whether this node's shards hold clearly more than its share (the role's streams split in proportion to the
     * capacity of the role's live nodes): streams added after an assignment land where their shards are, so the
     * assignment that was fair for yesterday's streams may not be for today's. Clearly: by more than one stream and
     * 20%, so that a rebalance (a second or two without monitoring for the streams that move) is worth it.
     */
    private boolean overShare(int mine) {
        long now = System.currentTimeMillis();
        long capacityTotal = cluster.maxStreams();
        for (NodeBeat b : view.nodes()) {
            if (b.role().equals(role.wireName()) && !b.node().equals(cluster.nodeId())
                    && now - b.updatedMillis() <= STALE_MS) {
                capacityTotal += b.capacity();
            }
        }
        double share = (double) view.desired().size() * cluster.maxStreams() / capacityTotal;
        return mine > Math.ceil(share) + Math.max(1, 0.2 * share);
    }

    /**
     * Starts a stream here, continuing what its previous node left firing: read from the alarms topic, or when the
     * stream restarts on this node ({@code handedOver} not null) what its previous run here handed over (the topic
     * may not show that run's last events yet). Call under runLock.
     */
    private void startHere(StreamSpec spec, Map<String, Event.Alarm> handedOver) {
        VigilConfig analysis;
        try {
            analysis = role.restrict(runner.check(spec));
        } catch (StreamRejectedException e) {
            LOG.warning("stream " + spec.id() + " cannot run on node " + cluster.nodeId() + ": " + e.getMessage());
            return;
        }
        Map<String, AlarmHandover.Inherited> inherited = new LinkedHashMap<>();
        Map<String, Event.Alarm> open = new LinkedHashMap<>(handedOver != null ? handedOver
                : view.openAlarms(role.wireName(), spec.id()));
        Event.Alarm mine = leftBehind.remove(spec.id());
        if (mine != null) {
            open.putIfAbsent(mine.dedupKey(), mine);   // it may not have reached Kafka yet
        }
        for (var e : open.entrySet()) {
            inherited.put(e.getKey(), inherit(analysis, e.getValue()));
            hub.adopt(e.getValue());
        }
        AlarmHandover handover = new AlarmHandover(inherited, hub, System.nanoTime(), NO_INPUT_GRACE_SECONDS);
        String quarantined = crashes.admit(spec.id());
        try {
            runner.start(spec, analysis, handover, () -> handover.inputStarted(System.nanoTime()), false, crashes,
                    quarantined);
            running.put(spec.id(), new LocalRun(spec, handover));
            if (!inherited.isEmpty()) {
                LOG.info("stream " + spec.id() + " taken over with " + inherited.size() + " alarm(s) firing: "
                        + inherited.keySet());
            }
        } catch (StreamRejectedException e) {
            LOG.warning("stream " + spec.id() + " did not start: " + e.getMessage());
        }
    }

    /**
     * How long this node's detectors have to raise an inherited alarm again before it resolves: a detector's raise
     * delay and a margin; none for monitoring_failed, which says the stream is not watched and so ends with the
     * first frames here.
     */
    private static AlarmHandover.Inherited inherit(VigilConfig analysis, Event.Alarm alarm) {
        if (alarm.detector().equals(LocalStreamRegistry.MONITORING_FAILED)) {
            return new AlarmHandover.Inherited(alarm, 0);
        }
        DetectorSettings settings = analysis.detectors().get(alarm.detector());
        double raise = settings == null ? 0 : settings.durationSeconds();
        return new AlarmHandover.Inherited(alarm, raise + REGRACE_MARGIN_SECONDS);
    }

    /**
     * Takes on a monitoring_failed alarm that another node raised for a stream running here after this node
     * started it (that node reached Kafka late): the stream is watched, so it resolves.
     */
    private void inheritLate(LocalRun run) {
        for (Event.Alarm a : view.openAlarms(role.wireName(), run.spec().id()).values()) {
            if (a.detector().equals(LocalStreamRegistry.MONITORING_FAILED)
                    && run.handover().inheritLate(new AlarmHandover.Inherited(a, 0))) {
                hub.adopt(a);
                LOG.info("stream " + run.spec().id() + ": taking on the monitoring_failed alarm another node raised"
                        + " after this node started it");
            }
        }
    }

    /**
     * This node left its group against its will ({@code why}): the lost shards' streams stop here without
     * resolving anything, as in a handover, and each that no other node of the role already runs gets a critical
     * monitoring_failed alarm at once (through the hub: the local sinks need no Kafka; the events topic gets it when
     * Kafka takes it). Whoever runs the stream next resolves it with its first frames; if nobody does, it fires on.
     */
    private void leftGroup(Set<Integer> shards, String why) {
        synchronized (runLock) {
            for (LocalRun run : List.copyOf(running.values())) {
                String id = run.spec().id();
                if (!shards.contains(shardOf(id, shardCount))) {
                    continue;
                }
                Event.Alarm alarm = null;
                if (!run.handover().firingHere(id + "/" + LocalStreamRegistry.MONITORING_FAILED)
                        && !runningElsewhere(id)) {
                    double start = Math.round(runner.timelineSeconds(id) * 1000) / 1000.0;
                    alarm = new Event.Alarm(Event.Alarm.FIRING, LocalStreamRegistry.MONITORING_FAILED, id, null,
                            id + "/" + LocalStreamRegistry.MONITORING_FAILED, "critical", start, null, null,
                            OpenAlarms.wall(Instant.now()), null, "monitoring stopped: node " + cluster.nodeId()
                            + " (role " + role.wireName() + ") left its group (" + why + "); the stream is not"
                            + " watched until a node runs it again", Map.of(), null, null);
                    hub.accept(alarm);
                    leftBehind.put(id, alarm);
                }
                stop(run, false);
                LOG.warning("stream " + id + " stopped: this node left its group"
                        + (alarm == null ? "" : "; monitoring_failed raised"));
            }
        }
        markDirty();
    }

    /** Whether another node of this role reports the stream running (a fresh status). */
    private boolean runningElsewhere(String id) {
        long now = System.currentTimeMillis();
        for (RemoteStatus r : view.statuses()) {
            if (r.stream().equals(id) && r.role().equals(role.wireName()) && !r.node().equals(cluster.nodeId())
                    && now - r.updatedMillis() <= STALE_MS && r.parsedState() == StreamStatus.State.RUNNING) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops a stream here: resolving its alarms with the cause {@code deleted} (it left the fleet: its own as the
     * analysis stops, the inherited ones still waiting at once) or handing them over (returned: what was firing).
     * Call under runLock.
     */
    private Map<String, Event.Alarm> stop(LocalRun run, boolean resolve) {
        String id = run.spec().id();
        Map<String, Event.Alarm> handedOver = Map.of();
        if (resolve) {
            long now = System.nanoTime();
            run.handover().firing().values().forEach(a -> resolvedHere.put(alarmKey(a), now));
        } else {
            handedOver = run.handover().handOver();
        }
        runner.remove(id, resolve ? AlarmHandover.DELETED : LocalStreamRegistry.STOPPED);
        if (resolve) {
            run.handover().end(AlarmHandover.DELETED);
        }
        running.remove(id);
        synchronized (this) {
            continued += run.handover().continuedCount();
            resolvedOnFailover += run.handover().resolvedCount();
        }
        writer.send(new ProducerRecord<>(topics.status(), RemoteStatus.key(id, role.wireName()), null));
        return handedOver;
    }

    /** Identifies one alarm (one firing of a dedupKey) across nodes: its dedupKey and wall start. */
    private static String alarmKey(Event.Alarm a) {
        return a.dedupKey() + "@" + a.wallStart();
    }

    /**
     * Resolves (cause {@code deleted}) the alarms the alarms topic shows firing on a stream the fleet no longer has,
     * nobody running it: it was removed while its alarms waited for a node (its node died, its shard was moving,
     * it waited for capacity). The node owning the stream's shard does it, once the alarm has been an orphan for
     * {@link #ORPHAN_GRACE_NANOS}.
     */
    private void resolveOrphans(long nowNanos) {
        Set<Integer> owned = membership.owned();
        List<Event.Alarm> orphans = new ArrayList<>();
        synchronized (runLock) {
            if (stopping) {
                return;
            }
            Map<String, Event.Alarm> open = new java.util.HashMap<>();
            view.openAlarms(role.wireName()).values().forEach(a -> open.put(alarmKey(a), a));
            resolvedHere.entrySet().removeIf(e -> !open.containsKey(e.getKey())
                    && nowNanos - e.getValue() > RESOLVED_MEMORY_NANOS);
            Set<String> seen = new java.util.HashSet<>();
            for (var e : open.entrySet()) {
                String stream = e.getValue().stream();
                if (view.desired(stream) != null || running.containsKey(stream) || leftBehind.containsKey(stream)
                        || !owned.contains(shardOf(stream, shardCount)) || resolvedHere.containsKey(e.getKey())) {
                    continue;
                }
                seen.add(e.getKey());
                if (nowNanos - orphanSince.computeIfAbsent(e.getKey(), k -> nowNanos) >= ORPHAN_GRACE_NANOS) {
                    resolvedHere.put(e.getKey(), nowNanos);
                    orphans.add(e.getValue());
                }
            }
            orphanSince.keySet().retainAll(seen);
        }
        for (Event.Alarm a : orphans) {
            hub.adopt(a);
            hub.accept(AlarmHandover.resolved(a, Instant.now(), AlarmHandover.DELETED, a.metrics()));
            LOG.info("stream " + a.stream() + " is no longer in the fleet: its alarm " + a.dedupKey()
                    + " left open by a node that stopped running it resolved (deleted)");
        }
    }

    /**
     * The group took shards away: their streams stop here, handing their alarms over, and their last events reach
     * Kafka before the group gives the shards to another node (which reads them before it starts the streams).
     */
    private void release(Set<Integer> shards) {
        boolean stopped = false;
        synchronized (runLock) {
            for (LocalRun run : List.copyOf(running.values())) {
                if (shards.contains(shardOf(run.spec().id(), shardCount))) {
                    stop(run, false);
                    stopped = true;
                }
            }
        }
        if (stopped && !publisher.flush(HANDOVER_FLUSH_TIMEOUT)) {
            LOG.warning("the events of the streams handed over did not reach Kafka within "
                    + HANDOVER_FLUSH_TIMEOUT.toSeconds() + " s; the next node may not see all their open alarms");
        }
        markDirty();
    }

    private void writeStatuses() {
        long now = System.currentTimeMillis();
        int runningHere;
        synchronized (runLock) {
            runningHere = running.size();
        }
        writer.send(new ProducerRecord<>(topics.status(), NodeBeat.key(role.wireName(), cluster.nodeId()),
                FleetCodec.write(new NodeBeat(cluster.nodeId(), role.wireName(), cluster.advertisedUrl(),
                        cluster.maxStreams(), runningHere, now))));
        for (StreamStatus s : runner.list()) {
            RemoteStatus r = RemoteStatus.of(s, role.wireName(), cluster.nodeId(), cluster.advertisedUrl(), now);
            writer.send(new ProducerRecord<>(topics.status(), RemoteStatus.key(s.id(), role.wireName()),
                    FleetCodec.write(r)));
        }
    }

    /**
     * Leaves the fleet: this node's streams stop without resolving their alarms (the nodes that take them over
     * continue them), its events are sent, then it leaves its group so its shards move at once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        markDirty();
        if (housekeeping.isAlive()) {
            try {
                housekeeping.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (runLock) {
            for (LocalRun run : List.copyOf(running.values())) {
                stop(run, false);
            }
        }
        if (publisher != null) {
            // The alarms handed over are in Kafka before the shards move: the next nodes read them.
            publisher.flush(HANDOVER_FLUSH_TIMEOUT);
        }
        if (membership != null) {
            membership.close();
        }
        if (writer != null) {
            writer.send(new ProducerRecord<>(topics.status(), NodeBeat.key(role.wireName(), cluster.nodeId()), null));
        }
        runner.close();
        if (toKafka != null) {
            toKafka.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (writer != null) {
            try {
                writer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warning("closing the fleet's writer: " + e.getMessage());
            }
        }
        if (view != null) {
            view.close();
        }
    }
}
