package io.vigil.server.fleet;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * This node's membership of its role's consumer group ({@code <prefix>.<role>}) on the shards topic: which shards it
 * owns. The group protocol is Kafka's classic one with the cooperative {@link ShardAssignor} (a join or leave moves only
 * what must move), static membership (the node id: a node restarted within the session timeout gets its shards back
 * without a rebalance) and a session timeout of a few seconds (a dead node's shards move that fast). The shards topic
 * holds no records: polling only keeps the membership alive.
 *
 * <p>The listener callbacks run on this class's thread, inside {@code poll}: a revoked shard's streams are stopped
 * before the callback returns, so no stream runs on two nodes of a role at once.
 */
final class ShardMembership implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ShardMembership.class.getName());

    /** What the node does when shards come and go. */
    interface Listener {
        void assigned(Set<Integer> added);

        /** Must stop the shards' streams before returning. */
        void revoked(Set<Integer> removed);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Listener listener;
    private final Thread thread;
    private final Set<Integer> owned = new TreeSet<>();
    private final AtomicLong rebalances = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean joined;
    private volatile boolean rebalanceWanted;
    private volatile String failure;

    ShardMembership(Properties common, String topic, String groupId, String nodeId, double sessionTimeoutSeconds,
                    ShardAssignor.Weights weights, Listener listener) {
        this.topic = topic;
        this.listener = listener;
        Properties p = new Properties();
        p.putAll(common);
        long sessionMs = Math.round(sessionTimeoutSeconds * 1000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-member-" + nodeId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, nodeId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionMs));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(100, sessionMs / 4)));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(ShardAssignor.class));
        p.put(ShardAssignor.WEIGHTS_CONFIG, weights);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("vigil-fleet-member").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    handOver(partitions, "revoked");
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    handOver(partitions, "lost");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Set<Integer> added = shards(partitions);
                    synchronized (owned) {
                        owned.addAll(added);
                    }
                    joined = true;
                    rebalances.incrementAndGet();
                    if (!added.isEmpty()) {
                        LOG.info("shards assigned: " + added);
                    }
                    listener.assigned(added);
                }
            });
            while (!stopping) {
                if (rebalanceWanted) {
                    rebalanceWanted = false;
                    consumer.enforceRebalance("capacity");
                }
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException | IllegalStateException e) {
            failure = e.getMessage();
            joined = false;
            LOG.log(Level.SEVERE, "this node left the fleet's group: " + e.getMessage(), e);
            handOver(List.copyOf(ownedPartitions()), "lost");
        }
    }

    private void handOver(Collection<TopicPartition> partitions, String how) {
        Set<Integer> removed = shards(partitions);
        if (removed.isEmpty()) {
            return;
        }
        LOG.info("shards " + how + ": " + removed);
        listener.revoked(removed);
        synchronized (owned) {
            owned.removeAll(removed);
        }
    }

    private Set<Integer> shards(Collection<TopicPartition> partitions) {
        Set<Integer> out = new TreeSet<>();
        for (TopicPartition tp : partitions) {
            if (tp.topic().equals(topic)) {
                out.add(tp.partition());
            }
        }
        return out;
    }

    private List<TopicPartition> ownedPartitions() {
        synchronized (owned) {
            return owned.stream().map(p -> new TopicPartition(topic, p)).toList();
        }
    }

    /** The shards this node owns now. */
    Set<Integer> owned() {
        synchronized (owned) {
            return Set.copyOf(owned);
        }
    }

    /** Whether this node has been given its shards (it has joined the group and no failure ended that). */
    boolean joined() {
        return joined && failure == null;
    }

    String failure() {
        return failure;
    }

    long rebalances() {
        return rebalances.get();
    }

    /** Asks the group for a new assignment (the node holds more streams than it can run, or has room to spare). */
    void requestRebalance() {
        rebalanceWanted = true;
    }

    /**
     * Leaves the group (its shards move to the other nodes at once rather than after the session timeout) after the
     * shards' streams have been handed over.
     */
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
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
        } catch (RuntimeException e) {
            LOG.warning("leaving the fleet's group: " + e.getMessage());
        }
    }
}
