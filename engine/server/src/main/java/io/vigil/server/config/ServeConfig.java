package io.vigil.server.config;

import io.vigil.engine.config.VigilConfig;
import io.vigil.server.StreamSpec;
import io.vigil.server.delivery.WebhookSettings;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.handling.MaintenanceWindow;
import io.vigil.server.http.ApiSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code vigil serve} is configured with; {@link ServeConfigLoader} reads it from YAML and the README's
 * "vigil serve" section documents every key.
 *
 * @param server where the HTTP API listens
 * @param limits what the service accepts as streams
 * @param defaults detector settings, decoding and backend for every stream (the {@code analyze --config} keys)
 * @param reconnect how a dropped source is reopened
 * @param sinks where alarms go besides the API
 * @param streams the streams to watch from the start, in file order
 * @param cluster the Kafka fleet this node belongs to; null for a single node
 * @param evidence what each alarm keeps: its start picture and a clip (see {@link EvidenceSettings})
 * @param profiles named threshold profiles streams refer to ({@code profile: sports}):
 *        {@code name -> detector -> key -> value} in config-file spelling, checked against the detectors' specs
 * @param maintenance the maintenance windows, in file order
 */
public record ServeConfig(Server server, Limits limits, VigilConfig defaults, Reconnect reconnect, Sinks sinks,
                          List<StreamSpec> streams, Cluster cluster, EvidenceSettings evidence,
                          Map<String, Map<String, Map<String, Object>>> profiles,
                          List<MaintenanceWindow> maintenance) {
    public ServeConfig {
        streams = List.copyOf(streams);
        java.util.Objects.requireNonNull(evidence, "evidence");
        profiles = profiles == null ? Map.of() : Map.copyOf(profiles);
        maintenance = maintenance == null ? List.of() : List.copyOf(maintenance);
    }

    /** With the default evidence, no profiles and no maintenance windows. */
    public ServeConfig(Server server, Limits limits, VigilConfig defaults, Reconnect reconnect, Sinks sinks,
                       List<StreamSpec> streams, Cluster cluster) {
        this(server, limits, defaults, reconnect, sinks, streams, cluster, EvidenceSettings.DEFAULTS, null, null);
    }

    public ServeConfig(Server server, Limits limits, VigilConfig defaults, Reconnect reconnect, Sinks sinks,
                       List<StreamSpec> streams) {
        this(server, limits, defaults, reconnect, sinks, streams, null);
    }

    /**
     * @param api where and how the HTTP API listens, its tokens, deadlines and caps
     * @param stateDir where a single node keeps the streams added through the API across restarts, and every node the
     *        streams it runs (to quarantine one that was running at two unclean exits in a row); null for none
     */
    public record Server(ApiSettings api, Path stateDir) {
        public static final Server DEFAULTS = new Server(ApiSettings.defaults(), null);

        /** The API on {@code bind:port} with {@code token} (null for none), every other setting its default. */
        public Server(String bind, int port, String token, long maxBodyBytes) {
            this(new ApiSettings(bind, port, token, maxBodyBytes), null);
        }

        public String bind() {
            return api.bindAddress();
        }

        public int port() {
            return api.port();
        }

        /** The bearer token for changes (and, unless reads are public, reading); null for none. */
        public String token() {
            return api.token();
        }

        public Server withStateDir(Path dir) {
            return new Server(api, dir);
        }

        /** The same server with the command line's bind address, port and token. */
        public Server withListen(String newBind, int newPort, String newToken) {
            return new Server(api.withListen(newBind, newPort, newToken), stateDir);
        }
    }

    /**
     * Membership of a Kafka fleet (README, "A fleet on Kafka"): streams live in a compacted topic, each role's nodes
     * share them through a consumer group, events go to an events topic.
     *
     * @param bootstrapServers the Kafka brokers, {@code host:port,...}
     * @param role which detectors this node runs; each role is its own consumer group
     * @param nodeId this node's static group membership id (a restarted node with the same id gets its shards back)
     * @param advertisedUrl how other nodes and browsers reach this node's API
     * @param topicPrefix topics are {@code <prefix>.streams}, {@code .shards}, {@code .events}, {@code .alarms},
     *        {@code .status}
     * @param shards partitions of the shards topic: the units of work the group hands out
     * @param replicationFactor replicas of each topic vigil creates; 0: as many as the cluster has brokers, at most 3
     * @param sessionTimeoutSeconds how long the group waits for a silent node before its shards move
     * @param maxStreams the most streams this node runs at once (its capacity)
     * @param kafka further Kafka client properties (security.protocol, sasl.*, ssl.*), as given
     */
    public record Cluster(String bootstrapServers, Role role, String nodeId, String advertisedUrl, String topicPrefix,
                          int shards, int replicationFactor, double sessionTimeoutSeconds, int maxStreams,
                          Map<String, String> kafka) {
        public static final int DEFAULT_SHARDS = 64;
        public static final double DEFAULT_SESSION_TIMEOUT_SECONDS = 6;
        public static final String DEFAULT_TOPIC_PREFIX = "vigil";

        public Cluster {
            kafka = Map.copyOf(kafka);
        }
    }

    /**
     * @param allowedSchemes URL schemes streams may use ({@code file} only with {@code fileDirs})
     * @param fileDirs folders whose regular files may be streams (a {@code file:} URL or a plain path); none by default
     * @param hosts which hosts streams may reach beyond the defaults, and which not (see {@link OutboundPolicy})
     */
    public record Limits(int maxStreams, int maxUrlLength, List<String> allowedSchemes, List<Path> fileDirs,
                         HostRules hosts) {
        public static final Limits DEFAULTS = new Limits(64, 2048,
                List.of("http", "https", "udp", "rtp", "srt", "rtmp", "rtmps", "rtsp", "rtsps"), List.of());

        public Limits {
            allowedSchemes = List.copyOf(allowedSchemes);
            fileDirs = List.copyOf(fileDirs);
            java.util.Objects.requireNonNull(hosts, "hosts");
        }

        /** With the default host rules. */
        public Limits(int maxStreams, int maxUrlLength, List<String> allowedSchemes, List<Path> fileDirs) {
            this(maxStreams, maxUrlLength, allowedSchemes, fileDirs, HostRules.DEFAULTS);
        }

        public Limits withHosts(HostRules rules) {
            return new Limits(maxStreams, maxUrlLength, allowedSchemes, fileDirs, rules);
        }
    }

    /**
     * Backoff between reopenings of a dropped source, and between restarts of an analysis that failed: from
     * {@code initialSeconds}, doubling, at most {@code maxSeconds}. A stream whose analysis fails
     * {@code quarantineFailures} times within {@code quarantineWithinMinutes} is quarantined: not restarted until
     * released through the API.
     */
    public record Reconnect(double initialSeconds, double maxSeconds, int quarantineFailures,
                            double quarantineWithinMinutes) {
        public static final int DEFAULT_QUARANTINE_FAILURES = 5;
        public static final double DEFAULT_QUARANTINE_WITHIN_MINUTES = 10;
        public static final Reconnect DEFAULTS = new Reconnect(1, 30);

        /** The backoff, with the default quarantine. */
        public Reconnect(double initialSeconds, double maxSeconds) {
            this(initialSeconds, maxSeconds, DEFAULT_QUARANTINE_FAILURES, DEFAULT_QUARANTINE_WITHIN_MINUTES);
        }

        /** The same backoff with another quarantine rule. */
        public Reconnect withQuarantine(int failures, double withinMinutes) {
            return new Reconnect(initialSeconds, maxSeconds, failures, withinMinutes);
        }
    }

    /**
     * @param jsonl a JSON-lines log of every contract event; null for none
     * @param webhooks receivers of every alarm
     * @param spoolDir where undelivered webhook alarms wait (survives a restart); null: a folder under the temp dir
     */
    public record Sinks(Path jsonl, List<WebhookSettings> webhooks, Path spoolDir) {
        public static final Sinks NONE = new Sinks(null, List.of(), null);

        public Sinks {
            webhooks = List.copyOf(webhooks);
        }
    }

    /** No streams, every default: what {@code vigil serve} runs without a file. */
    public static ServeConfig standard() {
        return new ServeConfig(Server.DEFAULTS, Limits.DEFAULTS, analysisDefaults(), Reconnect.DEFAULTS,
                Sinks.NONE, List.of());
    }

    /**
     * {@code analyze}'s defaults, except that {@code stall} resolves only once frames have flowed for 1 s of media
     * ({@code clearDelay: 1}): when a dropped source's read times out, the MPEG-TS demuxer still hands over the last
     * frame it held, and that one late frame is not the source coming back.
     */
    public static VigilConfig analysisDefaults() {
        VigilConfig config = VigilConfig.defaults();
        var detectors = config.detectors();
        var stall = detectors.get("stall");
        detectors.put("stall", stall.withTiming(stall.durationSeconds(), STALL_CLEAR_DELAY_SECONDS, stall.severity()));
        return config.withDetectors(detectors);
    }

    /** See {@link #analysisDefaults()}. */
    public static final double STALL_CLEAR_DELAY_SECONDS = 1.0;

    public ServeConfig withServer(Server s) {
        return new ServeConfig(s, limits, defaults, reconnect, sinks, streams, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withLimits(Limits l) {
        return new ServeConfig(server, l, defaults, reconnect, sinks, streams, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withDefaults(VigilConfig d) {
        return new ServeConfig(server, limits, d, reconnect, sinks, streams, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withReconnect(Reconnect r) {
        return new ServeConfig(server, limits, defaults, r, sinks, streams, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withStreams(List<StreamSpec> s) {
        return new ServeConfig(server, limits, defaults, reconnect, sinks, s, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withSinks(Sinks s) {
        return new ServeConfig(server, limits, defaults, reconnect, s, streams, cluster, evidence, profiles, maintenance);
    }

    public ServeConfig withCluster(Cluster c) {
        return new ServeConfig(server, limits, defaults, reconnect, sinks, streams, c, evidence, profiles, maintenance);
    }

    public ServeConfig withEvidence(EvidenceSettings e) {
        return new ServeConfig(server, limits, defaults, reconnect, sinks, streams, cluster, e, profiles, maintenance);
    }

    public ServeConfig withProfiles(Map<String, Map<String, Map<String, Object>>> p) {
        return new ServeConfig(server, limits, defaults, reconnect, sinks, streams, cluster, evidence, p, maintenance);
    }

    public ServeConfig withMaintenance(List<MaintenanceWindow> m) {
        return new ServeConfig(server, limits, defaults, reconnect, sinks, streams, cluster, evidence, profiles, m);
    }
}
