/**
 * A fleet of vigil nodes sharing streams through Kafka: desired state in a compacted topic, shards handed out by a
 * consumer group per role, events and open alarms written in one transaction, a fleet view every node's API shows,
 * a crash record that follows each stream from node to node.
 * Loaded only when the config has a {@code cluster} section.
 */
package io.vigil.server.fleet;
