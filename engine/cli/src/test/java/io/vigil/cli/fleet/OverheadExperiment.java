package io.vigil.cli.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code bench/run-failover.sh overhead STREAMS}: the cost of cluster mode. The same STREAMS live sources run on one
 * single node (no cluster section), then on one fleet node (role all) on the broker; each is measured over 60 s after
 * a 20 s warm-up: CPU seconds per second (from /proc/PID/stat, the whole JVM) and resident memory (VmRSS).
 */
public final class OverheadExperiment {
    private static final int WARMUP_SECONDS = 20;
    private static final int MEASURE_SECONDS = 60;

    private OverheadExperiment() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int streams = Integer.parseInt(args[1]);
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("vigil-overhead");
        Files.createDirectories(dir);
        String prefix = "o" + UUID.randomUUID().toString().substring(0, 8);
        try (FleetHarness fleet = new FleetHarness(dir, bootstrap, prefix, 64)) {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                urls.add(fleet.source(3600, 0, 0));
            }
            double[] single = measure(fleet, fleet.addSingleNode("single"), urls, "single node");
            double[] cluster = measure(fleet, fleet.addNode("fleet-0", "all"), urls, "fleet node");
            System.out.printf("overhead: %d streams; single node %.3f CPU s/s, %.0f MiB; fleet node %.3f CPU s/s,"
                            + " %.0f MiB; cluster mode costs %+.3f CPU s/s (%+.0f%%), %+.0f MiB%n", streams,
                    single[0], single[1], cluster[0], cluster[1], cluster[0] - single[0],
                    100 * (cluster[0] / single[0] - 1), cluster[1] - single[1]);
        }
    }

    /** Runs the streams on {@code node}; returns {CPU seconds per second, RSS MiB}; stops the node and its streams. */
    private static double[] measure(FleetHarness fleet, FleetHarness.Node node, List<String> urls, String what)
            throws Exception {
        FleetHarness.await(Duration.ofSeconds(120), node.id + " ready", () -> fleet.ready(node));
        for (int i = 0; i < urls.size(); i++) {
            fleet.addStream(node, "ov-" + i, urls.get(i), List.of("black", "freeze", "silence", "stall"));
        }
        Thread.sleep(WARMUP_SECONDS * 1000L);
        long pid = node.process.pid();
        double cpu0 = cpuSeconds(pid);
        long t0 = System.nanoTime();
        Thread.sleep(MEASURE_SECONDS * 1000L);
        double cpu = (cpuSeconds(pid) - cpu0) / ((System.nanoTime() - t0) / 1e9);
        double rssMiB = rssKiB(pid) / 1024.0;
        System.err.printf("run-failover: %s: %.3f CPU s/s, %.0f MiB resident%n", what, cpu, rssMiB);
        for (int i = 0; i < urls.size(); i++) {
            fleet.removeStream(node, "ov-" + i);
        }
        fleet.stop(node);
        return new double[] {cpu, rssMiB};
    }

    private static double cpuSeconds(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name; clock ticks of 1/100 s.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    private static long rssKiB(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
