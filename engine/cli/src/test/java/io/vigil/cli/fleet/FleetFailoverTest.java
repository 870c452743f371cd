package io.vigil.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.server.fleet.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code vigil serve} JVMs on one broker with six live UDP streams: a node killed with SIGKILL has its streams
 * running on the others within the bound; the black alarm it left firing is continued by the new node and resolves
 * exactly once; each stream's events are in order in the events topic; the killed node restarted with its identity
 * within the session timeout gets its shards back.
 */
@Timeout(300)
class FleetFailoverTest {
    /** Kill to frames flowing on another node: the session timeout (6 s) plus a rebalance and an open. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aKilledNodesStreamsMoveAndItsFiringAlarmResolvesOnce() throws Exception {
        String prefix = "f" + UUID.randomUUID().toString().substring(0, 8);
        try (FleetHarness fleet = new FleetHarness(dir, KafkaBroker.shared().bootstrapServers(), prefix, 12)) {
            for (int i = 0; i < 3; i++) {
                fleet.addNode("node-" + i, "all");
            }
            for (FleetHarness.Node n : fleet.nodes()) {
                FleetHarness.await(Duration.ofSeconds(90), n.id + " ready", () -> fleet.ready(n));
            }
            FleetHarness.Node entry = fleet.node("node-0");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String id = i == 0 ? "dark" : "ch-" + i;
                // "dark" is black from 3 s to 45 s of its source.
                String url = i == 0 ? fleet.source(300, 3, 45) : fleet.source(300, 0, 0);
                fleet.addStream(fleet.nodes().get(i % 3), id, url, List.of("stall", "black"));
                ids.add(id);
            }
            for (String id : ids) {
                FleetHarness.await(Duration.ofSeconds(60), id + " running",
                        () -> fleet.runner(entry, id, "all") != null);
            }
            FleetHarness.await(Duration.ofSeconds(30), "black firing on dark", () -> blackOf(fleet, "dark").size() == 1);
            // Streams added after the assignment land where their shards are; a node over its share (2 of 6, plus
            // one) asks for a rebalance.
            FleetHarness.await(Duration.ofSeconds(60), "no node running more than 3 of the 6 streams", () -> {
                Map<String, Integer> perNode = new HashMap<>();
                for (JsonNode s : fleet.streams(entry)) {
                    String r = runnerIn(s);
                    if (r == null) {
                        return false;
                    }
                    perNode.merge(r, 1, Integer::sum);
                }
                return perNode.values().stream().allMatch(n -> n <= 3);
            });

            // Kill -9 the node that runs "dark"; watch from another node.
            String victimId = fleet.runner(entry, "dark", "all");
            FleetHarness.Node victim = fleet.node(victimId);
            FleetHarness.Node watcher = fleet.nodes().stream().filter(n -> !n.id.equals(victimId)).findFirst()
                    .orElseThrow();
            List<String> moved = fleet.streams(watcher).stream()
                    .filter(s -> victimId.equals(runnerIn(s))).map(s -> s.path("id").asText()).toList();
            long killed = System.nanoTime();
            fleet.kill(victim);
            Map<String, Double> movedAfter = new HashMap<>();
            FleetHarness.await(FAILOVER_BOUND, "the killed node's streams running elsewhere", () -> {
                for (String id : moved) {
                    String now = fleet.runner(watcher, id, "all");
                    if (now != null && !now.equals(victimId) && !movedAfter.containsKey(id)) {
                        movedAfter.put(id, (System.nanoTime() - killed) / 1e9);
                    }
                }
                return movedAfter.size() == moved.size();
            });
            System.out.printf("failover: %d stream(s) moved after kill -9 in %s s%n", moved.size(), movedAfter.values());

            // The black the dead node left firing resolves once, when the source's black ends (45 s), with its start.
            FleetHarness.await(Duration.ofSeconds(90), "black resolved on dark",
                    () -> blackOf(fleet, "dark").size() >= 2);
            Thread.sleep(2000);
            List<JsonNode> black = blackOf(fleet, "dark");
            assertThat(black).extracting(a -> a.path("status").asText()).containsExactly("firing", "resolved");
            assertThat(black.get(1).path("start").asDouble()).isEqualTo(black.get(0).path("start").asDouble());
            assertThat(black.get(1).has("cause")).isFalse();

            // Per stream and alarm, the events alternate firing, resolved.
            for (var e : fleet.eventsByStream().entrySet()) {
                Map<String, String> last = new HashMap<>();
                for (JsonNode ev : e.getValue()) {
                    if (!ev.path("type").asText().equals("alarm")) {
                        continue;
                    }
                    String key = ev.path("dedupKey").asText();
                    String status = ev.path("status").asText();
                    assertThat(status).as("event after %s of %s", last.get(key), key)
                            .isEqualTo("firing".equals(last.get(key)) ? "resolved" : "firing");
                    last.put(key, status);
                }
                // And the contract's invariants: end >= start, duration, the resolved carrying its firing's start...
                EventInvariants.assertSoFar(e.getValue().stream().map(EventInvariants::fromJson)
                        .filter(java.util.Objects::nonNull).toList());
            }
        }
    }

    @Test
    void aNodeRestartedWithItsIdentityGetsItsShardsBack() throws Exception {
        String prefix = "r" + UUID.randomUUID().toString().substring(0, 8);
        try (FleetHarness fleet = new FleetHarness(dir, KafkaBroker.shared().bootstrapServers(), prefix, 12)) {
            FleetHarness.Node a = fleet.addNode("keep-a", "all");
            FleetHarness.Node b = fleet.addNode("keep-b", "all");
            for (FleetHarness.Node n : fleet.nodes()) {
                FleetHarness.await(Duration.ofSeconds(90), n.id + " ready", () -> fleet.ready(n));
            }
            List<String> ids = List.of("k1", "k2", "k3", "k4");
            for (String id : ids) {
                fleet.addStream(a, id, fleet.source(300, 0, 0), List.of("stall"));
            }
            for (String id : ids) {
                FleetHarness.await(Duration.ofSeconds(60), id + " running", () -> fleet.runner(a, id, "all") != null);
            }
            // A node over its share asks for a rebalance once the streams are in: wait for a placement that holds.
            Map<String, String> before = new HashMap<>();
            long settle = System.nanoTime() + 90_000_000_000L;
            while (true) {
                Map<String, String> first = fleet.placement(a, ids);
                Thread.sleep(6000);
                Map<String, String> second = fleet.placement(a, ids);
                if (first.size() == ids.size() && first.equals(second)) {
                    before.putAll(second);
                    break;
                }
                if (System.nanoTime() > settle) {
                    throw new AssertionError("the streams' placement did not settle: " + second);
                }
            }
            fleet.kill(b);
            fleet.start(b);   // same node id, within the session timeout: static membership keeps its shards
            FleetHarness.await(Duration.ofSeconds(60), "keep-b ready again", () -> fleet.ready(b));
            for (String id : ids) {
                FleetHarness.await(Duration.ofSeconds(60), id + " running again",
                        () -> before.get(id).equals(fleet.runner(a, id, "all")));
            }
        }
    }

    private static String runnerIn(JsonNode stream) {
        for (JsonNode p : stream.path("placements")) {
            if (p.path("state").asText().equals("running")) {
                return p.path("node").asText();
            }
        }
        return null;
    }

    private static List<JsonNode> blackOf(FleetHarness fleet, String stream) {
        try {
            return fleet.eventsByStream().getOrDefault(stream, List.of()).stream()
                    .filter(e -> e.path("type").asText().equals("alarm") && e.path("detector").asText().equals("black"))
                    .toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
