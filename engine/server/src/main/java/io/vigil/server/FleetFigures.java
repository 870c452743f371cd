package io.vigil.server;

/**
 * A fleet node's figures for {@code /metrics}.
 *
 * @param node this node's id
 * @param role this node's role
 * @param shardsOwned shards of its role's group this node owns
 * @param shards shards in all
 * @param streamsRunning streams this node runs
 * @param streamsWaiting streams of its shards it does not run for want of capacity ({@code cluster.maxStreams})
 * @param streamsUnassigned desired streams no node of this role runs, as this node sees the fleet
 * @param rebalances assignments this node has received from its group
 * @param eventsSent events this node wrote to the events topic
 * @param eventsLost events this node could not write (its queue to Kafka overflowed)
 * @param alarmsContinued alarms left firing by another node that this node's detectors raised again
 * @param alarmsResolvedOnFailover alarms left firing by another node that this node resolved (cause failover)
 */
public record FleetFigures(String node, String role, int shardsOwned, int shards, int streamsRunning,
                           int streamsWaiting, int streamsUnassigned, long rebalances, long eventsSent,
                           long eventsLost, long alarmsContinued, long alarmsResolvedOnFailover) {
}
