package io.vigil.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * {@code bench/run-failover.sh}: NODES vigil nodes (separate JVMs) on a broker, STREAMS live UDP sources each black
 * for 8 s of every 30 s, KILLS rounds of SIGKILL to a random node (restarted 10 s later with its identity). Measures,
 * per kill, the time from the kill to frames flowing again on another node for each of the victim's streams, and to
 * the resolution of the alarms it left firing; at the end removes every stream (every alarm resolves) and checks the
 * events topic: an alarm fired and never resolved is lost, two firings (or two resolutions) in a row are duplicated.
 * A stream that was running on the victims of two kills in a row lands quarantined (the fleet's crash record cannot
 * tell it from a poison stream): the experiment releases it, so its move time includes the release.
 * The last line: {@code failover: median X s, max Y s, alarms lost N, duplicated D, kills K}.
 */
public final class FailoverExperiment {
    private FailoverExperiment() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FailoverExperiment BOOTSTRAP NODES STREAMS KILLS [WORKDIR]");
            System.exit(2);
        }
        String bootstrap = args[0];
        int nodeCount = Integer.parseInt(args[1]);
        int streamCount = Integer.parseInt(args[2]);
        int kills = Integer.parseInt(args[3]);
        Path dir = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("vigil-failover");
        Files.createDirectories(dir);
        Random random = new Random(42);
        String prefix = "x" + UUID.randomUUID().toString().substring(0, 8);
        List<Double> moveSeconds = new ArrayList<>();
        List<Double> resolveSeconds = new ArrayList<>();
        try (FleetHarness fleet = new FleetHarness(dir, bootstrap, prefix, 64)) {
            // All nodes but the last first; the last joins once the streams run (the join's rebalance is timed).
            for (int i = 0; i < nodeCount - 1; i++) {
                fleet.addNode("node-" + i, "all");
            }
            for (FleetHarness.Node n : fleet.nodes()) {
                FleetHarness.await(Duration.ofSeconds(120), n.id + " ready", () -> fleet.ready(n));
            }
            log("%d nodes ready (logs in %s)", nodeCount - 1, dir);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < streamCount; i++) {
                String id = "ch-" + i;
                fleet.addStream(fleet.nodes().get(i % (nodeCount - 1)), id, fleet.periodicBlackSource(3600),
                        List.of("stall", "black"));
                ids.add(id);
            }
            FleetHarness.Node any = fleet.nodes().getFirst();
            for (String id : ids) {
                FleetHarness.await(Duration.ofSeconds(120), id + " running", () -> runnerSeen(fleet, id) != null);
            }
            log("%d streams running", streamCount);
            String joinerId = "node-" + (nodeCount - 1);
            long joined = System.nanoTime();
            FleetHarness.Node joiner = fleet.addNode(joinerId, "all");
            FleetHarness.await(Duration.ofSeconds(120), joinerId + " ready", () -> fleet.ready(joiner));
            double readySeconds = (System.nanoTime() - joined) / 1e9;
            FleetHarness.await(Duration.ofSeconds(120), "a stream running on " + joinerId,
                    () -> ids.stream().anyMatch(id -> joinerId.equals(fleet.runner(any, id, "all"))));
            double joinSeconds = (System.nanoTime() - joined) / 1e9;
            Thread.sleep(5000);
            long onJoiner = ids.stream().filter(id -> joinerId.equals(fleet.runner(any, id, "all"))).count();
            log("join: %s ready %.1f s after its process started; its first stream running %.1f s after the start;"
                    + " %d of %d streams on it 5 s later", joinerId, readySeconds, joinSeconds, onJoiner, streamCount);
            for (int k = 1; k <= kills; k++) {
                Thread.sleep(12_000 + random.nextInt(8_000));
                List<FleetHarness.Node> up = fleet.nodes().stream().filter(n -> n.process != null).toList();
                FleetHarness.Node victim = up.get(random.nextInt(up.size()));
                FleetHarness.Node watcher = up.stream().filter(n -> n != victim).findFirst().orElseThrow();
                List<String> theirs = new ArrayList<>();
                for (String id : ids) {
                    if (victim.id.equals(fleet.runner(watcher, id, "all"))) {
                        theirs.add(id);
                    }
                }
                Map<String, JsonNode> firingBefore = firingNow(fleet);
                long killed = System.nanoTime();
                fleet.kill(victim);
                Map<String, Double> moved = new HashMap<>();
                java.util.Set<String> released = new java.util.HashSet<>();
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (moved.size() < theirs.size() && System.nanoTime() < deadline) {
                    for (String id : theirs) {
                        // Running at this kill and the one before: quarantined where it landed, as a poison stream
                        // would be. The experiment plays the operator who releases it.
                        String q = fleet.holder(watcher, id, "all", "quarantined");
                        if (q != null && !q.equals(victim.id) && released.add(id + "@" + k)) {
                            log("kill %d: %s quarantined on %s (running at two unclean exits in a row); releasing it",
                                    k, id, q);
                            fleet.release(fleet.node(q), id);
                        }
                        String r = fleet.runner(watcher, id, "all");
                        if (r != null && !r.equals(victim.id) && !moved.containsKey(id)) {
                            moved.put(id, (System.nanoTime() - killed) / 1e9);
                        }
                    }
                    Thread.sleep(100);
                }
                moveSeconds.addAll(moved.values());
                log("kill %d: %s held %d stream(s); running elsewhere after %s s", k, victim.id, theirs.size(),
                        moved.values());
                // The alarms the victim left firing: time to their resolution (continued or failover).
                List<String> stale = new ArrayList<>();
                for (var e : firingBefore.entrySet()) {
                    if (theirs.contains(e.getValue().path("stream").asText())) {
                        stale.add(e.getKey());
                    }
                }
                long resolveDeadline = System.nanoTime() + 60_000_000_000L;
                while (!stale.isEmpty() && System.nanoTime() < resolveDeadline) {
                    Map<String, JsonNode> now = firingNow(fleet);
                    stale.removeIf(key -> {
                        if (!now.containsKey(key) || now.get(key) != firingBefore.get(key)
                                && !now.get(key).equals(firingBefore.get(key))) {
                            resolveSeconds.add((System.nanoTime() - killed) / 1e9);
                            return true;
                        }
                        return false;
                    });
                    Thread.sleep(500);
                }
                Thread.sleep(10_000);
                fleet.start(victim);
                FleetHarness.await(Duration.ofSeconds(120), victim.id + " back", () -> fleet.ready(victim));
            }
            log("removing every stream");
            for (String id : ids) {
                fleet.removeStream(any, id);
            }
            Thread.sleep(10_000);
            int lost = 0;
            int duplicated = 0;
            for (var e : fleet.eventsByStream().entrySet()) {
                Map<String, String> last = new HashMap<>();
                for (JsonNode ev : e.getValue()) {
                    if (!ev.path("type").asText().equals("alarm")) {
                        continue;
                    }
                    String key = ev.path("dedupKey").asText();
                    String status = ev.path("status").asText();
                    if (status.equals(last.get(key))) {
                        duplicated++;
                    }
                    last.put(key, status);
                }
                lost += (int) last.values().stream().filter("firing"::equals).count();
            }
            moveSeconds.sort(Double::compare);
            resolveSeconds.sort(Double::compare);
            log("stale alarms resolved after kill: %s s", resolveSeconds);
            double median = moveSeconds.isEmpty() ? Double.NaN : moveSeconds.get(moveSeconds.size() / 2);
            double max = moveSeconds.isEmpty() ? Double.NaN : moveSeconds.getLast();
            System.out.printf("failover: median %.1f s, max %.1f s, alarms lost %d, duplicated %d, kills %d%n",
                    median, max, lost, duplicated, kills);
        }
    }

    /** The alarms firing now, by dedupKey (the last event of each in the events topic is a firing). */
    private static Map<String, JsonNode> firingNow(FleetHarness fleet) throws java.io.IOException {
        Map<String, JsonNode> last = new HashMap<>();
        for (List<JsonNode> events : fleet.eventsByStream().values()) {
            for (JsonNode ev : events) {
                if (ev.path("type").asText().equals("alarm")) {
                    last.put(ev.path("dedupKey").asText(), ev);
                }
            }
        }
        last.values().removeIf(ev -> !ev.path("status").asText().equals("firing"));
        return last;
    }

    private static String runnerSeen(FleetHarness fleet, String id) {
        for (FleetHarness.Node n : fleet.nodes()) {
            if (n.process != null) {
                String r = fleet.runner(n, id, "all");
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private static void log(String format, Object... args) {
        System.err.printf("run-failover: " + format + "%n", args);
    }
}
