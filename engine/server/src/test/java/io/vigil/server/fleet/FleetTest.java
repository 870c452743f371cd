package io.vigil.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.Role;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.live.LiveSources;
import io.vigil.server.live.LocalStreamRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet nodes in this JVM on the real test broker (each test its own topics): streams added through any node run on
 * exactly one node of each role; a node that leaves hands its streams and their firing alarms to the others (one
 * firing, one resolved, in order, in the events topic); roles split the detectors; capacity is respected.
 */
@Timeout(180)
class FleetTest {
    @TempDir
    static Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A node: its hub, its collector and its registry. */
    private record Node(EventHub hub, LiveSources.Collector events, FleetStreamRegistry registry) {
    }

    private Node node(String prefix, String id, Role role, int maxStreams) {
        var detectors = ServeConfig.analysisDefaults().detectors();
        detectors.put("stall", detectors.get("stall").with("timeoutSeconds", 2.0));
        ServeConfig config = ServeConfig.standard()
                .withDefaults(ServeConfig.analysisDefaults().withDetectors(detectors).withIoTimeout(Duration.ofSeconds(2)))
                .withReconnect(new ServeConfig.Reconnect(0.2, 1))
                .withLimits(new ServeConfig.Limits(64, 2048, List.of("udp"), List.of(dir), HostRules.allowing("127.0.0.1/32")))
                .withEvidence(EvidenceSettings.DEFAULTS.withDir(dir.resolve("evidence-" + id)))
                .withCluster(new ServeConfig.Cluster(KafkaBroker.shared().bootstrapServers(), role, id,
                        "http://" + id + ":8321", prefix, 8, 1, 6, maxStreams, Map.of()));
        EventHub hub = new EventHub(1000);
        LiveSources.Collector events = new LiveSources.Collector(hub);
        FleetStreamRegistry registry = new FleetStreamRegistry(config, hub,
                new LocalStreamRegistry(config, hub, CpuStatisticsEngine.reference()));
        open.add(events);
        open.add(registry);
        return new Node(hub, events, registry);
    }

    private Process udp(int port, double seconds, List<String> defects) throws Exception {
        Process p = LiveSources.ffmpeg(dir.resolve("udp-" + port + ".log"), LiveSources.testSignal(seconds), defects,
                LiveSources.encode(), List.of("-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        open.add(() -> LiveSources.stop(p));
        return p;
    }

    private static String prefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Every record of the events topic, in partition order (one partition per stream: each stream's own order). */
    private static List<Event> eventsTopic(String prefix, String stream) {
        List<Event> out = new ArrayList<>();
        readTopic(prefix + ".events", r -> {
            if (stream.equals(r.key())) {
                out.add(FleetCodec.event(r.value()));
            }
        });
        return out;
    }

    /** Hands every committed record of {@code topic} to {@code each}, from its start to its end now, in partition order. */
    private static void readTopic(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var ends = c.endOffsets(parts);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static List<Event.Alarm> alarms(List<Event> events, String detector) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).toList();
    }

    /**
     * A consumer that joins {@code nodeId}'s group with its {@code group.instance.id}, as a second process started
     * with the same node id would: the group gives it the node's shards and fences the node. Polled until
     * {@code fenced} holds.
     */
    private static KafkaConsumer<String, byte[]> impostor(String prefix, String nodeId, Role role,
                                                          java.util.function.BooleanSupplier fenced) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + ".shards." + role.wireName());
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, nodeId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(ShardAssignor.class));
        p.put(ShardAssignor.WEIGHTS_CONFIG, new ShardAssignor.Weights() {
            @Override
            public int capacity() {
                return 10;
            }

            @Override
            public int[] streamsPerShard(int count) {
                return new int[count];
            }
        });
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(prefix + ".shards"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!fenced.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                c.close(Duration.ZERO);
                throw new AssertionError(nodeId + " was not fenced within 30 s");
            }
            c.poll(Duration.ofMillis(100));
        }
        return c;
    }

    private static long runners(List<Node> nodes, String stream) {
        return nodes.stream().filter(n -> n.registry().local().stream().anyMatch(s -> s.id().equals(stream))).count();
    }

    @Test
    void streamsAddedThroughAnyNodeRunOnceAndMoveWhenTheirNodeLeaves() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        Node b = node(prefix, "node-b", Role.ALL, 10);
        List<Node> nodes = List.of(a, b);
        List<String> ids = List.of("s1", "s2", "s3", "s4");
        for (int i = 0; i < ids.size(); i++) {
            int port = LiveSources.freeUdpPort();
            udp(port, 120, List.of());
            (i % 2 == 0 ? a : b).registry().add(new StreamSpec(ids.get(i), "udp://127.0.0.1:" + port,
                    List.of("stall", "black"), null));
        }
        for (String id : ids) {
            LiveSources.awaitTrue(Duration.ofSeconds(30), id + " running on one node",
                    () -> runners(nodes, id) == 1);
        }
        // Both nodes list every stream, each with the one node that runs it.
        LiveSources.awaitTrue(Duration.ofSeconds(15), "the fleet view on both nodes", () -> nodes.stream().allMatch(
                n -> n.registry().list().size() == 4
                        && n.registry().list().stream().allMatch(s -> s.placements().size() == 1)));
        assertThat(a.registry().fleet().orElseThrow().shardsOwned()
                + b.registry().fleet().orElseThrow().shardsOwned()).isEqualTo(8);

        // Removed through the other node: gone everywhere, its analysis ended with a summary.
        String removed = a.registry().local().isEmpty() ? "s1" : a.registry().local().getFirst().id();
        assertThat(b.registry().remove(removed)).isTrue();
        LiveSources.awaitTrue(Duration.ofSeconds(15), "removal seen everywhere",
                () -> runners(nodes, removed) == 0 && a.registry().get(removed).isEmpty()
                        && b.registry().get(removed).isEmpty());
        assertThat(b.registry().remove(removed)).isFalse();

        // Node b leaves: its streams run on node a.
        List<String> onB = b.registry().local().stream().map(StreamStatus::id).toList();
        long leftNanos = System.nanoTime();
        b.registry().close();
        for (String id : onB) {
            LiveSources.awaitTrue(Duration.ofSeconds(30), id + " moved to node a",
                    () -> a.registry().local().stream().anyMatch(s -> s.id().equals(id) && s.frames() > 0));
        }
        System.out.printf("fleet: %d stream(s) moved in %.1f s after a node left%n", onB.size(),
                (System.nanoTime() - leftNanos) / 1e9);
        for (String id : ids) {
            EventInvariants.assertSoFar(eventsTopic(prefix, id));
        }
    }

    @Test
    void aFiringAlarmMovesWithItsStreamAndResolvesOnce() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        int port = LiveSources.freeUdpPort();
        // Black from 2 s to 30 s of the source.
        udp(port, 60, LiveSources.defects(2, 30, 1000, 1000));
        a.registry().add(new StreamSpec("dark", "udp://127.0.0.1:" + port, List.of("black"), null));
        Event.Alarm fired = a.events().awaitAlarm(Duration.ofSeconds(30), "dark", "black", true);
        Node b = node(prefix, "node-b", Role.ALL, 10);
        a.registry().close();   // hands over: nothing resolved by node a
        LiveSources.awaitTrue(Duration.ofSeconds(30), "dark running on node b",
                () -> b.registry().local().stream().anyMatch(s -> s.id().equals("dark") && s.frames() > 0));
        Event.Alarm resolved = b.events().awaitAlarm(Duration.ofSeconds(60), "dark", "black", false);
        assertThat(resolved.start()).isEqualTo(fired.start());
        assertThat(resolved.wallStart()).isEqualTo(fired.wallStart());
        assertThat(resolved.cause()).isNull();   // seen black again here, then seen end: continued, not failover
        assertThat(resolved.duration()).isGreaterThan(15);
        // The events topic gets it a moment later (the publisher sends in the background).
        LiveSources.awaitTrue(Duration.ofSeconds(15), "the resolved black in the events topic",
                () -> alarms(eventsTopic(prefix, "dark"), "black").size() >= 2);
        Thread.sleep(1000);
        List<Event.Alarm> black = alarms(eventsTopic(prefix, "dark"), "black");
        assertThat(black).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        EventInvariants.assertSoFar(eventsTopic(prefix, "dark"));
        assertThat(b.registry().fleet().orElseThrow().alarmsContinued()).isZero();   // counted when the stream stops
    }

    @Test
    void aVideoNodeAndAnAudioNodeSplitTheDetectorsOfOneStream() throws Exception {
        String prefix = prefix();
        Node video = node(prefix, "gpu-1", Role.VIDEO, 10);
        Node audio = node(prefix, "cpu-1", Role.AUDIO, 10);
        Path clip = dir.resolve("split.ts");
        Process make = LiveSources.ffmpeg(dir.resolve("split.log"), List.of("-f", "lavfi", "-i",
                        "testsrc2=s=320x240:r=25:d=14", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=14"),
                LiveSources.defects(2, 6, 8, 12), LiveSources.encode(), List.of(clip.toString()));
        assertThat(make.waitFor()).isZero();
        video.registry().add(new StreamSpec("split", clip.toString(), List.of("black", "silence"), null));
        Event.Alarm black = video.events().awaitAlarm(Duration.ofSeconds(30), "split", "black", false);
        Event.Alarm silence = audio.events().awaitAlarm(Duration.ofSeconds(30), "split", "silence", false);
        assertThat(black.start()).isCloseTo(2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(silence.start()).isCloseTo(8, org.assertj.core.data.Offset.offset(0.1));
        // Each node made only its own role's alarms (the other's reach it from Kafka, not from its own analysis).
        LiveSources.awaitTrue(Duration.ofSeconds(10), "both summaries", () -> eventsTopic(prefix, "split").stream()
                .filter(e -> e instanceof Event.Summary).count() == 2);
        List<Event> topic = eventsTopic(prefix, "split");
        EventInvariants.assertComplete(topic);
        assertThat(alarms(topic, "black")).hasSize(2);
        assertThat(alarms(topic, "silence")).hasSize(2);
        // Each node writes its statuses every 2 s: the other role's placement shows within a few seconds.
        LiveSources.awaitTrue(Duration.ofSeconds(15), "both placements on the video node's view",
                () -> video.registry().get("split").orElseThrow().placements().stream()
                        .map(StreamStatus.Placement::role).toList().equals(List.of("audio", "video")));
    }

    @Test
    void aNodeRunsNoMoreStreamsThanItsCapacity() throws Exception {
        String prefix = prefix();
        Node small = node(prefix, "small", Role.ALL, 1);
        List<String> ids = List.of("c1", "c2", "c3");
        for (String id : ids) {
            int port = LiveSources.freeUdpPort();
            udp(port, 120, List.of());
            small.registry().add(new StreamSpec(id, "udp://127.0.0.1:" + port, List.of("stall"), null));
        }
        LiveSources.awaitTrue(Duration.ofSeconds(20), "one stream running",
                () -> small.registry().local().size() == 1);
        Thread.sleep(3000);
        assertThat(small.registry().local()).hasSize(1);
        var figures = small.registry().fleet().orElseThrow();
        assertThat(figures.streamsRunning() + figures.streamsWaiting()).isLessThanOrEqualTo(3);
        assertThat(small.registry().list()).extracting(StreamStatus::state)
                .filteredOn(s -> s == StreamStatus.State.UNASSIGNED).hasSize(2);
        // A node with room joins: every stream runs.
        Node large = node(prefix, "large", Role.ALL, 10);
        List<Node> nodes = List.of(small, large);
        for (String id : ids) {
            LiveSources.awaitTrue(Duration.ofSeconds(40), id + " running", () -> runners(nodes, id) == 1);
        }
        assertThat(small.registry().local()).hasSizeLessThanOrEqualTo(1);
        for (String id : ids) {
            EventInvariants.assertSoFar(eventsTopic(prefix, id));
        }
    }

    @Test
    void aNodeFencedOutOfItsGroupAlarmsForItsStreamAndResolvesItWhenItRunsItAgain() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        int port = LiveSources.freeUdpPort();
        udp(port, 120, List.of());
        a.registry().add(new StreamSpec("watched", "udp://127.0.0.1:" + port, List.of("stall"), null));
        LiveSources.awaitTrue(Duration.ofSeconds(30), "watched running",
                () -> a.registry().local().stream().anyMatch(s -> s.frames() > 0));

        KafkaConsumer<String, byte[]> impostor = impostor(prefix, "node-a", Role.ALL,
                () -> !a.events().alarms("watched", "monitoring_failed").isEmpty());
        impostor.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
        Event.Alarm fired = a.events().alarms("watched", "monitoring_failed").getFirst();
        assertThat(fired.firing()).isTrue();
        assertThat(fired.severity()).isEqualTo("critical");
        assertThat(fired.summary()).contains("node node-a", "left its group");
        assertThat(a.registry().notReady()).contains("joining again");

        // It joins again (after its backoff), runs the stream, and the first frames end the alarm.
        Event.Alarm resolved = a.events().awaitAlarm(Duration.ofSeconds(40), "watched", "monitoring_failed", false);
        assertThat(resolved.start()).isEqualTo(fired.start());
        assertThat(resolved.wallStart()).isEqualTo(fired.wallStart());
        assertThat(a.registry().local()).extracting(StreamStatus::id).containsExactly("watched");
        LiveSources.awaitTrue(Duration.ofSeconds(15), "node-a ready again", () -> a.registry().notReady() == null);
        LiveSources.awaitTrue(Duration.ofSeconds(15), "the resolved alarm in the events topic",
                () -> alarms(eventsTopic(prefix, "watched"), "monitoring_failed").size() == 2);
        assertThat(alarms(eventsTopic(prefix, "watched"), "monitoring_failed")).extracting(Event.Alarm::status)
                .containsExactly("firing", "resolved");
        EventInvariants.assertSoFar(eventsTopic(prefix, "watched"));
    }

    @Test
    void theStreamsOfANodeThatLeftItsGroupAreResolvedByTheNodeThatTakesThemOver() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        Node b = node(prefix, "node-b", Role.ALL, 10);
        List<Node> nodes = List.of(a, b);
        List<String> ids = List.of("t1", "t2", "t3");
        for (String id : ids) {
            int port = LiveSources.freeUdpPort();
            udp(port, 120, List.of());
            a.registry().add(new StreamSpec(id, "udp://127.0.0.1:" + port, List.of("stall"), null));
        }
        for (String id : ids) {
            LiveSources.awaitTrue(Duration.ofSeconds(30), id + " running on one node",
                    () -> runners(nodes, id) == 1 && nodes.stream().anyMatch(n -> n.registry().local().stream()
                            .anyMatch(s -> s.id().equals(id) && s.frames() > 0)));
        }
        Node victim = a.registry().local().stream().anyMatch(s -> s.id().equals("t1")) ? a : b;
        Node taker = victim == a ? b : a;
        String victimId = victim == a ? "node-a" : "node-b";
        List<String> left = victim.registry().local().stream().map(StreamStatus::id).toList();

        // Fenced, then gone before it could join again: nobody watches its streams...
        KafkaConsumer<String, byte[]> impostor = impostor(prefix, victimId, Role.ALL,
                () -> left.stream().allMatch(id -> !victim.events().alarms(id, "monitoring_failed").isEmpty()));
        victim.registry().close();
        // ...until the group gives its shards to the other node (the impostor leaves), which resolves the alarms.
        impostor.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
        for (String id : left) {
            Event.Alarm fired = victim.events().alarms(id, "monitoring_failed").getFirst();
            assertThat(fired.summary()).contains("node " + victimId);
            Event.Alarm resolved = taker.events().awaitAlarm(Duration.ofSeconds(40), id, "monitoring_failed", false);
            assertThat(resolved.cause()).isEqualTo("failover");
            assertThat(resolved.wallStart()).isEqualTo(fired.wallStart());
            assertThat(taker.registry().local()).extracting(StreamStatus::id).contains(id);
        }
        for (String id : left) {
            LiveSources.awaitTrue(Duration.ofSeconds(15), "the resolved alarm of " + id + " in the events topic",
                    () -> alarms(eventsTopic(prefix, id), "monitoring_failed").size() == 2);
            assertThat(alarms(eventsTopic(prefix, id), "monitoring_failed")).extracting(Event.Alarm::status)
                    .containsExactly("firing", "resolved");
        }
        for (String id : ids) {
            EventInvariants.assertSoFar(eventsTopic(prefix, id));
        }
    }

    /** Writes a line of the fleet's crash record as a node would (a node that vanished leaves its last one). */
    private static void crashLine(String prefix, FleetCrashRecord.Entry line) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(prefix + ".crashes",
                    FleetCrashRecord.Entry.key(line.stream(), line.role()), FleetCodec.write(line))).get();
        }
    }

    @Test
    void aStreamChangedInPlaceContinuesItsAlarmAndADeleteResolvesItOnce() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        int port = LiveSources.freeUdpPort();
        udp(port, 60, LiveSources.defects(1, 60, 1000, 1000));
        StreamSpec dark = new StreamSpec("dark", "udp://127.0.0.1:" + port, List.of("black"), null);
        a.registry().add(dark);
        Event.Alarm fired = a.events().awaitAlarm(Duration.ofSeconds(30), "dark", "black", true);

        // Written again with another detector: it restarts on its node, the black alarm continued, not fired again.
        LiveSources.awaitTrue(Duration.ofSeconds(15), "frames", () -> a.registry().get("dark").orElseThrow()
                .frames() > 50);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(prefix + ".streams", "dark", FleetCodec.write(new StreamSpec("dark",
                    dark.url(), List.of("black", "stall"), null)))).get();
        }
        LiveSources.awaitTrue(Duration.ofSeconds(30), "dark restarted (its frame count anew)",
                () -> a.registry().local().stream().anyMatch(s -> s.frames() > 0 && s.frames() < 50));
        Thread.sleep(4000);   // the new run raises black again (2 s raise delay): continued, not sent
        assertThat(a.events().alarms("dark", "black")).hasSize(1);
        assertThat(a.hub().active("dark")).hasSize(1);

        assertThat(a.registry().remove("dark")).isTrue();
        Event.Alarm resolved = a.events().awaitAlarm(Duration.ofSeconds(15), "dark", "black", false);
        assertThat(resolved.cause()).isEqualTo("deleted");
        assertThat(resolved.wallStart()).isEqualTo(fired.wallStart());
        assertThat(resolved.start()).isEqualTo(fired.start());
        assertThat(a.events().alarms("dark", "black")).hasSize(2);
        assertThat(a.registry().fleet().orElseThrow().alarmsContinued()).isEqualTo(1);
        LiveSources.awaitTrue(Duration.ofSeconds(15), "the resolved black in the events topic",
                () -> alarms(eventsTopic(prefix, "dark"), "black").size() == 2);
        assertThat(alarms(eventsTopic(prefix, "dark"), "black")).extracting(Event.Alarm::status)
                .containsExactly("firing", "resolved");
        EventInvariants.assertSoFar(eventsTopic(prefix, "dark"));
    }

    /** The keys the alarms topic holds an open alarm for (its latest record not a tombstone). */
    private static java.util.Set<String> openInAlarmsTopic(String prefix) {
        java.util.Set<String> open = new java.util.HashSet<>();
        readTopic(prefix + ".alarms", r -> {
            if (r.value() == null) {
                open.remove(r.key());
            } else {
                open.add(r.key());
            }
        });
        return open;
    }

    /** Writes an alarm to the alarms topic as a node that ran the stream before and gave it up would have left it. */
    private static Event.Alarm leftFiring(String prefix, Role role, String stream, String detector) throws Exception {
        Event.Alarm alarm = new Event.Alarm(Event.Alarm.FIRING, detector, stream, null, stream + "/" + detector,
                "critical", 40.0, null, null, io.vigil.engine.alarm.OpenAlarms.wall(java.time.Instant.now()), null,
                detector + " on a node gone", Map.of(), null, null);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(prefix + ".alarms", role.wireName() + "/" + alarm.dedupKey(),
                    FleetCodec.event(alarm))).get();
        }
        return alarm;
    }

    @Test
    void theAlarmsOfADeletedStreamResolveOnceWithCauseDeletedWhereverTheyWait() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        // Left firing by a node gone: one on a stream the fleet still has (taken over here, waiting in the
        // handover: no frames come, so it would wait 30 s), one on a stream deleted while nobody ran it.
        Event.Alarm waiting = leftFiring(prefix, Role.ALL, "waiting", "black");
        Event.Alarm orphan = leftFiring(prefix, Role.ALL, "orphan", "black");
        a.registry().add(new StreamSpec("waiting", "udp://127.0.0.1:" + LiveSources.freeUdpPort(),
                List.of("black", "stall"), null));
        LiveSources.awaitTrue(Duration.ofSeconds(15), "waiting taken over with its alarm",
                () -> a.registry().local().size() == 1 && a.hub().active("waiting").size() == 1);

        assertThat(a.registry().remove("waiting")).isTrue();
        Event.Alarm deleted = a.events().awaitAlarm(Duration.ofSeconds(15), "waiting", "black", false);
        assertThat(deleted.cause()).isEqualTo("deleted");
        assertThat(deleted.wallStart()).isEqualTo(waiting.wallStart());
        assertThat(deleted.start()).isEqualTo(waiting.start());

        // The orphan: resolved by the node owning its shard once it has been one for 10 s.
        Event.Alarm swept = a.events().awaitAlarm(Duration.ofSeconds(30), "orphan", "black", false);
        assertThat(swept.cause()).isEqualTo("deleted");
        assertThat(swept.wallStart()).isEqualTo(orphan.wallStart());

        // Once each, in the events topic too; the alarms topic shows nothing firing any more.
        LiveSources.awaitTrue(Duration.ofSeconds(15), "both resolutions in the events topic",
                () -> alarms(eventsTopic(prefix, "waiting"), "black").size() == 1
                        && alarms(eventsTopic(prefix, "orphan"), "black").size() == 1
                        && openInAlarmsTopic(prefix).isEmpty());
        Thread.sleep(1500);
        assertThat(a.events().alarms("waiting", "black")).hasSize(1);
        assertThat(a.events().alarms("orphan", "black")).hasSize(1);
        assertThat(alarms(eventsTopic(prefix, "waiting"), "black")).hasSize(1);
        assertThat(alarms(eventsTopic(prefix, "orphan"), "black")).hasSize(1);
    }

    /** The crash record's latest line for a key, null when there is none (or a tombstone). */
    private static FleetCrashRecord.Entry crashLineOf(String prefix, String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        FleetCrashRecord.Entry last = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(prefix + ".crashes", 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long end = c.endOffsets(parts).get(parts.getFirst());
            while (c.position(parts.getFirst()) < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        last = r.value() == null ? null : FleetCodec.crashLine(r.value());
                    }
                }
            }
        }
        return last;
    }

    @Test
    void aStreamRunningAtTwoUncleanExitsInARowStartsQuarantinedOnWhicheverNodeIsAssignedIt() throws Exception {
        String prefix = prefix();
        Node a = node(prefix, "node-a", Role.ALL, 10);
        // What two nodes that vanished left: "poison" was running on gone-2, which had taken it over from a node
        // that vanished while running it (1 in a row before); "calm" was running on gone-2 only.
        long now = System.currentTimeMillis();
        crashLine(prefix, new FleetCrashRecord.Entry("poison", "all", "gone-2", true, 1, now));
        crashLine(prefix, new FleetCrashRecord.Entry("calm", "all", "gone-2", true, 0, now));
        for (String id : List.of("poison", "calm")) {
            int port = LiveSources.freeUdpPort();
            udp(port, 120, List.of());
            a.registry().add(new StreamSpec(id, "udp://127.0.0.1:" + port, List.of("stall"), null));
        }
        Event.Alarm fired = a.events().awaitAlarm(Duration.ofSeconds(30), "poison", "monitoring_failed", true);
        assertThat(fired.summary()).startsWith("Quarantined: vigil nodes exited uncleanly 2 times in a row")
                .contains("gone-2", "POST /api/streams/poison/release");
        assertThat(a.registry().get("poison").orElseThrow().state()).isEqualTo(StreamStatus.State.QUARANTINED);
        LiveSources.awaitTrue(Duration.ofSeconds(30), "calm running",
                () -> a.registry().local().stream().anyMatch(s -> s.id().equals("calm") && s.frames() > 0));
        assertThat(crashLineOf(prefix, "calm/all")).extracting(FleetCrashRecord.Entry::node,
                FleetCrashRecord.Entry::running, FleetCrashRecord.Entry::uncleanExits).containsExactly("node-a", true, 1);

        // A clean handover to another node: poison stays quarantined there (its alarm continued, not fired again);
        // calm's clean stop here is no unclean exit, so it starts with a count of 0 there.
        Node b = node(prefix, "node-b", Role.ALL, 10);
        a.registry().close();
        LiveSources.awaitTrue(Duration.ofSeconds(30), "both on node-b, poison quarantined, calm running",
                () -> b.registry().get("poison").map(s -> s.state() == StreamStatus.State.QUARANTINED
                        && s.placements().stream().anyMatch(pl -> pl.node().equals("node-b"))).orElse(false)
                        && b.registry().local().stream().anyMatch(s -> s.id().equals("calm") && s.frames() > 0));
        assertThat(crashLineOf(prefix, "calm/all")).extracting(FleetCrashRecord.Entry::uncleanExits).isEqualTo(0);

        // Released on the node that holds it: it runs, its alarm resolves, and the record forgets it fleet-wide.
        assertThat(b.registry().release("poison")).isPresent();
        Event.Alarm resolved = b.events().awaitAlarm(Duration.ofSeconds(30), "poison", "monitoring_failed", false);
        assertThat(resolved.wallStart()).isEqualTo(fired.wallStart());
        LiveSources.awaitTrue(Duration.ofSeconds(15), "poison running on node-b",
                () -> b.registry().local().stream().anyMatch(s -> s.id().equals("poison") && s.frames() > 0));
        assertThat(crashLineOf(prefix, "poison/all")).extracting(FleetCrashRecord.Entry::node,
                FleetCrashRecord.Entry::running, FleetCrashRecord.Entry::uncleanExits).containsExactly("node-b", true, 0);
        LiveSources.awaitTrue(Duration.ofSeconds(15), "the resolved alarm in the events topic",
                () -> alarms(eventsTopic(prefix, "poison"), "monitoring_failed").size() == 2);
        assertThat(alarms(eventsTopic(prefix, "poison"), "monitoring_failed")).extracting(Event.Alarm::status)
                .containsExactly("firing", "resolved");
        EventInvariants.assertSoFar(eventsTopic(prefix, "poison"));
    }
}
