package io.vigil.server.fleet;

/**
 * A node's own line in the status topic (key {@code @node/<role>/<node>}), written with its statuses every few
 * seconds: which nodes of each role are alive and what they can take, so that a node can tell that it holds more than
 * its share (streams added after the last assignment land where their shards are) and ask for a rebalance.
 */
record NodeBeat(String node, String role, String nodeUrl, int capacity, int running, long updatedMillis) {
    static final String KEY_PREFIX = "@node/";

    static String key(String role, String node) {
        return KEY_PREFIX + role + "/" + node;
    }
}
