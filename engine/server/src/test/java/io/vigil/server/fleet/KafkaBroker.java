package io.vigil.server.fleet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka (KRaft, one process that is both broker and controller) in a child JVM, for the fleet's
 * tests and for {@code bench/kafka-broker.sh}.
 *
 * <p>{@link #shared()} starts one per test JVM on first use, on free loopback ports, in a fresh folder under
 * {@code target/kafka/}, and stops it from a shutdown hook; tests share it and keep apart by topic and group names.
 * The child runs {@link #main} in {@code child} mode: it formats its storage with Kafka's own StorageTool, then runs
 * {@code kafka.Kafka server.properties}, logging through slf4j-simple to {@code broker.log}. The settings make one
 * broker behave like a cluster for the clients: internal topics with replication 1 and {@code min.insync.replicas}
 * 1, no initial rebalance delay, short session timeouts allowed, no topics created behind the clients' backs.
 *
 * <p>{@code main start DIR} starts one that outlives the launching JVM (pid in {@code DIR/broker.pid}, address in
 * {@code DIR/bootstrap}) and prints its bootstrap address: that is what {@code bench/kafka-broker.sh} runs.
 */
public final class KafkaBroker implements AutoCloseable {

    /** How long a start may take before it fails with the log's tail (a cold JVM on 2 busy cores takes ~5-10 s). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a stop waits for the broker's controlled shutdown before killing it. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final String STARTED_LINE = "Kafka Server started";
    private static final String LOG_FILE = "broker.log";
    private static final int LOG_TAIL_LINES = 40;

    private static KafkaBroker shared;

    private final Path dir;
    private final Process process;
    private final String bootstrapServers;

    private KafkaBroker(Path dir, Process process, String bootstrapServers) {
        this.dir = dir;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * The test JVM's one broker, started on the first call (bounded by {@link #START_TIMEOUT}) and stopped when the
     * JVM exits. A broker that died since is not restarted: the next client call fails and says why.
     */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            Path root = Path.of(System.getProperty("user.dir"), "target", "kafka");
            KafkaBroker broker = start(root.resolve("broker-" + ProcessHandle.current().pid()), false);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
            shared = broker;
        }
        return shared;
    }

    /**
     * Starts a broker in {@code dir} (emptied first when it holds an earlier broker's files; any other folder must be
     * empty or missing) and waits until it serves.
     *
     * @param detached true: the broker outlives this JVM (nothing stops it but {@code DIR/broker.pid})
     * @throws IllegalStateException when it exits or does not serve within {@link #START_TIMEOUT}; the message
     *     holds the tail of its log
     */
    public static KafkaBroker start(Path dir, boolean detached) {
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
            int brokerPort = freePort();
            int controllerPort = freePort();
            while (controllerPort == brokerPort) {
                controllerPort = freePort();
            }
            String bootstrap = "127.0.0.1:" + brokerPort;
            Path properties = dir.resolve("server.properties");
            Files.writeString(properties, serverProperties(dir.resolve("data"), brokerPort, controllerPort));
            // This JVM's class path, made absolute (the broker runs in dir), in an argument file: a test class path
            // runs to many kilobytes.
            String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(entry -> !entry.isEmpty())
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
            Path args = dir.resolve("jvm.args");
            Files.writeString(args, "-cp\n" + quoteArg(classPath) + "\n");

            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                    // zstd-jni and snappy load natives; kafka-clients unmaps buffers through sun.misc.Unsafe.
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    // C1 only: the broker's load in tests is tiny, and C2's warm-up competes for the two cores.
                    "-XX:TieredStopAtLevel=1",
                    "-Djava.awt.headless=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                    "-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn",
                    "@" + args,
                    KafkaBroker.class.getName(), "child", properties.toString(), Uuid.randomUuid().toString()));
            if (!detached) {
                // A test JVM killed outright (SIGKILL at a Surefire timeout) leaves no broker behind: it watches us.
                command.add(Long.toString(ProcessHandle.current().pid()));
            }
            Path log = dir.resolve(LOG_FILE);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            long startNs = System.nanoTime();
            Process process = builder.start();
            KafkaBroker broker = new KafkaBroker(dir, process, bootstrap);
            broker.awaitStarted();
            System.err.printf("kafka-broker: %s serving in %d ms (pid %d, %s)%n", bootstrap,
                    (System.nanoTime() - startNs) / 1_000_000, process.pid(), dir);
            Files.writeString(dir.resolve("broker.pid"), process.pid() + "\n");
            Files.writeString(dir.resolve("bootstrap"), bootstrap + "\n");
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a Kafka broker in " + dir, e);
        }
    }

    private void awaitStarted() throws IOException {
        long deadlineNs = System.nanoTime() + START_TIMEOUT.toNanos();
        Path log = logFile();
        while (true) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(STARTED_LINE)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker in " + dir + " exited with status "
                        + process.exitValue() + " while starting; the end of " + log + ":\n" + logTail());
            }
            if (System.nanoTime() > deadlineNs) {
                String tail = logTail();
                close();
                throw new IllegalStateException("the Kafka broker in " + dir + " did not start within "
                        + START_TIMEOUT.toSeconds() + " s (stopped); the end of "
                        + log + ":\n" + tail);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while the Kafka broker in " + dir + " was starting", e);
            }
        }
    }

    /** {@code host:port} of the broker's PLAINTEXT listener on 127.0.0.1, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's folder: {@code server.properties}, {@code broker.log}, {@code data/}. */
    public Path dir() {
        return dir;
    }

    /** The broker's log (its stdout and stderr). */
    public Path logFile() {
        return dir.resolve(LOG_FILE);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the broker's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the broker: SIGTERM (controlled shutdown), then SIGKILL after {@link #STOP_TIMEOUT}. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                // One broker: every replicated thing has one replica and needs one in sync.
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // Tests create their topics (vigil does at start): a typo must fail, not make a topic.
                "auto.create.topics.enable=false",
                "num.partitions=1",
                // A group's first rebalance at once; session timeouts down to 1 s for fast failover tests.
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                // Two cores: few threads.
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "log.cleaner.threads=1",
                "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A JVM argument file's quoting: the whole value in double quotes, backslashes and quotes escaped. */
    private static String quoteArg(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent() && !Files.exists(dir.resolve("server.properties"))) {
                throw new IOException(dir + " is not empty and holds no earlier broker; not emptying it");
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * {@code start DIR}: starts a detached broker in DIR and prints its bootstrap address (bench/kafka-broker.sh).
     * {@code child PROPERTIES CLUSTER_ID [PARENT_PID]}: inside the broker's JVM, formats the storage and runs the
     * broker; with a parent pid, exits (a controlled shutdown) when that process is gone.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("start")) {
            try {
                System.out.println(start(Path.of(args[1]).toAbsolutePath(), true).bootstrapServers());
            } catch (IllegalStateException | UncheckedIOException e) {
                System.err.println("kafka-broker: " + e.getMessage()
                        + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
                System.exit(1);
            }
            return;
        }
        if ((args.length == 3 || args.length == 4) && args[0].equals("child")) {
            if (args.length == 4) {
                ProcessHandle.of(Long.parseLong(args[3])).ifPresentOrElse(
                        parent -> parent.onExit().thenRun(() -> System.exit(0)),
                        () -> System.exit(0));
            }
            int status = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--config", args[1], "--cluster-id", args[2]}, System.out);
            if (status != 0) {
                System.err.println("kafka-broker: formatting the storage failed (status " + status + ")");
                System.exit(status);
            }
            kafka.Kafka.main(new String[] {args[1]});
            return;
        }
        System.err.println("usage: KafkaBroker start DIR | child SERVER_PROPERTIES CLUSTER_ID [PARENT_PID]");
        System.exit(2);
    }
}
