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
 *
 * <p>A node can also leave the group against its will: its session expired (a pause, a partition from Kafka), another
 * consumer with its {@code group.instance.id} fenced it, or the consumer failed. Its shards are then <em>lost</em>, not
 * handed over ({@link Listener#lost}), and it joins again with a new consumer after a backoff ({@value #FIRST_RETRY_MS}
 * ms doubling to {@value #MAX_RETRY_MS} ms), saying so in its log and in {@link #failure}.
 */
final class ShardMembership implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ShardMembership.class.getName());

    static final long FIRST_RETRY_MS = 2000;
    static final long MAX_RETRY_MS = 30_000;

    /** What the node does when shards come and go. */
    interface Listener {
        void assigned(Set<Integer> added);

        /** A rebalance gives the shards to another node: must stop their streams before returning. */
        void revoked(Set<Integer> removed);

        /**
         * This node left the group against its will ({@code why}, one line): the shards may already be another
         * node's. Must stop their streams before returning.
         */
        void lost(Set<Integer> removed, String why);
    }

    private final Properties config;
    private final String topic;
    private final Listener listener;
    private final Thread thread;
    private final Object retryWait = new Object();
    /** The consumer of the current attempt to be a member (a fenced or failed one is replaced). */
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Set<Integer> owned = new TreeSet<>();
    private final AtomicLong rebalances = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean joined;
    /** Whether the current consumer has been given an assignment. */
    private volatile boolean assignedThisAttempt;
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
        this.config = p;
        this.consumer = newConsumer();
        this.thread = Thread.ofPlatform().name("vigil-fleet-member").daemon().unstarted(this::run);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    void start() {
        thread.start();
    }

    /** Stays a member until closed: each attempt with its own consumer, the next after a backoff. */
    private void run() {
        int attempt = 0;
        while (!stopping) {
            String left = member(consumer);
            if (left == null) {
                return;
            }
            if (assignedThisAttempt) {
                attempt = 0;   // it was back in the group for a while: the backoff starts again
            }
            assignedThisAttempt = false;
            joined = false;
            long waitMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt, 10));
            attempt++;
            failure = "left the group (" + left + "); joining again in " + waitMs / 1000.0 + " s, attempt "
                    + attempt;
            LOG.warning("this node " + failure);
            synchronized (retryWait) {
                long deadline = System.currentTimeMillis() + waitMs;
                long rest;
                while (!stopping && (rest = deadline - System.currentTimeMillis()) > 0) {
                    try {
                        retryWait.wait(rest);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (stopping) {
                return;
            }
            try {
                consumer = newConsumer();
            } catch (KafkaException e) {
                LOG.warning("cannot make a new group consumer: " + e.getMessage());
            }
        }
    }

    /**
     * One membership with {@code c} until closed (null) or until it fails: then its shards are lost, the consumer
     * closed, and the one-line reason returned.
     */
    private String member(KafkaConsumer<String, byte[]> c) {
        try {
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    handOver(partitions, "revoked");
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    lose(partitions, "its session in the group ended: expired, or fenced by another member");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Set<Integer> added = shards(partitions);
                    synchronized (owned) {
                        owned.addAll(added);
                    }
                    joined = true;
                    assignedThisAttempt = true;
                    if (failure != null) {
                        LOG.info("this node is back in its group");
                        failure = null;
                    }
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
                    c.enforceRebalance("capacity");
                }
                c.poll(Duration.ofMillis(200));
            }
            return null;
        } catch (WakeupException e) {
            if (stopping) {
                return null;
            }
            return failed(c, e);
        } catch (KafkaException | IllegalStateException e) {
            return failed(c, e);
        }
    }

    private String failed(KafkaConsumer<String, byte[]> c, RuntimeException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
        LOG.log(Level.SEVERE, "this node left the fleet's group: " + why, e);
        lose(ownedPartitions(), why);
        try {
            // Without leaving: a fenced member's leave could fence the member that replaced it.
            c.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                    .withTimeout(Duration.ofSeconds(2)));
        } catch (RuntimeException closeFailed) {
            LOG.fine("closing the failed group consumer: " + closeFailed.getMessage());
        }
        return why;
    }

    // The shards leave owned() before their streams stop: the node's housekeeping must not start them again.
    private void handOver(Collection<TopicPartition> partitions, String how) {
        Set<Integer> removed = shards(partitions);
        if (removed.isEmpty()) {
            return;
        }
        LOG.info("shards " + how + ": " + removed);
        synchronized (owned) {
            owned.removeAll(removed);
        }
        listener.revoked(removed);
    }

    private void lose(Collection<TopicPartition> partitions, String why) {
        Set<Integer> removed = shards(partitions);
        synchronized (owned) {
            removed.retainAll(owned);   // closing a failed consumer reports its shards lost a second time
        }
        joined = false;
        if (failure == null) {
            failure = "left the group (" + why + "); joining again";
        }
        if (removed.isEmpty()) {
            return;
        }
        LOG.warning("shards lost (" + why + "): " + removed);
        synchronized (owned) {
            owned.removeAll(removed);
        }
        listener.lost(removed, why);
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
        synchronized (retryWait) {
            retryWait.notifyAll();
        }
        KafkaConsumer<String, byte[]> consumer = this.consumer;
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
