package io.vigil.server.config;

import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.config.YamlNodes;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.server.StreamSpec;
import io.vigil.server.delivery.WebhookSettings;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.delivery.format.WebhookFormat;
import io.vigil.server.http.ApiSettings;
import io.vigil.server.http.HttpLimits;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads {@code vigil serve}'s YAML file. Every key is checked, and so is every stream (its id, its URL against
 * {@link UrlPolicy}, its detectors and thresholds, as {@code analyze --config} checks them): anything wrong is
 * refused with "FILE:LINE: key.path: what is wrong", before anything starts.
 *
 * <pre>
 * server:    {bind: 127.0.0.1, port: 8321, token: null, maxBodyBytes: 65536, headerTimeoutSeconds: 10, ...}
 * limits:    {maxStreams: 64, maxUrlLength: 2048, allowedSchemes: [http, https, udp, ...], fileDirs: [],
 *             hosts: {allow: [10.1.0.0/16, cam.example.com], deny: [192.168.0.0/16, "*.internal"]}}
 * defaults:  {detectors: {black: {duration: 2}}, decode: {ioTimeout: 10}, backend: auto}   # analyze's keys
 * reconnect: {initialSeconds: 1, maxSeconds: 30, quarantineFailures: 5, quarantineWithinMinutes: 10}
 * sinks:     {jsonl: FILE, spoolDir: DIR, publicUrl: URL,
 *             webhooks: [{url: URL, format: vigil|alertmanager|pagerduty|slack, secret: S, timeoutSeconds: 5, ...}]}
 * evidence:  {enabled: true, dir: DIR, keepHours: 24, maxMegabytes: 1024, clips: true, preSeconds: 5, ...}
 * streams:
 *   - {id: news1, url: udp://239.0.0.1:1234, detectors: [black, freeze, silence], black: {duration: 3}}
 * </pre>
 */
public final class ServeConfigLoader {
    /**
     * A stream id: what the API puts in its paths and Prometheus in its labels; never {@code .} or {@code ..}, which
     * a path or a proxy would take for a folder.
     */
    public static final Pattern STREAM_ID = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,64}");
    /** What {@link #STREAM_ID} asks, in words. */
    public static final String STREAM_ID_RULE = "1 to 64 letters, digits, '.', '_' or '-', and not '.' or '..'";
    /** Where a pagerduty webhook's routing key comes from when the file gives none. */
    public static final String PAGERDUTY_ROUTING_KEY_ENV = "VIGIL_PAGERDUTY_ROUTING_KEY";

    private final YamlNodes nodes;

    private ServeConfigLoader(YamlNodes nodes) {
        this.nodes = nodes;
    }

    /** The file at {@code path}, its {@code ${VAR}}s from the process's environment. */
    public static ServeConfig load(Path path) {
        return parse(path.toString(), YamlNodes.readFile(path), System.getenv());
    }

    /** {@code yaml} as the file named {@code file}, without variable substitution. */
    public static ServeConfig parse(String file, String yaml) {
        return new ServeConfigLoader(new YamlNodes(file)).read(yaml);
    }

    /** No config file: the defaults, with the environment's {@code VIGIL_SERVER_*} overrides. */
    public static ServeConfig standard(Map<String, String> environment) {
        return parse("(no config file)", "", environment);
    }

    /** {@code yaml} as the file named {@code file}, its {@code ${VAR}}s from {@code environment}. */
    public static ServeConfig parse(String file, String yaml, Map<String, String> environment) {
        return new ServeConfigLoader(YamlNodes.file(file, environment)).read(yaml);
    }

    /**
     * The analysis settings of one stream: {@code defaults} with only {@code spec.detectors()} enabled (when given)
     * and {@code spec.settings()} over them. Throws {@link ConfigException} (one sentence) for an unknown detector,
     * key or a value out of range.
     */
    public static VigilConfig streamConfig(VigilConfig defaults, StreamSpec spec) {
        return streamConfig(defaults, Map.of(), spec);
    }

    /**
     * As {@link #streamConfig(VigilConfig, StreamSpec)}, with the stream's profile (one of {@code profiles}) between
     * the defaults and the stream's own settings; an unknown profile is a {@link ConfigException}.
     */
    public static VigilConfig streamConfig(VigilConfig defaults, Map<String, Map<String, Map<String, Object>>> profiles,
                                           StreamSpec spec) {
        Map<String, Map<String, Object>> settings = effectiveSettings(profiles, spec);
        SequencedMap<String, DetectorSettings> detectors = defaults.detectors();
        if (spec.detectors() != null) {
            for (String name : spec.detectors()) {
                if (!detectors.containsKey(name)) {
                    throw new ConfigException("Unknown detector '" + name + "'; known: "
                            + String.join(", ", DetectorRegistry.standard().names()) + ".");
                }
            }
            detectors = new LinkedHashMap<>(detectors);
            detectors.replaceAll((name, s) -> s.withEnabled(spec.detectors().contains(name)));
        }
        if (!settings.isEmpty()) {
            // The settings came from a client: errors name the stream, not a line of this dump, and no ${VAR} is read.
            YamlNodes request = YamlNodes.request("settings of stream " + spec.id());
            String yaml = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build())
                    .dumpToString(settings);
            Node node;
            try {
                node = request.compose(yaml);
            } catch (ConfigException e) {
                node = null;
            }
            if (node == null) {
                throw new ConfigException(request.file() + ": not a mapping of detector to settings.");
            }
            detectors = ConfigLoader.readDetectors(request, node, detectors);
        }
        return defaults.withDetectors(detectors);
    }

    /**
     * A stream's detector settings: its profile's (when it names one), with its own over them key by key. Throws
     * {@link ConfigException} for a profile that is not among {@code profiles}.
     */
    public static Map<String, Map<String, Object>> effectiveSettings(
            Map<String, Map<String, Map<String, Object>>> profiles, StreamSpec spec) {
        if (spec.profile() == null) {
            return spec.settings();
        }
        Map<String, Map<String, Object>> profile = profiles.get(spec.profile());
        if (profile == null) {
            throw new ConfigException("Unknown profile '" + spec.profile() + "'; " + (profiles.isEmpty()
                    ? "the config defines none (profiles:)." : "known: " + String.join(", ",
                    new TreeSet<>(profiles.keySet())) + "."));
        }
        Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
        profile.forEach((detector, values) -> merged.put(detector, new LinkedHashMap<>(values)));
        spec.settings().forEach((detector, values) -> merged.computeIfAbsent(detector, d -> new LinkedHashMap<>())
                .putAll(values == null ? Map.of() : values));
        return merged;
    }

    private ServeConfig read(String yaml) {
        Node root = nodes.compose(yaml);
        ServeConfig config = ServeConfig.standard();
        if (root == null) {
            root = new MappingNode(Tag.MAP, List.of(), FlowStyle.AUTO);
        }
        Node streamsNode = null;
        Node clusterNode = null;
        Node profilesNode = null;
        Node maintenanceNode = null;
        boolean serverRead = false;
        for (NodeTuple t : nodes.mapping(root, "the top level").getValue()) {
            String key = key(t);
            Node v = t.getValueNode();
            switch (key) {
                case "server" -> {
                    config = config.withServer(readServer(v));
                    serverRead = true;
                }
                case "limits" -> config = config.withLimits(readLimits(v));
                case "defaults" -> config = config.withDefaults(ConfigLoader.read(nodes, v, ServeConfig.analysisDefaults()));
                case "reconnect" -> config = config.withReconnect(readReconnect(v));
                case "sinks" -> config = config.withSinks(readSinks(v));
                case "evidence" -> config = config.withEvidence(readEvidence(v));
                case "cluster" -> clusterNode = v;
                case "streams" -> streamsNode = v;
                case "profiles" -> profilesNode = v;
                case "maintenance" -> maintenanceNode = v;
                default -> throw nodes.unknown(t.getKeyNode(), key, Set.of("server", "limits", "defaults",
                        "reconnect", "sinks", "evidence", "cluster", "profiles", "maintenance", "streams"));
            }
        }
        if (!serverRead && nodes.overrides("server")) {
            config = config.withServer(readServer(new MappingNode(Tag.MAP, List.of(), FlowStyle.AUTO)));
        }
        if (clusterNode != null && !YamlNodes.isNull(clusterNode)) {
            config = config.withCluster(readCluster(clusterNode, config));
        }
        // Profiles over the defaults, wherever those stand in the file.
        Map<String, Node> profileNodes = new LinkedHashMap<>();
        if (profilesNode != null && !YamlNodes.isNull(profilesNode)) {
            config = config.withProfiles(readProfiles(profilesNode, config, profileNodes));
        }
        if (maintenanceNode != null && !YamlNodes.isNull(maintenanceNode)) {
            config = config.withMaintenance(new MaintenanceReader(nodes).read(maintenanceNode));
        }
        // Streams last: their URLs and detectors are checked against limits, defaults and profiles wherever those
        // stand.
        if (streamsNode != null && !YamlNodes.isNull(streamsNode)) {
            config = config.withStreams(readStreams(streamsNode, config, profileNodes));
        }
        return config;
    }

    private ServeConfig.Server readServer(Node node) {
        ApiSettings d = ServeConfig.Server.DEFAULTS.api();
        String bind = d.bindAddress();
        int port = d.port();
        String token = d.token();
        long maxBody = d.maxBodyBytes();
        Integer healthPort = d.healthPort();
        String viewerToken = d.viewerToken();
        boolean publicRead = d.publicRead();
        boolean metricsNeedToken = d.metricsNeedToken();
        Path stateDir = ServeConfig.Server.DEFAULTS.stateDir();
        HttpLimits h = d.limits();
        double headerTimeout = h.headerTimeoutSeconds();
        double bodyTimeout = h.bodyTimeoutSeconds();
        double idleTimeout = h.idleTimeoutSeconds();
        long maxConnections = h.maxConnections();
        long maxPerAddress = h.maxConnectionsPerAddress();
        long maxSse = h.maxSseClients();
        Long maxSseWithoutToken = null;
        // VIGIL_SERVER_<KEY> variables over the file's keys (VIGIL_SERVER_PORT: server.port).
        for (NodeTuple t : nodes.overridden(nodes.mapping(node, "server"), "server").getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "bind" -> bind = nodes.text(v, "server.bind");
                case "port" -> port = (int) integer(v, "server.port", 0, 65535);
                case "token" -> token = token(v, "server.token");
                case "viewerToken" -> viewerToken = token(v, "server.viewerToken");
                case "publicRead" -> publicRead = nodes.bool(v, "server.publicRead");
                case "metricsNeedToken" -> metricsNeedToken = nodes.bool(v, "server.metricsNeedToken");
                case "maxBodyBytes" -> maxBody = integer(v, "server.maxBodyBytes", 1024, 64L << 20);
                case "stateDir" -> stateDir = YamlNodes.isNull(v) ? null : Path.of(nodes.text(v, "server.stateDir"));
                case "healthPort" -> healthPort = YamlNodes.isNull(v) ? null
                        : (int) integer(v, "server.healthPort", 0, 65535);
                case "headerTimeoutSeconds" -> headerTimeout = seconds(v, "server.headerTimeoutSeconds", 0.05, 3600);
                case "bodyTimeoutSeconds" -> bodyTimeout = seconds(v, "server.bodyTimeoutSeconds", 0.05, 3600);
                case "idleTimeoutSeconds" -> idleTimeout = seconds(v, "server.idleTimeoutSeconds", 0.05, 3600);
                case "maxConnections" -> maxConnections = integer(v, "server.maxConnections", 1, 1_000_000);
                case "maxConnectionsPerAddress" ->
                        maxPerAddress = integer(v, "server.maxConnectionsPerAddress", 1, 1_000_000);
                case "maxSseClients" -> maxSse = integer(v, "server.maxSseClients", 1, 100_000);
                case "maxSseClientsWithoutToken" ->
                        maxSseWithoutToken = integer(v, "server.maxSseClientsWithoutToken", 0, 100_000);
                default -> throw nodes.unknown(t.getKeyNode(), "server." + k,
                        Set.of("bind", "port", "token", "viewerToken", "publicRead", "metricsNeedToken",
                                "maxBodyBytes", "stateDir", "healthPort",
                                "headerTimeoutSeconds", "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxConnections",
                                "maxConnectionsPerAddress", "maxSseClients", "maxSseClientsWithoutToken"));
            }
        }
        if (viewerToken != null && (token == null || viewerToken.equals(token))) {
            throw new ConfigException(nodes.file() + ": server.viewerToken: needs server.token beside it, and must differ"
                    + " from it");
        }
        if (healthPort != null && healthPort == port && port != 0) {
            throw new ConfigException(nodes.file() + ": server.healthPort: must differ from server.port (" + port + ")");
        }
        // Half the SSE places for clients without a token unless said otherwise.
        long withoutToken = maxSseWithoutToken != null ? maxSseWithoutToken : maxSse / 2;
        if (withoutToken > maxSse) {
            throw new ConfigException(nodes.file() + ": server.maxSseClientsWithoutToken: must be at most server.maxSseClients ("
                    + maxSse + ")");
        }
        HttpLimits limits = new HttpLimits(headerTimeout, bodyTimeout, idleTimeout, (int) maxConnections,
                (int) maxPerAddress, (int) maxSse, (int) withoutToken);
        return new ServeConfig.Server(new ApiSettings(bind, port, token, maxBody, limits, healthPort, viewerToken,
                publicRead, metricsNeedToken), stateDir);
    }

    /** A bearer token: at least 16 characters, or null for none. */
    private String token(Node v, String path) {
        String token = YamlNodes.isNull(v) ? null : nodes.text(v, path);
        if (token != null && token.length() < 16) {
            throw new ConfigException(nodes.where(v) + path + ": must be at least 16 characters long");
        }
        return token;
    }

    private ServeConfig.Cluster readCluster(Node node, ServeConfig config) {
        String bootstrap = null;
        Role role = Role.ALL;
        String nodeId = null;
        String advertised = null;
        String prefix = ServeConfig.Cluster.DEFAULT_TOPIC_PREFIX;
        int shards = ServeConfig.Cluster.DEFAULT_SHARDS;
        int replication = 0;
        double session = ServeConfig.Cluster.DEFAULT_SESSION_TIMEOUT_SECONDS;
        int maxStreams = config.limits().maxStreams();
        Map<String, String> kafka = new LinkedHashMap<>();
        for (NodeTuple t : nodes.mapping(node, "cluster").getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "bootstrapServers" -> bootstrap = nodes.text(v, "cluster.bootstrapServers");
                case "role" -> {
                    String name = nodes.text(v, "cluster.role");
                    role = Role.parse(name);
                    if (role == null) {
                        throw new ConfigException(nodes.where(v) + "cluster.role: '" + name
                                + "' is not a role; known: all, video, audio");
                    }
                }
                case "nodeId" -> {
                    nodeId = nodes.text(v, "cluster.nodeId");
                    if (!STREAM_ID.matcher(nodeId).matches()) {
                        throw new ConfigException(nodes.where(v) + "cluster.nodeId: '" + nodeId
                                + "' must be " + STREAM_ID_RULE);
                    }
                }
                case "advertisedUrl" -> advertised = nodes.text(v, "cluster.advertisedUrl");
                case "topicPrefix" -> {
                    prefix = nodes.text(v, "cluster.topicPrefix");
                    if (!prefix.matches("[A-Za-z0-9._-]{1,200}")) {
                        throw new ConfigException(nodes.where(v) + "cluster.topicPrefix: '" + prefix
                                + "' must be letters, digits, '.', '_' or '-'");
                    }
                }
                case "shards" -> shards = (int) integer(v, "cluster.shards", 1, 10_000);
                case "replicationFactor" -> replication = (int) integer(v, "cluster.replicationFactor", 1, 16);
                case "sessionTimeoutSeconds" -> session = seconds(v, "cluster.sessionTimeoutSeconds", 1, 300);
                case "maxStreams" -> maxStreams = "measured".equals(nodes.text(v, "cluster.maxStreams"))
                        ? measuredCapacity(v)
                        : (int) integer(v, "cluster.maxStreams", 1, 10_000);
                case "kafka" -> {
                    for (NodeTuple p : nodes.mapping(v, "cluster.kafka").getValue()) {
                        kafka.put(key(p), nodes.text(p.getValueNode(), "cluster.kafka." + key(p)));
                    }
                }
                default -> throw nodes.unknown(t.getKeyNode(), "cluster." + k, Set.of("bootstrapServers", "role",
                        "nodeId", "advertisedUrl", "topicPrefix", "shards", "replicationFactor",
                        "sessionTimeoutSeconds", "maxStreams", "kafka"));
            }
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new ConfigException(nodes.where(node) + "cluster.bootstrapServers: a cluster section needs the Kafka "
                    + "brokers (host:port,...)");
        }
        if (nodeId == null) {
            nodeId = defaultNodeId();
        }
        if (advertised == null) {
            String env = System.getenv("VIGIL_ADVERTISED_URL");
            advertised = env != null && !env.isBlank() ? env : "http://" + nodeId + ":" + config.server().port();
        }
        return new ServeConfig.Cluster(bootstrap, role, nodeId, advertised, prefix, shards, replication, session,
                maxStreams, kafka);
    }

    /** {@code cluster.maxStreams: measured}: what {@code vigil bench --save} wrote ({@link MeasuredCapacity}). */
    private int measuredCapacity(Node v) {
        try {
            return Math.max(1, MeasuredCapacity.read(MeasuredCapacity.defaultFile()).streams());
        } catch (ConfigException e) {
            throw new ConfigException(nodes.where(v) + "cluster.maxStreams: measured, but " + e.getMessage());
        }
    }

    /** $VIGIL_NODE_ID, else the host name (a StatefulSet pod's name, stable across restarts). */
    static String defaultNodeId() {
        String env = System.getenv("VIGIL_NODE_ID");
        if (env != null && STREAM_ID.matcher(env).matches()) {
            return env;
        }
        try {
            String host = java.net.InetAddress.getLocalHost().getHostName();
            String id = host.replaceAll("[^A-Za-z0-9._-]", "-");
            return id.length() > 64 ? id.substring(0, 64) : id;
        } catch (java.net.UnknownHostException e) {
            return "vigil";
        }
    }

    private ServeConfig.Limits readLimits(Node node) {
        ServeConfig.Limits d = ServeConfig.Limits.DEFAULTS;
        int maxStreams = d.maxStreams();
        int maxUrl = d.maxUrlLength();
        List<String> schemes = d.allowedSchemes();
        List<Path> dirs = d.fileDirs();
        HostRules hosts = d.hosts();
        for (NodeTuple t : nodes.mapping(node, "limits").getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "maxStreams" -> maxStreams = (int) integer(v, "limits.maxStreams", 1, 10_000);
                case "maxUrlLength" -> maxUrl = (int) integer(v, "limits.maxUrlLength", 16, 65_536);
                case "allowedSchemes" -> {
                    List<String> out = new ArrayList<>();
                    for (Node item : nodes.list(v, "limits.allowedSchemes")) {
                        String s = nodes.text(item, "limits.allowedSchemes");
                        if (!s.equals("file") && !s.equals("file:") && !InputAddress.readsScheme(s)) {
                            throw new ConfigException(nodes.where(item) + "limits.allowedSchemes: '" + s
                                    + "' is not a scheme vigil reads");
                        }
                        out.add(s.replace(":", ""));
                    }
                    schemes = out;
                }
                case "fileDirs" -> {
                    List<Path> out = new ArrayList<>();
                    for (Node item : nodes.list(v, "limits.fileDirs")) {
                        Path p = Path.of(nodes.text(item, "limits.fileDirs"));
                        if (!p.isAbsolute() || !Files.isDirectory(p)) {
                            throw new ConfigException(nodes.where(item) + "limits.fileDirs: " + p
                                    + " is not an absolute path of an existing folder");
                        }
                        out.add(p);
                    }
                    dirs = out;
                }
                case "hosts" -> hosts = readHosts(v);
                default -> throw nodes.unknown(t.getKeyNode(), "limits." + k,
                        Set.of("maxStreams", "maxUrlLength", "allowedSchemes", "fileDirs", "hosts"));
            }
        }
        return new ServeConfig.Limits(maxStreams, maxUrl, schemes, dirs, hosts);
    }

    private HostRules readHosts(Node node) {
        List<HostRules.Entry> allow = new ArrayList<>();
        List<HostRules.Entry> deny = new ArrayList<>();
        for (NodeTuple t : nodes.mapping(node, "limits.hosts").getValue()) {
            String k = key(t);
            List<HostRules.Entry> out = switch (k) {
                case "allow" -> allow;
                case "deny" -> deny;
                default -> throw nodes.unknown(t.getKeyNode(), "limits.hosts." + k, Set.of("allow", "deny"));
            };
            for (Node item : nodes.list(t.getValueNode(), "limits.hosts." + k)) {
                try {
                    out.add(HostRules.entry(nodes.text(item, "limits.hosts." + k)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(nodes.where(item) + "limits.hosts." + k + ": " + e.getMessage());
                }
            }
        }
        return new HostRules(allow, deny);
    }

    private ServeConfig.Reconnect readReconnect(Node node) {
        double initial = ServeConfig.Reconnect.DEFAULTS.initialSeconds();
        double max = ServeConfig.Reconnect.DEFAULTS.maxSeconds();
        int failures = ServeConfig.Reconnect.DEFAULTS.quarantineFailures();
        double withinMinutes = ServeConfig.Reconnect.DEFAULTS.quarantineWithinMinutes();
        for (NodeTuple t : nodes.mapping(node, "reconnect").getValue()) {
            String k = key(t);
            switch (k) {
                case "initialSeconds" -> initial = seconds(t.getValueNode(), "reconnect.initialSeconds", 0.05, 3600);
                case "maxSeconds" -> max = seconds(t.getValueNode(), "reconnect.maxSeconds", 0.05, 3600);
                case "quarantineFailures" ->
                        failures = (int) integer(t.getValueNode(), "reconnect.quarantineFailures", 1, 1000);
                case "quarantineWithinMinutes" ->
                        withinMinutes = nodes.duration(t.getValueNode(), "reconnect.quarantineWithinMinutes", "m", 0.1, 10_080);
                default -> throw nodes.unknown(t.getKeyNode(), "reconnect." + k, Set.of("initialSeconds", "maxSeconds",
                        "quarantineFailures", "quarantineWithinMinutes"));
            }
        }
        if (max < initial) {
            throw new ConfigException(nodes.where(node) + "reconnect.maxSeconds: must be at least initialSeconds (" + initial + ")");
        }
        return new ServeConfig.Reconnect(initial, max, failures, withinMinutes);
    }

    private EvidenceSettings readEvidence(Node node) {
        EvidenceSettings d = EvidenceSettings.DEFAULTS;
        boolean enabled = d.enabled();
        Path dir = d.dir();
        double keepHours = d.keepHours();
        double maxMegabytes = d.maxMegabytes();
        boolean clips = d.clips();
        double pre = d.preSeconds();
        double post = d.postSeconds();
        double bufferSeconds = d.bufferSeconds();
        double bufferMegabytes = d.bufferMegabytes();
        for (NodeTuple t : nodes.mapping(node, "evidence").getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            String p = "evidence." + k;
            switch (k) {
                case "enabled" -> enabled = nodes.bool(v, p);
                case "dir" -> dir = YamlNodes.isNull(v) ? null : Path.of(nodes.text(v, p));
                case "keepHours" -> keepHours = number(v, p, 0.01, 24 * 366);
                case "maxMegabytes" -> maxMegabytes = number(v, p, 1, 1 << 24);
                case "clips" -> clips = nodes.bool(v, p);
                case "preSeconds" -> pre = number(v, p, 0, 60);
                case "postSeconds" -> post = number(v, p, 0, 60);
                case "bufferSeconds" -> bufferSeconds = number(v, p, 1, 600);
                case "bufferMegabytes" -> bufferMegabytes = number(v, p, 1, 4096);
                default -> throw nodes.unknown(t.getKeyNode(), p, Set.of("enabled", "dir", "keepHours",
                        "maxMegabytes", "clips", "preSeconds", "postSeconds", "bufferSeconds", "bufferMegabytes"));
            }
        }
        if (clips && enabled && pre >= bufferSeconds) {
            throw new ConfigException(nodes.where(node) + "evidence.preSeconds: must be less than bufferSeconds ("
                    + YamlNodes.fmt(bufferSeconds) + "), which the pre-roll is kept in");
        }
        return new EvidenceSettings(enabled, dir, keepHours, maxMegabytes, clips && enabled, pre, post,
                bufferSeconds, bufferMegabytes);
    }

    private ServeConfig.Sinks readSinks(Node node) {
        Path jsonl = null;
        Path spool = null;
        URI publicUrl = null;
        List<WebhookSettings> hooks = new ArrayList<>();
        for (NodeTuple t : nodes.mapping(node, "sinks").getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "jsonl" -> jsonl = YamlNodes.isNull(v) ? null : Path.of(nodes.text(v, "sinks.jsonl"));
                case "spoolDir" -> spool = YamlNodes.isNull(v) ? null : Path.of(nodes.text(v, "sinks.spoolDir"));
                case "publicUrl" -> publicUrl = YamlNodes.isNull(v) ? null : httpUrl(v, "sinks.publicUrl");
                case "webhooks" -> {
                    for (Node item : nodes.list(v, "sinks.webhooks")) {
                        hooks.add(readWebhook(item));
                    }
                }
                default -> throw nodes.unknown(t.getKeyNode(), "sinks." + k, Set.of("jsonl", "spoolDir", "publicUrl",
                        "webhooks"));
            }
        }
        URI links = publicUrl;
        return new ServeConfig.Sinks(jsonl, hooks.stream().map(h -> h.withPublicUrl(links)).toList(), spool);
    }

    private WebhookSettings readWebhook(Node node) {
        URI url = null;
        String secret = null;
        Duration timeout = WebhookSettings.DEFAULT_TIMEOUT;
        Duration initial = WebhookSettings.DEFAULT_INITIAL_BACKOFF;
        Duration max = WebhookSettings.DEFAULT_MAX_BACKOFF;
        long spool = WebhookSettings.DEFAULT_MAX_SPOOL_BYTES;
        WebhookFormat format = WebhookFormat.VIGIL;
        String routingKey = null;
        Duration resend = WebhookSettings.DEFAULT_RESEND_INTERVAL;
        String p = "sinks.webhooks";
        for (NodeTuple t : nodes.mapping(node, p).getValue()) {
            String k = key(t);
            Node v = t.getValueNode();
            switch (k) {
                case "url" -> url = httpUrl(v, p + ".url");
                case "format" -> {
                    String name = nodes.text(v, p + ".format");
                    format = WebhookFormat.byName(name);
                    if (format == null) {
                        throw new ConfigException(nodes.where(v) + p + ".format: '" + name + "' is not one of "
                                + WebhookFormat.names());
                    }
                }
                case "routingKey" -> routingKey = YamlNodes.isNull(v) ? null : nodes.text(v, p + ".routingKey");
                case "resendSeconds" -> resend = period(v, p + ".resendSeconds", 0, 86400);
                case "secret" -> secret = YamlNodes.isNull(v) ? null : nodes.text(v, p + ".secret");
                case "timeoutSeconds" -> timeout = period(v, p + ".timeoutSeconds", 0.1, 300);
                case "initialBackoffSeconds" -> initial = period(v, p + ".initialBackoffSeconds", 0.01, 3600);
                case "maxBackoffSeconds" -> max = period(v, p + ".maxBackoffSeconds", 0.01, 86400);
                case "maxSpoolMiB" -> spool = Math.round(number(v, p + ".maxSpoolMiB", 1, 1 << 20) * (1 << 20));
                default -> throw nodes.unknown(t.getKeyNode(), p + "." + k, Set.of("url", "format", "secret",
                        "routingKey", "resendSeconds", "timeoutSeconds", "initialBackoffSeconds", "maxBackoffSeconds",
                        "maxSpoolMiB"));
            }
        }
        if (format == WebhookFormat.PAGERDUTY) {
            url = url != null ? url : WebhookSettings.PAGERDUTY_EVENTS_URL;
            if (routingKey == null || routingKey.isBlank()) {
                routingKey = System.getenv(PAGERDUTY_ROUTING_KEY_ENV);
            }
            if (routingKey == null || routingKey.isBlank()) {
                throw new ConfigException(nodes.where(node) + p + ".routingKey: a pagerduty webhook needs the "
                        + "integration key (routingKey, or $" + PAGERDUTY_ROUTING_KEY_ENV + ")");
            }
            if (routingKey.strip().length() != 32) {
                throw new ConfigException(nodes.where(node) + p + ".routingKey: a PagerDuty integration key has 32 "
                        + "characters, this one " + routingKey.strip().length());
            }
        } else if (routingKey != null) {
            throw new ConfigException(nodes.where(node) + p + ".routingKey: only for format pagerduty");
        }
        if (url == null) {
            throw new ConfigException(nodes.where(node) + p + ": each webhook needs a url");
        }
        return new WebhookSettings(url, secret, timeout, initial, max, spool)
                .withFormat(format, routingKey == null ? null : routingKey.strip(), null, resend);
    }

    private URI httpUrl(Node v, String path) {
        String s = nodes.text(v, path);
        URI url;
        try {
            url = new URI(s);
        } catch (URISyntaxException e) {
            throw new ConfigException(nodes.where(v) + path + ": not a valid URL: " + s);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new ConfigException(nodes.where(v) + path + ": must be an http or https URL, got " + s);
        }
        return url;
    }

    /**
     * {@code profiles: {NAME: {detectors: {...}}}}: each checked over the defaults as {@code defaults.detectors} is;
     * the nodes of their detectors go into {@code profileNodes} for the streams' checks.
     */
    private Map<String, Map<String, Map<String, Object>>> readProfiles(Node node, ServeConfig config,
                                                                       Map<String, Node> profileNodes) {
        Map<String, Map<String, Map<String, Object>>> out = new LinkedHashMap<>();
        for (NodeTuple t : nodes.mapping(node, "profiles").getValue()) {
            String name = key(t);
            if (!STREAM_ID.matcher(name).matches()) {
                throw new ConfigException(nodes.where(t.getKeyNode()) + "profiles: '" + name + "' must be "
                        + STREAM_ID_RULE);
            }
            Node detectors = new MappingNode(Tag.MAP, List.of(), FlowStyle.AUTO);
            for (NodeTuple p : nodes.mapping(t.getValueNode(), "profiles." + name).getValue()) {
                if (!key(p).equals("detectors")) {
                    throw nodes.unknown(p.getKeyNode(), "profiles." + name + "." + key(p), Set.of("detectors"));
                }
                detectors = p.getValueNode();
            }
            ConfigLoader.readDetectors(nodes, detectors, config.defaults().detectors());
            profileNodes.put(name, detectors);
            out.put(name, plain(nodes.mapping(detectors, "profiles." + name + ".detectors").getValue(),
                    "profiles." + name + ".detectors"));
        }
        return out;
    }

    private List<StreamSpec> readStreams(Node node, ServeConfig config, Map<String, Node> profileNodes) {
        UrlPolicy policy = new UrlPolicy(config.limits());
        List<StreamSpec> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> detectorNames = DetectorRegistry.standard().names();
        List<Node> items = nodes.list(node, "streams");
        if (items.size() > config.limits().maxStreams()) {
            throw new ConfigException(nodes.where(node) + "streams: " + items.size() + " streams, more than limits.maxStreams ("
                    + config.limits().maxStreams() + ")");
        }
        for (Node item : items) {
            String id = null;
            String url = null;
            List<String> detectors = null;
            String profile = null;
            Node profileNode = null;
            List<String> groups = new ArrayList<>();
            List<NodeTuple> settings = new ArrayList<>();
            for (NodeTuple t : nodes.mapping(item, "streams[]").getValue()) {
                String k = key(t);
                Node v = t.getValueNode();
                switch (k) {
                    case "id" -> {
                        id = nodes.text(v, "streams[].id");
                        if (!STREAM_ID.matcher(id).matches()) {
                            throw new ConfigException(nodes.where(v) + "streams[].id: '" + id
                                    + "' must be " + STREAM_ID_RULE);
                        }
                        if (!ids.add(id)) {
                            throw new ConfigException(nodes.where(v) + "streams[].id: '" + id + "' is used twice");
                        }
                    }
                    case "url" -> {
                        url = nodes.text(v, "streams[].url");
                        String why = policy.refusal(url);
                        if (why != null) {
                            throw new ConfigException(nodes.where(v) + "streams[].url: " + why);
                        }
                    }
                    case "detectors" -> {
                        detectors = new ArrayList<>();
                        for (Node d : nodes.list(v, "streams[].detectors")) {
                            String name = nodes.text(d, "streams[].detectors");
                            if (!detectorNames.contains(name)) {
                                throw new ConfigException(nodes.where(d) + "streams[].detectors: unknown detector '" + name
                                        + "'; known: " + String.join(", ", detectorNames));
                            }
                            detectors.add(name);
                        }
                    }
                    case "profile" -> {
                        profile = nodes.text(v, "streams[].profile");
                        profileNode = profileNodes.get(profile);
                        if (profileNode == null) {
                            throw new ConfigException(nodes.where(v) + "streams[].profile: unknown profile '" + profile
                                    + "'; " + (profileNodes.isEmpty() ? "the file defines none (profiles:)"
                                    : "known: " + String.join(", ", new TreeSet<>(profileNodes.keySet()))));
                        }
                    }
                    case "group" -> groups.add(group(v));
                    case "groups" -> {
                        for (Node g : nodes.list(v, "streams[].groups")) {
                            groups.add(group(g));
                        }
                    }
                    default -> {
                        if (!detectorNames.contains(k)) {
                            Set<String> known = new TreeSet<>(Set.of("id", "url", "detectors", "profile", "group",
                                    "groups"));
                            known.add("<detector>");
                            throw nodes.unknown(t.getKeyNode(), "streams[]." + k, known);
                        }
                        settings.add(t);
                    }
                }
            }
            if (id == null || url == null) {
                throw new ConfigException(nodes.where(item) + "streams[]: each stream needs an id and a url");
            }
            // The thresholds are checked as analyze --config checks them, with this file's lines: the profile's over
            // the defaults, the stream's own over those.
            var base = profileNode == null ? config.defaults().detectors()
                    : ConfigLoader.readDetectors(nodes, profileNode, config.defaults().detectors());
            ConfigLoader.readDetectors(nodes, new MappingNode(Tag.MAP, settings, FlowStyle.AUTO), base);
            out.add(new StreamSpec(id, url, detectors, plain(settings, "streams[]"), profile, groups));
        }
        return out;
    }

    /** A stream's group: named as a stream id is. */
    private String group(Node v) {
        String g = nodes.text(v, "streams[].groups");
        if (!STREAM_ID.matcher(g).matches()) {
            throw new ConfigException(nodes.where(v) + "streams[].groups: '" + g + "' must be " + STREAM_ID_RULE);
        }
        return g;
    }

    /** Per-detector settings as plain values, for {@link StreamSpec#settings()}. */
    private Map<String, Map<String, Object>> plain(List<NodeTuple> settings, String path) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (NodeTuple t : settings) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (NodeTuple p : nodes.mapping(t.getValueNode(), path + "." + key(t)).getValue()) {
                values.put(key(p), nodes.text(p.getValueNode(), path + "." + key(t) + "." + key(p)));
            }
            out.put(key(t), values);
        }
        return out;
    }

    /** A duration key as a {@link Duration} ({@code 5s}, {@code 500ms}, or bare seconds). */
    private Duration period(Node v, String path, double min, double max) {
        return Duration.ofNanos(Math.round(seconds(v, path, min, max) * 1e9));
    }

    /** A duration key in seconds: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or bare seconds. */
    private double seconds(Node v, String path, double min, double max) {
        nodes.text(v, path);   // a YAML null is no duration: "must be a single value"
        return nodes.seconds(v, path, min, max);
    }

    private double number(Node v, String path, double min, double max) {
        nodes.text(v, path);   // a YAML null is no number: "must be a single value"
        return nodes.number(v, path, min, max);
    }

    private long integer(Node v, String path, long min, long max) {
        double d = number(v, path, min, max);
        if (d != Math.rint(d)) {
            throw new ConfigException(nodes.where(v) + path + ": must be a whole number, got " + nodes.text(v, path));
        }
        return (long) d;
    }

    private String key(NodeTuple t) {
        return nodes.text(t.getKeyNode(), "key");
    }
}
