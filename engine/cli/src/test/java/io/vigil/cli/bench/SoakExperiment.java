package io.vigil.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run-soak.sh}: CHANNELS live UDP MPEG-TS channels (the bench's clip, 640x360 25 fps H.264 with a
 * keyframe every second, MP2 stereo tone) on air from the start, each from an arbitrary packet, and one real
 * {@code vigil serve} (a child JVM, CPU backend, default detectors, a state folder and a JSON-lines events log in the
 * work folder) that the channels are added to through the API at random, staggered times, so each join lands
 * mid-GOP. RESTARTS times over the run one channel's source stops for 3-8 s and starts again from the clip's start
 * (its timestamps start over, as an encoder's do); once, a stream is removed and added again (a re-join). At the end
 * every stream is removed and serve stopped with SIGTERM.
 *
 * <p>Every alarm is then classified from the events log: a {@code stall}, {@code discontinuity} or {@code corruption}
 * whose wall start falls within one of its channel's restart windows (the stop - 1 s to the restart + 15 s) is
 * expected ({@link #EXPLAINED_BY_RESTART}); every other alarm is false and printed whole.
 * The events must also keep {@link EventInvariants} (every firing resolved by the end). Every SAMPLE seconds (and at
 * the start, at the end and after every stream is removed) serve's RSS and threads (/proc), its /metrics (summed
 * over the streams: fps, frames, decode errors, reconnects, dropped frames; a re-joined stream counts afresh) and the
 * load average are sampled: one table row each. The last line: {@code soak: N false alarms, E expected, R restarts, RSS a -> b MB, threads c -> d}.
 */
public final class SoakExperiment {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * What a source restart explains: the outage itself ({@code stall}), its timestamps starting over
     * ({@code discontinuity}), and the picture it cut off ({@code corruption}: the source stops at any packet, so the
     * last picture before the outage is truncated, and a restart faster than the read timeout reaches the decoder in
     * the same input, the damaged picture with it).
     */
    private static final Set<String> EXPLAINED_BY_RESTART = Set.of("stall", "discontinuity", "corruption");
    private static final double WINDOW_BEFORE_SECONDS = 1;
    private static final double WINDOW_AFTER_SECONDS = 15;
    private static final Pattern METRIC = Pattern.compile(
            "^(vigil_stream_[a-z_]+)\\{[^}]*stream=\"([^\"]+)\"[^}]*}\\s+(\\S+)$");

    private final Path dir;
    private final TsLoop loop;
    private final Random random = new Random(12);
    private final List<Channel> channels = new ArrayList<>();
    private final List<String> table = new ArrayList<>();
    private Process serve;
    private int apiPort;
    private long startNanos;
    private int restartsDone;

    /** One channel: its port, its source now (null while stopped), its restart windows. */
    private static final class Channel {
        final String id;
        final int port;
        LiveSource source;
        final List<Instant[]> windows = new ArrayList<>();
        /** Per restart: when the source stopped and when it was on again. */
        final List<Instant[]> outages = new ArrayList<>();

        Channel(String id, int port) {
            this.id = id;
            this.port = port;
        }
    }

    private SoakExperiment(Path dir, TsLoop loop) {
        this.dir = dir;
        this.loop = loop;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SoakExperiment MINUTES CHANNELS RESTARTS WORKDIR [SAMPLE_SECONDS] (-Dvigil.soak.jar=vigil.jar)");
            System.exit(2);
        }
        double minutes = Double.parseDouble(args[0]);
        int channelCount = Integer.parseInt(args[1]);
        int restarts = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]).toAbsolutePath();
        int sampleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 600;
        Path jar = Path.of(System.getProperty("vigil.soak.jar", "engine/cli/target/vigil.jar")).toAbsolutePath();
        // Each restart's outage: 3-8 s at random, or this many seconds when set (to try long outages).
        double outageSeconds = Double.parseDouble(System.getProperty("vigil.soak.outageSeconds", "0"));
        Files.createDirectories(dir);
        Path clip = BenchClip.make(Path.of("ffmpeg"), new ClipSpec(640, 360, "h264", 25), dir);
        SoakExperiment soak = new SoakExperiment(dir, TsLoop.parse(Files.readAllBytes(clip), BenchClip.SECONDS));
        int falseAlarms = soak.run(jar, minutes, channelCount, restarts, sampleSeconds, outageSeconds);
        System.exit(falseAlarms == 0 ? 0 : 1);
    }

    private int run(Path jar, double minutes, int channelCount, int restarts, int sampleSeconds, double outageSeconds)
            throws Exception {
        long runNanos = Math.round(minutes * 60e9);
        startServe(jar);
        startNanos = System.nanoTime();
        for (int i = 0; i < channelCount; i++) {
            Channel c = new Channel("ch-" + i, LiveSource.freePort());
            c.source = LiveSource.onAir(loop, c.port, random.nextInt(loop.packets()), c.id);
            channels.add(c);
        }
        log("serve pid %d on port %d; %d channels on air; files in %s", serve.pid(), apiPort, channelCount, dir);
        sample();
        // Joins: staggered over the first 40 s (and at most a tenth of the run), each at a random moment.
        double joinSpanSeconds = Math.min(40, minutes * 6);
        List<double[]> plan = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            plan.add(new double[] {joinSpanSeconds * (i + random.nextDouble()) / channelCount, 0, i});
        }
        // Restarts: spread evenly from after the joins to 60 s before the end, a random channel each.
        double from = joinSpanSeconds + 20;
        double to = minutes * 60 - 60;
        for (int k = 0; k < restarts; k++) {
            double at = from + (to - from) * (k + 0.2 + 0.6 * random.nextDouble()) / restarts;
            plan.add(new double[] {at, 1, random.nextInt(channelCount)});
        }
        // One re-join half way through, on a channel chosen at random.
        plan.add(new double[] {minutes * 30 + 7, 2, random.nextInt(channelCount)});
        for (double s = sampleSeconds; s < minutes * 60; s += sampleSeconds) {
            plan.add(new double[] {s, 3, 0});
        }
        plan.sort(Comparator.comparingDouble(a -> a[0]));
        for (double[] step : plan) {
            sleepUntil(step[0]);
            Channel c = channels.get((int) step[2]);
            switch ((int) step[1]) {
                case 0 -> join(c);
                case 1 -> restart(c, outageSeconds > 0 ? outageSeconds : 3 + 5 * random.nextDouble());
                case 2 -> rejoin(c);
                default -> sample();
            }
        }
        sleepUntil(runNanos / 1e9);
        sample();
        for (Channel c : channels) {
            delete(c.id);
        }
        Thread.sleep(3000);
        sample();
        channels.forEach(c -> c.source.close());
        serve.destroy();
        boolean exited = serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        log("serve stopped: %s", exited ? "exit " + serve.exitValue() : "still running after 30 s (killed)");
        if (!exited) {
            serve.destroyForcibly().waitFor();
        }
        return report();
    }

    private void startServe(Path jar) throws IOException, InterruptedException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            apiPort = s.getLocalPort();
        }
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, """
                server:
                  bind: 127.0.0.1
                  port: %d
                  stateDir: %s
                limits:
                  allowedSchemes: [udp]
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  backend: cpu
                  decode:
                    ioTimeout: 5
                sinks:
                  jsonl: %s
                """.formatted(apiPort, dir.resolve("state"), dir.resolve("events.jsonl")));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-jar", jar.toString(), "serve", "--config", config.toString());
        serve = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("serve.log").toFile())).start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (get("/health/ready") != 200) {
            if (!serve.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("vigil serve did not become ready; see " + dir.resolve("serve.log"));
            }
            Thread.sleep(200);
        }
    }

    private void join(Channel c) throws IOException, InterruptedException {
        post(c.id, c.port);
        log("joined %s (about %.2f s after a keyframe)", c.id, gopPhaseSeconds(c));
    }

    /** About how far into the current second of the clip (a keyframe every second) the channel sends now. */
    private double gopPhaseSeconds(Channel c) {
        return (c.source.elapsedInClipNanos() % 1_000_000_000L) / 1e9;
    }

    private void restart(Channel c, double outageSeconds) throws InterruptedException {
        Instant stopped = Instant.now();
        c.source.close();
        c.source = null;
        Thread.sleep(Math.round(outageSeconds * 1000));
        c.source = LiveSource.onAir(loop, c.port, 0, c.id);
        Instant restarted = Instant.now();
        c.windows.add(new Instant[] {stopped.minusMillis(Math.round(WINDOW_BEFORE_SECONDS * 1000)),
                restarted.plusMillis(Math.round(WINDOW_AFTER_SECONDS * 1000))});
        c.outages.add(new Instant[] {stopped, restarted});
        restartsDone++;
        log("restart %d: %s off for %.1f s, on again from the clip's start", restartsDone, c.id, outageSeconds);
    }

    private void rejoin(Channel c) throws IOException, InterruptedException {
        delete(c.id);
        Thread.sleep(2000 + random.nextInt(3000));
        post(c.id, c.port);
        log("re-joined %s (removed and added again, about %.2f s after a keyframe)", c.id, gopPhaseSeconds(c));
    }

    private void sample() {
        double t = (System.nanoTime() - startNanos) / 60e9;
        Map<String, Long> status = procStatus(serve.pid());
        Map<String, Double> totals = new TreeMap<>();
        Map<String, Map<String, Double>> metrics = metrics();
        metrics.forEach((stream, m) -> m.forEach((k, v) -> totals.merge(k, v, Double::sum)));
        String load;
        try {
            String[] a = Files.readString(Path.of("/proc/loadavg")).split(" ");
            load = a[0] + " " + a[1] + " " + a[2];
        } catch (IOException e) {
            load = "?";
        }
        String row = String.format(Locale.ROOT,
                "| %5.1f | %6.0f | %7d | %7d | %5.0f | %10.0f | %8.0f | %7.0f | %10.0f | %7d | %s |",
                t, status.getOrDefault("VmRSS", -1L) / 1024.0, status.getOrDefault("Threads", -1L),
                metrics.size(), totals.getOrDefault("vigil_stream_fps", 0.0),
                totals.getOrDefault("vigil_stream_frames_total", 0.0),
                totals.getOrDefault("vigil_stream_decode_errors_total", 0.0),
                totals.getOrDefault("vigil_stream_reconnects_total", 0.0),
                totals.getOrDefault("vigil_stream_dropped_frames_total", 0.0), alarmsSoFar(), load);
        table.add(row);
        log("sample %s", row);
    }

    private long alarmsSoFar() {
        try {
            return Files.readAllLines(dir.resolve("events.jsonl")).stream()
                    .filter(l -> l.contains("\"status\":\"firing\"")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** VmRSS (kB) and Threads from /proc/PID/status. */
    private static Map<String, Long> procStatus(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                String[] kv = line.split(":\\s+", 2);
                if (kv.length == 2 && (kv[0].equals("VmRSS") || kv[0].equals("Threads"))) {
                    out.put(kv[0], Long.parseLong(kv[1].replace("kB", "").trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // The process is gone: the row shows -1.
        }
        return out;
    }

    /** Per stream, its vigil_stream_* figures from /metrics. */
    private Map<String, Map<String, Double>> metrics() {
        Map<String, Map<String, Double>> out = new TreeMap<>();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api("/metrics")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                Matcher m = METRIC.matcher(line.trim());
                if (m.matches()) {
                    out.computeIfAbsent(m.group(2), k -> new TreeMap<>()).put(m.group(1), Double.parseDouble(m.group(3)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            log("/metrics not read: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** Classifies every alarm of the events log, prints the totals; returns the false alarms (and broken invariants). */
    private int report() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("events.jsonl"));
        Map<String, Integer> byDetector = new TreeMap<>();
        Map<String, Integer> framesByStream = new TreeMap<>();
        List<String> falseAlarms = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        int expected = 0;
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            try {
                events.add(EventInvariants.fromJson(line));
            } catch (RuntimeException notAnEvent) {
                // a type the invariants do not model (warning, marker): checked by nothing here
            }
            if (e.path("type").asText().equals("summary")) {
                framesByStream.merge(e.path("stream").asText(), e.path("frames").asInt(), Integer::sum);
            }
            if (!e.path("type").asText().equals("alarm") || !e.path("status").asText().equals("firing")) {
                continue;
            }
            String detector = e.path("detector").asText();
            byDetector.merge(detector, 1, Integer::sum);
            if (EXPLAINED_BY_RESTART.contains(detector) && inRestartWindow(e.path("stream").asText(),
                    Instant.parse(e.path("wallStart").asText()))) {
                expected++;
            } else {
                falseAlarms.add(line);
            }
        }
        List<String> broken = EventInvariants.live().violations(events, true);
        List<String> outageLines = outages(lines);
        System.out.println();
        System.out.println("| min | RSS MB | threads | streams | fps | frames | decode errors | reconnects | dropped frames"
                + " | alarms | load 1/5/15 |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        table.forEach(System.out::println);
        System.out.println();
        System.out.println("alarms by detector: " + byDetector);
        System.out.println("frames per channel (summaries; a re-joined channel sums its two sessions): " + framesByStream);
        System.out.println("restarts done: " + restartsDone + "; restart windows per channel: "
                + channels.stream().map(c -> c.id + "=" + c.windows.size()).toList());
        outageLines.forEach(System.out::println);
        System.out.println("expected alarms: " + expected + "; false alarms: " + falseAlarms.size());
        falseAlarms.forEach(l -> System.out.println("  FALSE " + l));
        System.out.println("event invariants broken: " + broken.size());
        broken.forEach(b -> System.out.println("  BROKEN " + b));
        // RSS and threads from the first sample with every stream running to the last before they are removed.
        String first = table.get(Math.min(1, table.size() - 1));
        String end = table.get(Math.max(0, table.size() - 2));
        System.out.printf(Locale.ROOT, "soak: %d false alarms, %d expected, %d restarts, RSS %s -> %s MB, threads %s -> %s,"
                        + " %d invariants broken%n", falseAlarms.size(), expected, restartsDone, cell(first, 2),
                cell(end, 2), cell(first, 3), cell(end, 3), broken.size());
        return falseAlarms.size() + broken.size();
    }

    /** Per restart: how long the source was off, and what the stall that covered it said (the outage's record). */
    private List<String> outages(List<String> lines) throws IOException {
        List<JsonNode> stalls = new ArrayList<>();
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            if (e.path("detector").asText().equals("stall") && e.path("status").asText().equals("resolved")) {
                stalls.add(e);
            }
        }
        List<String> out = new ArrayList<>();
        for (Channel c : channels) {
            for (Instant[] o : c.outages) {
                double off = Duration.between(o[0], o[1]).toMillis() / 1000.0;
                String said = "no stall";
                for (JsonNode e : stalls) {
                    Instant start = Instant.parse(e.path("wallStart").asText());
                    if (e.path("stream").asText().equals(c.id) && !start.isBefore(o[0].minusSeconds(1))
                            && !start.isAfter(o[1])) {
                        said = String.format(Locale.ROOT, "stall %.2f s (stalledSeconds), wall %s .. %s, stalls %d",
                                e.path("metrics").path("stalledSeconds").asDouble(), e.path("wallStart").asText(),
                                e.path("wallEnd").asText(), e.path("metrics").path("stalls").asInt());
                    }
                }
                out.add(String.format(Locale.ROOT, "outage %s %s .. %s (%.2f s): %s", c.id, o[0], o[1], off, said));
            }
        }
        return out;
    }

    private static String cell(String row, int column) {
        return row.split("\\|")[column].trim();
    }

    private boolean inRestartWindow(String stream, Instant wallStart) {
        for (Channel c : channels) {
            if (c.id.equals(stream)) {
                for (Instant[] w : c.windows) {
                    if (!wallStart.isBefore(w[0]) && !wallStart.isAfter(w[1])) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void post(String id, int port) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("id", id, "url", "udp://127.0.0.1:" + port));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api("/api/streams")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("adding " + id + ": " + r.statusCode() + " " + r.body());
        }
    }

    private void delete(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api("/api/streams/" + id))
                .timeout(Duration.ofSeconds(20)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            log("removing %s: %d %s", id, r.statusCode(), r.body());
        }
    }

    private int get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(api(path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    private void sleepUntil(double seconds) throws InterruptedException {
        long wait = startNanos + Math.round(seconds * 1e9) - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[%s +%6.1f s] %s%n", Instant.now(), (System.nanoTime() - startNanos) / 1e9,
                String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
