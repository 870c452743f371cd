package io.vigil.server.fleet;

import io.vigil.server.config.ServeConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The fleet's topics: their names, and their creation (or check, when they exist) at start.
 *
 * <ul>
 *   <li>{@code <prefix>.streams}: desired state, one record per stream id (a tombstone removes it); compacted.</li>
 *   <li>{@code <prefix>.shards}: no records; its partitions are the shards each role's consumer group hands out.</li>
 *   <li>{@code <prefix>.events}: every alarm, summary and error, keyed by stream; 7 days.</li>
 *   <li>{@code <prefix>.alarms}: the alarms firing now, keyed by role and dedupKey (a tombstone when resolved);
 *       compacted; written in the same transaction as the event.</li>
 *   <li>{@code <prefix>.status}: each running stream's latest status, keyed by stream and role; compacted.</li>
 *   <li>{@code <prefix>.crashes}: the fleet's crash record ({@link FleetCrashRecord}), keyed by stream and role;
 *       compacted.</li>
 * </ul>
 */
record FleetTopics(String streams, String shards, String events, String alarms, String status, String crashes) {
    private static final Logger LOG = Logger.getLogger(FleetTopics.class.getName());
    private static final long ADMIN_TIMEOUT_SECONDS = 30;
    private static final int EVENTS_PARTITIONS = 12;
    private static final String EVENTS_RETENTION_MS = Long.toString(7L * 24 * 3600 * 1000);

    static FleetTopics of(String prefix) {
        return new FleetTopics(prefix + ".streams", prefix + ".shards", prefix + ".events", prefix + ".alarms",
                prefix + ".status", prefix + ".crashes");
    }

    List<String> all() {
        return List.of(streams, shards, events, alarms, status, crashes);
    }

    /**
     * Creates the topics that are missing, with the replication the cluster allows, and checks those that exist
     * (a compacted topic that is not compacted would lose streams). Returns the number of shards (the shards topic's
     * partitions, which may differ from the config's when the topic already existed).
     */
    int ensure(Admin admin, ServeConfig.Cluster cluster) {
        try {
            int brokers = admin.describeCluster().nodes().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
            short replication = (short) (cluster.replicationFactor() > 0 ? cluster.replicationFactor()
                    : Math.max(1, Math.min(3, brokers)));
            if (replication > brokers) {
                throw new FleetException("cluster.replicationFactor is " + replication + " but the Kafka cluster has "
                        + brokers + (brokers == 1 ? " broker." : " brokers."));
            }
            String minInsync = Integer.toString(Math.max(1, Math.min(2, replication - 1)));
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted(cluster.shards(), replication, minInsync)) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    LOG.info("created topics " + missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Another node created them first.
                }
            }
            TopicDescription shardTopic = describeOnceKnown(admin);
            int partitions = shardTopic.partitions().size();
            if (partitions != cluster.shards()) {
                LOG.warning(shards + " has " + partitions + " partitions; cluster.shards says " + cluster.shards()
                        + ": the topic's count is used (a topic's partitions are not changed under a running fleet)");
            }
            return partitions;
        } catch (ExecutionException e) {
            throw new FleetException("Kafka refused to create or describe the fleet's topics: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new FleetException("Kafka at " + cluster.bootstrapServers() + " did not answer within "
                    + ADMIN_TIMEOUT_SECONDS + " s.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException("Interrupted while creating the fleet's topics.", e);
        } catch (KafkaException e) {
            throw new FleetException("Kafka: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the compacted topics and describes the shards topic, asking again while the broker answering says a
     * topic is unknown: a broker learns of topics just created a moment after the controller has them (longer on a
     * busy machine), so the first describe may not see them.
     */
    private TopicDescription describeOnceKnown(Admin admin)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
        while (true) {
            try {
                checkCompacted(admin, List.of(streams, alarms, status, crashes));
                return admin.describeTopics(List.of(shards)).allTopicNames()
                        .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(shards);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private List<NewTopic> wanted(int shardCount, short replication, String minInsync) {
        Map<String, String> compacted = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync,
                // Tombstones and old values go within the hour, so a node's start reads little.
                TopicConfig.SEGMENT_MS_CONFIG, "3600000",
                TopicConfig.DELETE_RETENTION_MS_CONFIG, "3600000",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
        return List.of(
                new NewTopic(streams, 1, replication).configs(compacted),
                new NewTopic(shards, shardCount, replication).configs(Map.of(
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync)),
                new NewTopic(events, EVENTS_PARTITIONS, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, EVENTS_RETENTION_MS,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync)),
                new NewTopic(alarms, 1, replication).configs(compacted),
                new NewTopic(status, 1, replication).configs(compacted),
                new NewTopic(crashes, 1, replication).configs(compacted));
    }

    private static void checkCompacted(Admin admin, Collection<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (var e : configs.entrySet()) {
            var policy = e.getValue().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new FleetException("Topic " + e.getKey().name() + " exists with cleanup.policy="
                        + (policy == null ? "?" : policy.value()) + "; the fleet needs it compacted "
                        + "(kafka-configs --alter --add-config cleanup.policy=compact).");
            }
        }
    }
}
