package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live /metrics against Prometheus's own checker ({@code promtool check metrics}), and the monitoring files
 * (docker-gpu/monitoring: the Grafana dashboard, the alert rules) against the same scrape: every metric their
 * queries name must be one vigil exposes, so that a renamed metric breaks this test rather than a dashboard.
 * promtool comes from Debian's prometheus package (.ci/run installs it); without it the first test is skipped,
 * saying so, except in CI, where it fails.
 */
@Timeout(120)
class PromtoolTest {
    private static final Path MONITORING = Path.of("../../docker-gpu/monitoring");
    /** The metric names a query can mean: vigil's own, the JVM's and the process's (labels never start so). */
    private static final Pattern METRIC = Pattern.compile("\\b((?:vigil|jvm|process)_[a-zA-Z0-9_]*)");

    static Optional<Path> promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Test
    void promtoolFindsNothingWrongWithALiveScrape() throws Exception {
        Optional<Path> promtool = promtool();
        if (promtool.isEmpty()) {
            assertThat(System.getenv("CI")).as("CI must have promtool (.ci/run installs it)").isNotEqualTo("true");
            assumeTrue(false, "promtool is not installed (Debian: apt-get install prometheus, or take"
                    + " /usr/bin/promtool from its .deb as .ci/run does): the live /metrics is not checked with it");
        }
        String text = LiveScrape.text();
        Files.writeString(Path.of("target/live-metrics.prom"), text); // to read when promtool complains
        Process p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("promtool check metrics").isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void aTransportStreamsIngestDropsAndRtpLossesAreCounters() throws Exception {
        PrometheusParser.Parsed scrape = PrometheusParser.parse(LiveScrape.text());
        assertThat(scrape.value("vigil_ts_ingest_drops_total{stream=news}")).isEqualTo(4);
        assertThat(scrape.value("vigil_ts_rtp_lost_total{stream=news}")).isEqualTo(2);
    }

    @Test
    void everyMetricTheMonitoringFilesQueryIsExposed() throws Exception {
        PrometheusParser.Parsed scrape = PrometheusParser.parse(LiveScrape.text());
        TreeSet<String> exposed = new TreeSet<>();
        for (String series : scrape.samples().keySet()) {
            exposed.add(series.substring(0, series.indexOf('{')));
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(MONITORING)) {
            all.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith("rules.yaml")).forEach(files::add);
        }
        assertThat(files).as("docker-gpu/monitoring's dashboard and rules").hasSizeGreaterThanOrEqualTo(2);
        TreeSet<String> queried = new TreeSet<>();
        for (Path f : files) {
            for (String expr : expressions(Files.readString(f))) {
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    queried.add(m.group(1));
                    assertThat(exposed).as("%s queries %s in: %s", f.getFileName(), m.group(1), expr)
                            .contains(m.group(1));
                }
            }
        }
        assertThat(queried).as("the monitoring files query vigil's figures").contains("vigil_stream_up",
                "vigil_stream_fps", "vigil_alarms_active", "vigil_webhook_pending");
    }

    /**
     * The dashboard as Grafana provisions it: a uid and title, every panel with a unique id, a known type and a place
     * on the grid, every query on the provisioned data source (by its uid) with a refId.
     */
    @Test
    void theDashboardIsOneGrafanaProvisions() throws Exception {
        String datasources = Files.readString(MONITORING.resolve("grafana/provisioning/datasources/vigil.yaml"));
        Matcher uid = Pattern.compile("(?m)^\\s+uid: (\\S+)$").matcher(datasources);
        assertThat(uid.find()).isTrue();
        assertThat(Files.readString(MONITORING.resolve("grafana/provisioning/dashboards/vigil.yaml")))
                .contains("path: /var/lib/grafana/dashboards/vigil");
        var dashboard = Json.MAPPER.readTree(MONITORING.resolve("grafana/dashboards/vigil.json").toFile());
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        TreeSet<Integer> ids = new TreeSet<>();
        for (var panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id: %s", title).isTrue();
            assertThat(panel.path("type").asText()).as(title).isIn("row", "stat", "timeseries", "gauge", "table");
            var grid = panel.path("gridPos");
            assertThat(grid.path("w").asInt()).as(title).isBetween(1, 24);
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(title).isLessThanOrEqualTo(24);
            assertThat(grid.path("h").asInt()).as(title).isPositive();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo(uid.group(1));
            assertThat(panel.path("targets").size()).as(title).isPositive();
            for (var target : panel.path("targets")) {
                assertThat(target.path("refId").asText()).as(title).isNotBlank();
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
            }
        }
    }

    /** The PromQL in a dashboard ("expr": "...") or a rules file (expr: ... on one line or a block). */
    static List<String> expressions(String file) {
        List<String> out = new ArrayList<>();
        Matcher json = Pattern.compile("\"(?:expr|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(file);
        while (json.find()) {
            out.add(json.group(1).replace("\\\"", "\""));
        }
        Matcher yaml = Pattern.compile("(?m)^(\\s*)expr:\\s*(\\|[-+]?\\s*\\n((?:\\1\\s+.*\\n?)+)|(.+))").matcher(file);
        while (yaml.find()) {
            out.add(yaml.group(3) != null ? yaml.group(3) : yaml.group(4));
        }
        assertThat(out).as("queries in the file").isNotEmpty();
        return out;
    }
}
