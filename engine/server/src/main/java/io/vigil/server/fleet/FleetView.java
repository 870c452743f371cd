package io.vigil.server.fleet;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What this node knows of the fleet, read from Kafka by one thread: the desired streams, the alarms firing on every
 * node (by role), every node's stream statuses, and the events other nodes make (handed to the local hub, so that
 * this node's API and SSE show the whole fleet). Reads committed records only (events and open alarms are written in
 * one transaction). Thread-safe snapshots.
 */
final class FleetView implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FleetView.class.getName());
    static final String NODE_HEADER = "vigil-node";
    static final String ROLE_HEADER = "vigil-role";

    private final FleetTopics topics;
    private final String nodeId;
    private final EventHub hub;
    private final Runnable onDesiredChange;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile String failure;

    private final Map<String, StreamSpec> desired = new LinkedHashMap<>();
    /** Open alarms by role, then dedupKey. */
    private final Map<String, Map<String, Event.Alarm>> openAlarms = new HashMap<>();
    private final Map<String, RemoteStatus> statuses = new LinkedHashMap<>();
    private final Map<String, NodeBeat> nodes = new LinkedHashMap<>();
    /** The crash record's lines, by stream/role. */
    private final Map<String, FleetCrashRecord.Entry> crashes = new HashMap<>();
    /** Callers waiting until the crash record is read up to the moment they asked ({@link #awaitHandedOver}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<Void>> asked =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    FleetView(Properties common, FleetTopics topics, String nodeId, EventHub hub, Runnable onDesiredChange) {
        this.topics = topics;
        this.nodeId = nodeId;
        this.hub = hub;
        this.onDesiredChange = onDesiredChange;
        Properties p = new Properties();
        p.putAll(common);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-view-" + nodeId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("vigil-fleet-view").daemon().unstarted(this::run);
    }

    /** Starts reading; returns once the desired state, open alarms and statuses are read up to now (or throws). */
    void start(Duration timeout) {
        thread.start();
        try {
            if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new FleetException("Could not read the fleet's state from Kafka within " + timeout.toSeconds()
                        + " s" + (failure == null ? "." : ": " + failure));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException("Interrupted while reading the fleet's state.", e);
        }
        if (failure != null) {
            throw new FleetException("Could not read the fleet's state from Kafka: " + failure);
        }
    }

    private void run() {
        try {
            List<TopicPartition> fromStart = new ArrayList<>();
            for (String t : List.of(topics.streams(), topics.alarms(), topics.status())) {
                fromStart.addAll(partitions(t));
            }
            List<TopicPartition> crashRecord = partitions(topics.crashes());
            fromStart.addAll(crashRecord);
            // What a node that gave a stream up left behind: its crash record line and the alarms it left firing.
            List<TopicPartition> handedOver = new ArrayList<>(crashRecord);
            handedOver.addAll(partitions(topics.alarms()));
            Map<java.util.concurrent.CompletableFuture<Void>, Map<TopicPartition, Long>> waiting = new HashMap<>();
            List<TopicPartition> events = partitions(topics.events());
            List<TopicPartition> all = new ArrayList<>(fromStart);
            all.addAll(events);
            consumer.assign(all);
            consumer.seekToBeginning(fromStart);
            consumer.seekToEnd(events);
            Map<TopicPartition, Long> ends = consumer.endOffsets(fromStart, Duration.ofSeconds(30));
            boolean signalled = false;
            while (!stopping) {
                var records = consumer.poll(Duration.ofMillis(waiting.isEmpty() && asked.isEmpty() ? 500 : 50));
                boolean desiredChanged = false;
                for (ConsumerRecord<String, byte[]> r : records) {
                    desiredChanged |= apply(r);
                }
                if (!signalled && reached(ends)) {
                    signalled = true;
                    caughtUp.countDown();
                    desiredChanged = true;
                }
                if (desiredChanged && signalled) {
                    onDesiredChange.run();
                }
                for (var f = asked.poll(); f != null; f = asked.poll()) {
                    try {
                        waiting.put(f, consumer.endOffsets(handedOver, Duration.ofSeconds(2)));
                    } catch (org.apache.kafka.common.errors.TimeoutException e) {
                        f.completeExceptionally(e);   // Kafka out of reach: the caller judges from what was read
                    }
                }
                waiting.entrySet().removeIf(w -> reached(w.getValue()) && w.getKey().complete(null));
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException | IllegalStateException e) {
            failure = e.getMessage();
            LOG.log(Level.SEVERE, "the fleet view stopped reading Kafka: " + e.getMessage(), e);
        } finally {
            caughtUp.countDown();
        }
    }

    private List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Applies one record; true when the desired state changed. */
    private boolean apply(ConsumerRecord<String, byte[]> r) {
        String topic = r.topic();
        String key = r.key();
        if (key == null) {
            return false;
        }
        if (topic.equals(topics.streams())) {
            StreamSpec spec = r.value() == null ? null : FleetCodec.spec(r.value());
            synchronized (this) {
                if (r.value() == null) {
                    return desired.remove(key) != null;
                }
                if (spec == null || !key.equals(spec.id())) {
                    LOG.warning("skipping a record of " + topic + " that is not a stream spec (key " + key + ")");
                    return false;
                }
                return !spec.equals(desired.put(key, spec));
            }
        }
        if (topic.equals(topics.alarms())) {
            int slash = key.indexOf('/');
            if (slash < 0) {
                return false;
            }
            String role = key.substring(0, slash);
            String dedupKey = key.substring(slash + 1);
            Event e = r.value() == null ? null : FleetCodec.event(r.value());
            synchronized (this) {
                Map<String, Event.Alarm> byKey = openAlarms.computeIfAbsent(role, k -> new HashMap<>());
                if (e instanceof Event.Alarm a) {
                    byKey.put(dedupKey, a);
                } else {
                    byKey.remove(dedupKey);
                }
            }
            return false;
        }
        if (topic.equals(topics.crashes())) {
            FleetCrashRecord.Entry line = r.value() == null ? null : FleetCodec.crashLine(r.value());
            synchronized (this) {
                if (line == null) {
                    crashes.remove(key);
                } else {
                    crashes.put(key, line);
                }
            }
            return false;
        }
        if (topic.equals(topics.status()) && key.startsWith(NodeBeat.KEY_PREFIX)) {
            NodeBeat beat = r.value() == null ? null : FleetCodec.beat(r.value());
            synchronized (this) {
                if (beat == null) {
                    nodes.remove(key);
                } else {
                    nodes.put(key, beat);
                }
            }
            return false;
        }
        if (topic.equals(topics.status())) {
            RemoteStatus s = r.value() == null ? null : FleetCodec.status(r.value());
            synchronized (this) {
                if (s == null) {
                    statuses.remove(key);
                } else {
                    statuses.put(key, s);
                }
            }
            return false;
        }
        if (topic.equals(topics.events())) {
            String node = header(r, NODE_HEADER);
            if (nodeId.equals(node) || r.value() == null) {
                return false;   // this node's own events reached the hub when they were made
            }
            Event e = FleetCodec.event(r.value());
            if (e != null) {
                hub.acceptRemote(e, String.valueOf(header(r, ROLE_HEADER)));
            }
        }
        return false;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The desired streams, in the order they were first written. */
    synchronized List<StreamSpec> desired() {
        return List.copyOf(desired.values());
    }

    synchronized StreamSpec desired(String id) {
        return desired.get(id);
    }

    /** The alarms of {@code role} firing on every stream, by dedupKey. */
    synchronized Map<String, Event.Alarm> openAlarms(String role) {
        return new LinkedHashMap<>(openAlarms.getOrDefault(role, Map.of()));
    }

    /** The alarms of {@code role} firing on {@code stream}, by dedupKey. */
    synchronized Map<String, Event.Alarm> openAlarms(String role, String stream) {
        Map<String, Event.Alarm> out = new LinkedHashMap<>();
        for (var e : openAlarms.getOrDefault(role, Map.of()).entrySet()) {
            if (e.getValue().stream().equals(stream)) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The crash record's line of {@code stream} for {@code role}; null when there is none. */
    synchronized FleetCrashRecord.Entry crashLine(String stream, String role) {
        return crashes.get(FleetCrashRecord.Entry.key(stream, role));
    }

    /**
     * Waits until this view has read the crash record and the open alarms up to now (what another node wrote before
     * this call, such as the alarms it left firing when it gave a stream up, is seen after it): true, or false after
     * {@code timeout} or when the view stopped.
     */
    boolean awaitHandedOver(Duration timeout) {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        asked.add(done);
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Every node's latest status of every stream it runs (keyed stream/role). */
    synchronized List<RemoteStatus> statuses() {
        return List.copyOf(statuses.values());
    }

    /** Every node's latest beat (a node gone keeps its last one: look at its time). */
    synchronized List<NodeBeat> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Why the view stopped reading, or null while it reads. */
    String failure() {
        return failure;
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warning("closing the fleet view's consumer: " + e.getMessage());
        }
    }
}
