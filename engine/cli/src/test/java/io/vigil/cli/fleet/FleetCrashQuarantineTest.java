package io.vigil.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.server.fleet.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash quarantine across a fleet, with real {@code vigil serve} JVMs killed with SIGKILL (what a crash in native
 * code does to a node: no shutdown hook, nothing written): the streams of a node killed move to the other node; when
 * that node is killed too, a stream that was running at both exits starts quarantined on the node assigned it next
 * (here the first node, restarted), with its monitoring_failed alarm; a stream running at only the second exit runs;
 * releasing it through that node's API lets it run.
 */
@Timeout(240)
class FleetCrashQuarantineTest {
    @TempDir
    Path dir;

    @Test
    void aStreamRunningWhenTwoNodesDiedInARowStartsQuarantinedOnTheNext() throws Exception {
        String prefix = "q" + UUID.randomUUID().toString().substring(0, 8);
        try (FleetHarness fleet = new FleetHarness(dir, KafkaBroker.shared().bootstrapServers(), prefix, 12)) {
            FleetHarness.Node a = fleet.addNode("crash-a", "all");
            FleetHarness.Node b = fleet.addNode("crash-b", "all");
            for (FleetHarness.Node n : fleet.nodes()) {
                FleetHarness.await(Duration.ofSeconds(90), n.id + " ready", () -> fleet.ready(n));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add("c" + i);
                fleet.addStream(a, "c" + i, fleet.source(300, 0, 0), List.of("stall"));
            }
            FleetHarness.await(Duration.ofSeconds(60), "every stream running, on both nodes", () -> {
                Map<String, String> where = fleet.placement(a, ids);
                return where.size() == ids.size() && where.containsValue(a.id) && where.containsValue(b.id);
            });

            // Crash 1: the node that runs c0. Its streams move to the other node.
            Map<String, String> before = fleet.placement(a, ids);
            FleetHarness.Node first = fleet.node(before.get("c0"));
            FleetHarness.Node second = first == a ? b : a;
            List<String> atBoth = ids.stream().filter(id -> before.get(id).equals(first.id)).toList();
            List<String> atSecondOnly = ids.stream().filter(id -> before.get(id).equals(second.id)).toList();
            fleet.kill(first);
            FleetHarness.await(Duration.ofSeconds(60), "every stream running on " + second.id,
                    () -> fleet.placement(second, ids).values().stream().allMatch(second.id::equals)
                            && fleet.placement(second, ids).size() == ids.size());

            // Crash 2: the other node. The first comes back (same identity) and is assigned every stream.
            fleet.kill(second);
            fleet.start(first);
            FleetHarness.await(Duration.ofSeconds(90), first.id + " ready again", () -> fleet.ready(first));
            FleetHarness.await(Duration.ofSeconds(60), "every stream placed on " + first.id, () -> {
                Map<String, String> states = states(fleet, first, ids);
                return states.size() == ids.size() && atBoth.stream().allMatch(id -> "quarantined".equals(states.get(id)))
                        && atSecondOnly.stream().allMatch(id -> "running".equals(states.get(id)))
                        // quarantined when placed; its alarm is raised by the stream's own thread, a moment later
                        && fleet.streams(first).stream().anyMatch(s -> s.path("id").asText().equals("c0")
                                && s.path("activeAlarms").findValuesAsText("detector").contains("monitoring_failed"));
            });
            JsonNode poison = fleet.streams(first).stream().filter(s -> s.path("id").asText().equals("c0"))
                    .findFirst().orElseThrow();
            assertThat(poison.path("lastError").asText())
                    .startsWith("Quarantined: vigil nodes exited uncleanly 2 times in a row")
                    .contains("last on node " + second.id);
            assertThat(poison.path("activeAlarms").findValuesAsText("detector")).contains("monitoring_failed");

            // Released on the node that holds it: it runs again.
            fleet.release(first, "c0");
            FleetHarness.await(Duration.ofSeconds(30), "c0 running after its release",
                    () -> "running".equals(states(fleet, first, ids).get("c0")));
            FleetHarness.await(Duration.ofSeconds(30), "c0's monitoring_failed resolved in the events topic",
                    () -> monitoringFailed(fleet, "c0").size() == 2);
            assertThat(monitoringFailed(fleet, "c0")).extracting(e -> e.path("status").asText())
                    .containsExactly("firing", "resolved");
            for (var e : fleet.eventsByStream().entrySet()) {
                EventInvariants.assertSoFar(e.getValue().stream().map(EventInvariants::fromJson)
                        .filter(java.util.Objects::nonNull).toList());
            }
        }
    }

    /** Each stream's state as {@code via} reports it. */
    private static Map<String, String> states(FleetHarness fleet, FleetHarness.Node via, List<String> ids) {
        return fleet.streams(via).stream().filter(s -> ids.contains(s.path("id").asText()))
                .collect(Collectors.toMap(s -> s.path("id").asText(), s -> s.path("state").asText()));
    }

    private static List<JsonNode> monitoringFailed(FleetHarness fleet, String stream) {
        try {
            return fleet.eventsByStream().getOrDefault(stream, List.of()).stream()
                    .filter(e -> e.path("type").asText().equals("alarm")
                            && e.path("detector").asText().equals("monitoring_failed"))
                    .toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
