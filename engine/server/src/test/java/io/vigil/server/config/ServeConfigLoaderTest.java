package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.config.ConfigException;
import io.vigil.server.evidence.EvidenceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil serve}'s file: every key read, and anything wrong refused with the file, the line and what. */
class ServeConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryKey() {
        ServeConfig c = ServeConfigLoader.parse("vigil.yaml", """
                server: {bind: 0.0.0.0, port: 9000, token: abcdefghijklmnopqrstuvwxyz, maxBodyBytes: 4096}
                limits:
                  maxStreams: 5
                  maxUrlLength: 300
                  allowedSchemes: [udp, srt, http]
                  fileDirs: [%s]
                  hosts:
                    allow: [127.0.0.1/32, "*.studio.example", "::1"]
                    deny: [10.0.0.0/8]
                defaults:
                  detectors:
                    black: {duration: 3}
                  decode: {ioTimeout: 4}
                reconnect: {initialSeconds: 0.5, maxSeconds: 10, quarantineFailures: 3, quarantineWithinMinutes: 2.5}
                sinks:
                  jsonl: /tmp/events.jsonl
                  spoolDir: /tmp/spool
                  webhooks:
                    - {url: "http://127.0.0.1:9999/hook", secret: s3cret, timeoutSeconds: 2, initialBackoffSeconds: 0.1, maxBackoffSeconds: 5, maxSpoolMiB: 8}
                streams:
                  - {id: news1, url: "udp://127.0.0.1:1234", detectors: [black, freeze, stall], black: {duration: 1, pictureThreshold: 0.9}}
                  - id: file1
                    url: %s/clip.ts
                """.formatted(dir, dir));
        assertThat(c.server()).isEqualTo(new ServeConfig.Server("0.0.0.0", 9000, "abcdefghijklmnopqrstuvwxyz", 4096));
        assertThat(c.limits().maxStreams()).isEqualTo(5);
        assertThat(c.limits().allowedSchemes()).containsExactly("udp", "srt", "http");
        assertThat(c.limits().fileDirs()).containsExactly(dir);
        assertThat(c.limits().hosts().allow()).extracting(HostRules.Entry::text)
                .containsExactly("127.0.0.1/32", "*.studio.example", "::1");
        assertThat(c.limits().hosts().deny()).extracting(HostRules.Entry::text).containsExactly("10.0.0.0/8");
        assertThat(c.defaults().detectors().get("black").durationSeconds()).isEqualTo(3);
        assertThat(c.defaults().detectors().get("stall").clearDelaySeconds()).isEqualTo(1.0);
        assertThat(c.defaults().ioTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.reconnect()).isEqualTo(new ServeConfig.Reconnect(0.5, 10, 3, 2.5));
        assertThat(c.sinks().jsonl()).isEqualTo(Path.of("/tmp/events.jsonl"));
        assertThat(c.sinks().webhooks()).singleElement().satisfies(w -> {
            assertThat(w.url().toString()).isEqualTo("http://127.0.0.1:9999/hook");
            assertThat(w.secret()).isEqualTo("s3cret");
            assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(w.maxSpoolBytes()).isEqualTo(8L << 20);
        });
        assertThat(c.streams()).hasSize(2);
        var news = c.streams().getFirst();
        assertThat(news.detectors()).containsExactly("black", "freeze", "stall");
        var analysis = ServeConfigLoader.streamConfig(c.defaults(), news);
        assertThat(analysis.detectors().get("black").durationSeconds()).isEqualTo(1);
        assertThat(analysis.detectors().get("black").number("pictureThreshold")).isEqualTo(0.9);
        assertThat(analysis.detectors().get("silence").enabled()).isFalse();
        assertThat(analysis.detectors().get("freeze").enabled()).isTrue();
        assertThat(c.streams().get(1).detectors()).isNull();
    }

    @Test
    void readsTheClusterSection() {
        ServeConfig c = ServeConfigLoader.parse("vigil.yaml", """
                server: {port: 9000, stateDir: /var/lib/vigil}
                limits: {maxStreams: 7}
                cluster:
                  bootstrapServers: "k1:9092,k2:9092"
                  role: video
                  nodeId: gpu-3
                  topicPrefix: tv.vigil
                  shards: 32
                  replicationFactor: 2
                  sessionTimeoutSeconds: 10
                  kafka: {security.protocol: SASL_SSL}
                """);
        ServeConfig.Cluster k = c.cluster();
        assertThat(k.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(k.role()).isEqualTo(Role.VIDEO);
        assertThat(k.nodeId()).isEqualTo("gpu-3");
        assertThat(k.advertisedUrl()).isEqualTo("http://gpu-3:9000");
        assertThat(k.topicPrefix()).isEqualTo("tv.vigil");
        assertThat(k.shards()).isEqualTo(32);
        assertThat(k.replicationFactor()).isEqualTo(2);
        assertThat(k.sessionTimeoutSeconds()).isEqualTo(10);
        assertThat(k.maxStreams()).isEqualTo(7);   // limits.maxStreams unless set
        assertThat(k.kafka()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.server().stateDir()).isEqualTo(java.nio.file.Path.of("/var/lib/vigil"));
        assertThat(ServeConfigLoader.parse("v.yaml", "").cluster()).isNull();
        refuses("cluster: {role: video}\n", "v.yaml:1: cluster.bootstrapServers: a cluster section needs");
        refuses("cluster:\n  bootstrapServers: k:9092\n  role: gpu\n", "v.yaml:3: cluster.role: 'gpu' is not a role");
        refuses("cluster:\n  bootstrapServers: k:9092\n  nodeId: a/b\n", "v.yaml:3: cluster.nodeId: 'a/b' must be");
    }

    @Test
    void aNodesCapacityCanBeWhatVigilBenchMeasured() {
        String home = System.getProperty("user.home");
        try {
            System.setProperty("user.home", dir.toString());
            refuses("cluster: {bootstrapServers: \"k:9092\", maxStreams: measured}\n",
                    "v.yaml:1: cluster.maxStreams: measured, but No measured capacity at");
            new MeasuredCapacity(9, "1920x1080", "h264", 30, "cuda", "gpu-7", java.time.Instant.EPOCH, null, null)
                    .write(MeasuredCapacity.defaultFile());
            ServeConfig c = ServeConfigLoader.parse("v.yaml", "cluster: {bootstrapServers: \"k:9092\", maxStreams: measured}\n");
            assertThat(c.cluster().maxStreams()).isEqualTo(9);
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    void rolesSplitTheDetectors() {
        var all = ServeConfig.analysisDefaults();
        var video = Role.VIDEO.restrict(all).detectors();
        var audio = Role.AUDIO.restrict(all).detectors();
        assertThat(video.get("black").enabled()).isTrue();
        assertThat(video.get("freeze").enabled()).isTrue();
        assertThat(video.get("silence").enabled()).isFalse();
        assertThat(audio.get("silence").enabled()).isTrue();
        assertThat(audio.get("loudness").enabled()).isEqualTo(all.detectors().get("loudness").enabled());
        assertThat(audio.get("black").enabled()).isFalse();
        assertThat(video.get("stall").enabled()).isTrue();
        assertThat(audio.get("stall").enabled()).isTrue();
        // Every detector runs in some role of a split fleet, except the combination that needs both on one node.
        for (var e : all.detectors().entrySet()) {
            if (e.getValue().enabled() && !e.getKey().equals("signal_loss")) {
                assertThat(video.get(e.getKey()).enabled() || audio.get(e.getKey()).enabled()).as(e.getKey()).isTrue();
            }
        }
    }

    @Test
    void theApisProtectionsAreServerKeys() {
        ServeConfig c = ServeConfigLoader.parse("v.yaml", """
                server:
                  headerTimeoutSeconds: 5
                  bodyTimeoutSeconds: 7.5
                  idleTimeoutSeconds: 60
                  maxConnections: 500
                  maxConnectionsPerAddress: 8
                  healthPort: 8322
                  maxSseClients: 100
                """);
        assertThat(c.server().api().limits()).isEqualTo(
                new io.vigil.server.http.HttpLimits(5, 7.5, 60, 500, 8, 100, 50));
        assertThat(c.server().api().healthPort()).isEqualTo(8322);
        assertThat(ServeConfig.Server.DEFAULTS.api().limits()).isEqualTo(io.vigil.server.http.HttpLimits.DEFAULTS);
        assertThat(ServeConfig.Server.DEFAULTS.api().healthPort()).isNull();
        refuses("server:\n  headerTimeoutSeconds: 0\n",
                "v.yaml:2: server.headerTimeoutSeconds: must be between 0.05s and 3600s, got 0");
        refuses("server:\n  healthPort: 8321\n", "v.yaml: server.healthPort: must differ from server.port");
        refuses("server:\n  maxSseClients: 10\n  maxSseClientsWithoutToken: 11\n",
                "v.yaml: server.maxSseClientsWithoutToken: must be at most server.maxSseClients");
    }

    @Test
    void readAccessIsServerKeys() {
        ServeConfig c = ServeConfigLoader.parse("v.yaml", """
                server:
                  token: abcdefghijklmnopqrstuvwxyz
                  viewerToken: zyxwvutsrqponmlkjihgfedcba
                  publicRead: false
                  metricsNeedToken: true
                """);
        assertThat(c.server().api().viewerToken()).isEqualTo("zyxwvutsrqponmlkjihgfedcba");
        assertThat(c.server().api().publicRead()).isFalse();
        assertThat(c.server().api().metricsNeedToken()).isTrue();
        assertThat(ServeConfig.Server.DEFAULTS.api().metricsNeedToken()).isFalse();
        refuses("server:\n  viewerToken: zyxwvutsrqponmlkjihgfedcba\n", "v.yaml: server.viewerToken: needs server.token");
        refuses("server:\n  token: abcdefghijklmnop\n  viewerToken: short\n",
                "v.yaml:3: server.viewerToken: must be at least 16 characters");
        refuses("server:\n  publicRead: maybe\n", "v.yaml:2: server.publicRead: must be true or false");
    }

    @Test
    void emptyFileIsTheDefaults() {
        ServeConfig c = ServeConfigLoader.parse("empty.yaml", "");
        assertThat(c.server()).isEqualTo(ServeConfig.Server.DEFAULTS);
        assertThat(c.streams()).isEmpty();
    }

    @Test
    void evidenceKeysAndTheirDefaults() {
        assertThat(ServeConfigLoader.parse("e.yaml", "").evidence()).isEqualTo(EvidenceSettings.DEFAULTS);
        ServeConfig c = ServeConfigLoader.parse("e.yaml", """
                evidence:
                  dir: /var/lib/vigil/evidence
                  keepHours: 48
                  maxMegabytes: 512
                  preSeconds: 3
                  postSeconds: 4
                  bufferSeconds: 20
                  bufferMegabytes: 8
                """);
        assertThat(c.evidence()).isEqualTo(new EvidenceSettings(true, Path.of("/var/lib/vigil/evidence"), 48, 512,
                true, 3, 4, 20, 8));
        assertThat(ServeConfigLoader.parse("e.yaml", "evidence: {enabled: false}\n").evidence().clips()).isFalse();
        assertThat(EvidenceSettings.DEFAULTS.folder(Path.of("/state"))).isEqualTo(Path.of("/state/evidence"));
        refuses("evidence:\n  keepHours: 0\n", "v.yaml:2: evidence.keepHours: must be between");
        refuses("evidence:\n  maxMegs: 1\n", "v.yaml:2: evidence.maxMegs: unknown key");
        refuses("evidence: {preSeconds: 20, bufferSeconds: 10}\n", "v.yaml:1: evidence.preSeconds: must be less than");
    }

    @Test
    void refusesMistakesWithFileAndLine() {
        refuses("server:\n  port: 70000\n", "v.yaml:2: server.port: must be between 0 and 65535, got 70000");
        refuses("server:\n  prot: 1\n", "v.yaml:2: server.prot: unknown key");
        refuses("server:\n  token: short\n", "v.yaml:2: server.token: must be at least 16 characters");
        refuses("limits:\n  allowedSchemes: [udp, gopher]\n", "v.yaml:2: limits.allowedSchemes: 'gopher' is not a scheme");
        refuses("defaults:\n  detectors:\n    black: {duration: -1}\n", "v.yaml:3: detectors.black.duration: must be between 0");
        refuses("reconnect: {initialSeconds: 5, maxSeconds: 1}\n", "v.yaml:1: reconnect.maxSeconds: must be at least");
        refuses("sinks:\n  webhooks:\n    - {url: ftp://x/y}\n", "v.yaml:3: sinks.webhooks.url: must be an http or https URL");
        refuses("streams:\n  - {id: a, url: \"udp://239.0.0.1:1\"}\n  - {id: a, url: \"udp://239.0.0.1:2\"}\n",
                "v.yaml:3: streams[].id: 'a' is used twice");
        refuses("streams:\n  - {id: a, url: \"gopher://x\"}\n", "v.yaml:2: streams[].url: The scheme 'gopher' is not allowed");
        refuses("streams:\n  - {id: a, url: /etc/passwd}\n", "v.yaml:2: streams[].url: Files cannot be streams here");
        refuses("streams:\n  - {id: a, url: \"udp://h:1\", detectors: [black, bluur]}\n",
                "v.yaml:2: streams[].detectors: unknown detector 'bluur'");
        refuses("streams:\n  - id: a\n    url: \"udp://h:1\"\n    black:\n      pictureThreshold: 3\n",
                "v.yaml:5: detectors.black.pictureThreshold: must be between 0 and 1");
        refuses("streams:\n  - {id: a, url: \"udp://h:1\", colour: 1}\n", "v.yaml:2: streams[].colour: unknown key");
        refuses("streams:\n  - {url: \"udp://h:1\"}\n", "v.yaml:2: streams[]: each stream needs an id and a url");
        refuses("streams:\n  - {id: \"a b\", url: \"udp://h:1\"}\n", "v.yaml:2: streams[].id: 'a b' must be");
        refuses("streams:\n  - {id: \".\", url: \"udp://h:1\"}\n", "v.yaml:2: streams[].id: '.' must be");
        refuses("streams:\n  - {id: \"..\", url: \"udp://h:1\"}\n", "v.yaml:2: streams[].id: '..' must be");
        refuses("reconnect: {quarantineFailures: 0}\n", "v.yaml:1: reconnect.quarantineFailures: must be");
        refuses("limits: {maxStreams: 1}\nstreams:\n  - {id: a, url: \"udp://h:1\"}\n  - {id: b, url: \"udp://h:2\"}\n",
                "v.yaml:3: streams: 2 streams, more than limits.maxStreams (1)");
        refuses("server: [1, 2\n", "v.yaml:2:1: not valid YAML");
        refuses("limits:\n  hosts:\n    allow: [10.0.0.0/33]\n", "v.yaml:3: limits.hosts.allow: '10.0.0.0/33': the prefix length must be 0 to 32");
        refuses("limits:\n  hosts:\n    deny: [\"not a host\"]\n", "v.yaml:3: limits.hosts.deny: 'not a host' is neither");
        refuses("limits:\n  hosts: {permit: []}\n", "v.yaml:2: limits.hosts.permit: unknown key");
        refuses("streams:\n  - {id: a, url: \"udp://127.0.0.1:1\"}\n",
                "v.yaml:2: streams[].url: The address 127.0.0.1 is a loopback address, refused unless limits.hosts.allow names it.");
        refuses("streams:\n  - {id: a, url: \"udp://@:1?fifo_size=11000000\"}\n",
                "v.yaml:2: streams[].url: The udp option fifo_size=11000000 is outside its bounds");
        refuses("limits:\n  hosts: {allow: [127.0.0.1]}\nstreams:\n  - {id: a, url: \"udp://127.0.0.1:1\"}\n"
                + "  - {id: b, url: \"http://[::1]:8321/admin\"}\n", "v.yaml:5: streams[].url: The address ::1 is a loopback");
    }

    @Test
    void webhookFormatsAndTheirKeys() {
        ServeConfig c = ServeConfigLoader.parse("v.yaml", """
                sinks:
                  publicUrl: "https://vigil.example.net"
                  webhooks:
                    - {url: "http://am:9093", format: alertmanager, resendSeconds: 30}
                    - {format: pagerduty, routingKey: "R0123456789abcdef0123456789abcde"}
                    - {url: "https://hooks.slack.com/services/T/B/x", format: slack}
                    - {url: "http://127.0.0.1:9999/hook"}
                """);
        var hooks = c.sinks().webhooks();
        assertThat(hooks).extracting(w -> w.format().wireName())
                .containsExactly("alertmanager", "pagerduty", "slack", "vigil");
        assertThat(hooks).allSatisfy(w ->
                assertThat(w.publicUrl()).hasToString("https://vigil.example.net"));
        assertThat(hooks.get(0).resendInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hooks.get(1).url()).isEqualTo(io.vigil.server.delivery.WebhookSettings.PAGERDUTY_EVENTS_URL);
        assertThat(hooks.get(1).routingKey()).isEqualTo("R0123456789abcdef0123456789abcde");
        assertThat(hooks.get(3).resendInterval()).isEqualTo(Duration.ofMinutes(1));
        refuses("sinks:\n  webhooks:\n    - {url: \"http://x/\", format: teams}\n",
                "v.yaml:3: sinks.webhooks.format: 'teams' is not one of vigil, alertmanager, pagerduty, slack");
        refuses("sinks:\n  webhooks:\n    - {url: \"http://x/\", format: slack, routingKey: abc}\n",
                "v.yaml:3: sinks.webhooks.routingKey: only for format pagerduty");
        refuses("sinks:\n  webhooks:\n    - {format: pagerduty, routingKey: short}\n",
                "v.yaml:3: sinks.webhooks.routingKey: a PagerDuty integration key has 32 characters");
        refuses("sinks:\n  publicUrl: vigil.example.net\n",
                "v.yaml:2: sinks.publicUrl: must be an http or https URL");
        refuses("sinks:\n  webhooks:\n    - {url: \"http://x/\"}\n  publicUrl: ftp://x\n",
                "v.yaml:4: sinks.publicUrl: must be an http or https URL");
    }

    private static void refuses(String yaml, String message) {
        assertThatThrownBy(() -> ServeConfigLoader.parse("v.yaml", yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void urlPolicy() {
        UrlPolicy p = new UrlPolicy(new ServeConfig.Limits(4, 60, List.of("udp", "http"), List.of(dir)));
        assertThat(p.refusal("udp://239.0.0.1:1234")).isNull();
        assertThat(p.refusal(dir + "/a.ts")).isNull();
        assertThat(p.refusal("file://" + dir + "/a.ts")).isNull();
        assertThat(p.refusal(dir + "/../x.ts")).contains("outside the folders");
        assertThat(p.refusal("a.ts")).contains("absolute path");
        assertThat(p.refusal("-")).contains("Standard input");
        assertThat(p.refusal("pipe:0")).contains("Standard input");
        assertThat(p.refusal("rtmp://h/live")).contains("not allowed");
        assertThat(p.refusal("hls+http://h/x.m3u8")).contains("not allowed");
        assertThat(p.refusal("http://h/a b")).contains("space");
        assertThat(p.refusal("http://h/" + "x".repeat(60))).contains("at most 60");
        assertThat(p.refusal("")).contains("needs a url");
        assertThat(p.refusal("udp://127.0.0.1:1234")).contains("loopback address");
        assertThat(p.refusal("udp://@:1234?fifo_size=11000000")).contains("outside its bounds");
    }

    @Test
    void aFifoOrADeviceInsideFileDirsIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("feed.ts");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        UrlPolicy p = new UrlPolicy(new ServeConfig.Limits(4, 200, List.of("udp"), List.of(dir, Path.of("/dev"))));
        assertThat(p.refusal(fifo.toString())).isEqualTo(fifo
                + " is not a regular file (a FIFO, a device or a folder): only regular files can be streams.");
        assertThat(p.refusal("/dev/zero")).contains("not a regular file");
        // Again at each open, where a file may have been replaced since it was added.
        assertThat(p.guard().refusal(fifo.toString())).contains("not a regular file");
        assertThat(p.guard().refusal("file:" + fifo)).contains("not a regular file");
        assertThat(p.guard().refusal("/etc/passwd")).contains("outside the folders");
        assertThat(p.guard().refusal("http://127.0.0.1/x")).contains("loopback");
    }
}
