package io.vigil.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A fleet of real {@code vigil serve} processes (separate JVMs, this JVM's class path) on one Kafka broker, with live
 * UDP sources (ffmpeg, paced in real time): what FleetFailoverTest and {@code bench/run-failover.sh} drive. Nodes are
 * killed with SIGKILL and restarted with the same identity.
 */
final class FleetHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path dir;
    private final String bootstrap;
    private final String prefix;
    private final int shards;
    private final Map<String, Node> nodes = new HashMap<>();
    private final List<Process> sources = new ArrayList<>();

    /** One node: its id, role, port and process (null while down). */
    static final class Node {
        final String id;
        final String role;
        final int port;
        final Path config;
        Process process;

        Node(String id, String role, int port, Path config) {
            this.id = id;
            this.role = role;
            this.port = port;
            this.config = config;
        }

        URI api(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    FleetHarness(Path dir, String bootstrap, String prefix, int shards) {
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.shards = shards;
    }

    /** Writes a node's config and starts it. */
    Node addNode(String id, String role) throws IOException {
        int port = freeTcpPort();
        Path config = dir.resolve(id + ".yaml");
        // Its own state folder (acks, mutes, evidence): serve's default, ~/.vigil/state, is shared by every node of
        // every test and run on the machine.
        Files.writeString(config, """
                server:
                  bind: 127.0.0.1
                  port: %d
                  stateDir: %s
                limits:
                  allowedSchemes: [udp]
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  decode:
                    ioTimeout: 2
                cluster:
                  bootstrapServers: "%s"
                  role: %s
                  nodeId: %s
                  advertisedUrl: "http://127.0.0.1:%d"
                  topicPrefix: %s
                  shards: %d
                  replicationFactor: 1
                  sessionTimeoutSeconds: 6
                """.formatted(port, dir.resolve(id + "-state"), bootstrap, role, id, port, prefix, shards));
        Node node = new Node(id, role, port, config);
        nodes.put(id, node);
        start(node);
        return node;
    }

    /** A single node (no cluster section) beside the fleet, for comparisons. */
    Node addSingleNode(String id) throws IOException {
        int port = freeTcpPort();
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, """
                server:
                  bind: 127.0.0.1
                  port: %d
                  stateDir: %s
                limits:
                  allowedSchemes: [udp]
                  hosts: {allow: [127.0.0.1/32]}
                defaults:
                  decode:
                    ioTimeout: 2
                """.formatted(port, dir.resolve(id + "-state")));
        Node node = new Node(id, "single", port, config);
        nodes.put(id, node);
        start(node);
        return node;
    }

    /** Stops a node with SIGTERM (its shutdown hook runs) and waits for it, at most 30 s. */
    void stop(Node node) throws InterruptedException {
        node.process.destroy();
        if (!node.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            node.process.destroyForcibly().waitFor();
        }
        node.process = null;
    }

    void start(Node node) throws IOException {
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        Path args = dir.resolve(node.id + ".args");
        Files.writeString(args, "-cp\n\"" + classPath.replace("\\", "\\\\") + "\"\n");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "@" + args, "io.vigil.cli.Main", "serve", "--config", node.config.toString());
        node.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node.id + ".log").toFile())).start();
    }

    /** SIGKILL: no shutdown hook, no leaving the group, no resolving. */
    void kill(Node node) throws InterruptedException {
        node.process.destroyForcibly();
        node.process.waitFor();
        node.process = null;
    }

    Node node(String id) {
        return nodes.get(id);
    }

    List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** A live 160x120 25 fps UDP MPEG-TS source with a tone; black between the two times when blackTo > 0. */
    String source(double seconds, double blackFrom, double blackTo) throws IOException {
        return sourceWith(seconds, blackTo > 0 ? List.of("-vf", "lutyuv=y=16:u=128:v=128:enable='gte(t," + blackFrom
                + ")*lt(t," + blackTo + ")'") : List.of());
    }

    private String sourceWith(double seconds, List<String> filters) throws IOException {
        int port = freeUdpPort();
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning", "-y",
                "-re", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=" + seconds,
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + seconds));
        cmd.addAll(filters);
        cmd.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                "-pix_fmt", "yuv420p", "-c:a", "mp2", "-b:a", "64k", "-f", "mpegts",
                "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        sources.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("source-" + port + ".log").toFile()).start());
        return "udp://127.0.0.1:" + port;
    }

    /** A live source black for 8 s of every 30 s. */
    String periodicBlackSource(double seconds) throws IOException {
        return sourceWith(seconds, List.of("-vf", "lutyuv=y=16:u=128:v=128:enable='lt(mod(t,30),8)'"));
    }

    boolean ready(Node node) {
        try {
            return HTTP.send(HttpRequest.newBuilder(node.api("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void addStream(Node via, String id, String url, List<String> detectors) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("id", id, "url", url, "detectors", detectors));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.api("/api/streams"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("adding " + id + " through " + via.id + ": " + r.statusCode() + " " + r.body());
        }
    }

    void removeStream(Node via, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.api("/api/streams/" + id))
                .timeout(Duration.ofSeconds(20)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("removing " + id + " through " + via.id + ": " + r.statusCode());
        }
    }

    /** POST /api/streams/{id}/release on {@code via}: the stream's status as the node answers it. */
    JsonNode release(Node via, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.api("/api/streams/" + id + "/release"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("releasing " + id + " through " + via.id + ": " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    /** GET /api/streams from {@code via}; empty on any failure (a node starting or down). */
    List<JsonNode> streams(Node via) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.api("/api/streams"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return List.of();
            }
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(r.body()).forEach(out::add);
            return out;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Which node runs {@code stream} (for {@code role}) with frames flowing, as {@code via} sees it; null if none. */
    String runner(Node via, String stream, String role) {
        return holder(via, stream, role, "running");
    }

    /** Which node holds {@code stream} (for {@code role}) in {@code state}, as {@code via} sees it; null if none. */
    String holder(Node via, String stream, String role, String state) {
        for (JsonNode s : streams(via)) {
            if (s.path("id").asText().equals(stream)) {
                for (JsonNode p : s.path("placements")) {
                    if (p.path("role").asText().equals(role) && p.path("state").asText().equals(state)) {
                        return p.path("node").asText();
                    }
                }
            }
        }
        return null;
    }

    /** Which node runs each of {@code ids} (role all) with frames flowing, as {@code via} sees it; streams without one left out. */
    Map<String, String> placement(Node via, List<String> ids) {
        Map<String, String> out = new HashMap<>();
        for (String id : ids) {
            String r = runner(via, id, "all");
            if (r != null) {
                out.put(id, r);
            }
        }
        return out;
    }

    /** Every record of the events topic, by stream, in each stream's order (one partition per stream). */
    Map<String, List<JsonNode>> eventsByStream() throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<JsonNode>> out = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(prefix + ".events").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var ends = c.endOffsets(parts);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String log(Node node) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(node.id + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            if (n.process != null) {
                n.process.destroy();
            }
        }
        for (Node n : nodes.values()) {
            if (n.process != null) {
                try {
                    if (!n.process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                        n.process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        sources.forEach(Process::destroyForcibly);
    }
}
