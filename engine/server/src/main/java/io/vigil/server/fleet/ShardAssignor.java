package io.vigil.server.fleet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;

/**
 * Hands a role's shards to its nodes so that no node gets more streams than it can decode (Kafka's own assignors
 * count partitions; a shard may hold many streams or none).
 *
 * <p>Each node sends its capacity ({@code cluster.maxStreams}) with its subscription; the group's leader weighs each
 * shard by the streams its desired-state view puts there. A node keeps the shards it owns while they fit its fair
 * share (the fleet's streams split in proportion to capacity) and its capacity; the rest go, heaviest first, to the
 * node with the most room. A shard that fits nowhere stays unassigned (the fleet view and {@code
 * vigil_fleet_streams{state="unassigned"}} show its streams) until a node with room joins or streams go away. Empty
 * shards are spread by count, so new streams spread too.
 *
 * <p>Cooperative (incremental) rebalancing, as Kafka's CooperativeStickyAssignor does it: a shard moving from one
 * live node to another is only taken from the first in this round; the consumer revokes it and rejoins, and the next
 * round gives it to the second. A node never runs a stream another node still runs.
 */
public final class ShardAssignor implements ConsumerPartitionAssignor, Configurable {
    /** The consumer config key under which the node's {@link Weights} travel to the assignor Kafka instantiates. */
    static final String WEIGHTS_CONFIG = "vigil.fleet.weights";

    /** What this node knows that the assignment needs. */
    interface Weights {
        /** The most streams this node runs at once. */
        int capacity();

        /** How many streams each shard of {@code shardCount} holds, by the desired state this node has read. */
        int[] streamsPerShard(int shardCount);

        /** A rebalance round finished (for the metrics). */
        default void rebalanced() {
        }
    }

    private Weights weights;

    @Override
    public void configure(Map<String, ?> configs) {
        Object w = configs.get(WEIGHTS_CONFIG);
        if (!(w instanceof Weights given)) {
            throw new IllegalArgumentException(WEIGHTS_CONFIG + " must carry the node's shard weights");
        }
        weights = given;
    }

    @Override
    public String name() {
        return "vigil-shards";
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        return List.of(RebalanceProtocol.COOPERATIVE);
    }

    @Override
    public ByteBuffer subscriptionUserData(Set<String> topics) {
        return ByteBuffer.allocate(4).putInt(0, weights.capacity());
    }

    @Override
    public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
        weights.rebalanced();
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        Map<String, Subscription> subscriptions = groupSubscription.groupSubscription();
        String topic = subscriptions.values().stream().flatMap(s -> s.topics().stream()).findFirst().orElse(null);
        Integer partitions = topic == null ? null : metadata.partitionCountForTopic(topic);
        Map<String, Assignment> out = new HashMap<>();
        if (partitions == null) {
            subscriptions.keySet().forEach(m -> out.put(m, new Assignment(List.of())));
            return new GroupAssignment(out);
        }
        List<Member> members = new ArrayList<>();
        for (var e : subscriptions.entrySet()) {
            Subscription s = e.getValue();
            int capacity = s.userData() != null && s.userData().remaining() >= 4
                    ? s.userData().getInt(s.userData().position()) : Integer.MAX_VALUE;
            Set<Integer> owned = new HashSet<>();
            for (TopicPartition tp : s.ownedPartitions()) {
                if (tp.topic().equals(topic) && tp.partition() < partitions) {
                    owned.add(tp.partition());
                }
            }
            members.add(new Member(e.getKey(), s.groupInstanceId().orElse(e.getKey()), capacity, owned));
        }
        Map<String, List<Integer>> plan = plan(members, weights.streamsPerShard(partitions));
        for (var e : plan.entrySet()) {
            out.put(e.getKey(), new Assignment(e.getValue().stream().map(p -> new TopicPartition(topic, p)).toList()));
        }
        return new GroupAssignment(out);
    }

    /** One node of the group as the leader sees it. */
    record Member(String memberId, String instanceId, int capacity, Set<Integer> owned) {
    }

    /**
     * The shards each member gets this round (by member id), given the streams per shard. Pure: the tests call it.
     */
    static Map<String, List<Integer>> plan(List<Member> given, int[] streamsPerShard) {
        List<Member> members = new ArrayList<>(given);
        members.sort(Comparator.comparing(Member::instanceId));
        int n = members.size();
        int shardCount = streamsPerShard.length;
        long total = 0;
        long capacityTotal = 0;
        for (int w : streamsPerShard) {
            total += w;
        }
        for (Member m : members) {
            capacityTotal += m.capacity();
        }
        Map<String, Integer> fair = new HashMap<>();
        Map<String, Integer> load = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        Map<String, List<Integer>> result = new LinkedHashMap<>();
        int fairCount = n == 0 ? 0 : (shardCount + n - 1) / n;
        for (Member m : members) {
            long share = capacityTotal == 0 ? 0 : (long) Math.ceil((double) total * m.capacity() / capacityTotal);
            fair.put(m.memberId(), (int) Math.min(m.capacity(), share));
            load.put(m.memberId(), 0);
            count.put(m.memberId(), 0);
            result.put(m.memberId(), new ArrayList<>());
        }
        Map<Integer, String> previousOwner = new HashMap<>();
        Set<Integer> placed = new HashSet<>();
        // 1. Keep what fits: heavy shards first, each within the member's fair share and capacity.
        for (Member m : members) {
            List<Integer> owned = new ArrayList<>(m.owned());
            owned.removeIf(p -> previousOwner.putIfAbsent(p, m.memberId()) != null);
            owned.sort(Comparator.comparingInt((Integer p) -> -streamsPerShard[p]).thenComparing(p -> p));
            for (int p : owned) {
                int w = streamsPerShard[p];
                String id = m.memberId();
                // A member keeps its heaviest owned shard whatever its share (moving it helps no one).
                boolean fits = w == 0 ? count.get(id) < fairCount
                        : load.get(id) + w <= m.capacity() && (load.get(id) + w <= fair.get(id) || load.get(id) == 0);
                if (fits) {
                    take(id, p, w, load, count, result);
                    placed.add(p);
                }
            }
        }
        // 2. The rest, heaviest first, to the member with the most room under its fair share (then under capacity).
        List<Integer> rest = new ArrayList<>();
        for (int p = 0; p < shardCount; p++) {
            if (!placed.contains(p)) {
                rest.add(p);
            }
        }
        rest.sort(Comparator.comparingInt((Integer p) -> -streamsPerShard[p]).thenComparing(p -> p));
        for (int p : rest) {
            int w = streamsPerShard[p];
            Member best = null;
            long bestRoom = Long.MIN_VALUE;
            for (Member m : members) {
                String id = m.memberId();
                if (load.get(id) + w > m.capacity()) {
                    continue;
                }
                // Room under the fair share counts first; among equals, fewer shards.
                long room = w == 0 ? -count.get(id) : (long) (fair.get(id) - load.get(id)) * shardCount - count.get(id);
                if (room > bestRoom) {
                    bestRoom = room;
                    best = m;
                }
            }
            if (best == null) {
                continue;   // fits nowhere: unassigned until capacity frees up
            }
            String owner = previousOwner.get(p);
            if (owner != null && !owner.equals(best.memberId())) {
                // Moves between live members: revoked this round, given next round (cooperative protocol). Counted
                // against the new owner now so the plan does not change its mind next round.
                load.merge(best.memberId(), w, Integer::sum);
                count.merge(best.memberId(), 1, Integer::sum);
                continue;
            }
            take(best.memberId(), p, w, load, count, result);
        }
        return result;
    }

    private static void take(String id, int p, int w, Map<String, Integer> load, Map<String, Integer> count,
                             Map<String, List<Integer>> result) {
        load.merge(id, w, Integer::sum);
        count.merge(id, 1, Integer::sum);
        result.get(id).add(p);
    }
}
