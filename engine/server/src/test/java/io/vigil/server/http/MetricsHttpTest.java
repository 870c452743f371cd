package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamStatus;
import io.vigil.server.metrics.MetricsEndpoint;
import io.vigil.server.metrics.ServerFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /metrics as an SRE plugs it in: JVM and process families, vigil_build_info with the pom's version, alarms by
 * severity, HTTP requests by handler and code, the statistics as per-stream gauges (gone with their stream),
 * OpenMetrics on request, HEAD answered, and a scrape of 500 streams that stays cheap.
 */
@Timeout(60)
class MetricsHttpTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final TinyRegistry registry = new TinyRegistry();
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The version in the pom (engine/server's parent's), what the build must say everywhere. */
    static String pomVersion() throws Exception {
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    HttpResponse<String> send(String method, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static StreamStatus running(String id, Map<String, Double> statistics, List<Event.Alarm> active,
                                Map<String, Long> raised) {
        return new StreamStatus(id, "udp://h:1", StreamStatus.State.RUNNING, "cpu", "cpu", 25, 1000, 2, 1, 3, 0, null,
                Instant.now(), statistics, active, raised);
    }

    static final Map<String, Double> FIGURES = Map.of("momentaryLufs", -23.1, "shortTermLufs", -22.9,
            "truePeakDbtp", -1.5, "rmsDbfs", -20.0, "lumaMean", 120.5, "darkFraction", 0.01, "mafd", 3.25,
            "blockiness", 0.2, "fps", 25.0);

    @Test
    void jvmProcessBuildInfoAndEveryStatisticAsAGaugeGoneWithItsStream() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, new EventHub(10));
        server.statisticsBackend("cpu");
        registry.put(running("news", FIGURES, List.of(ApiServerTest.alarm("news", "black", "firing")),
                Map.of("black", 1L)));
        HttpResponse<String> r = send("GET", "metrics", null);
        PrometheusParser.Parsed p = PrometheusParser.parse(r.body());
        assertThat(p.types()).containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds",
                "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "vigil_build_info");
        String build = p.samples().keySet().stream().filter(k -> k.startsWith("vigil_build_info{")).findFirst()
                .orElseThrow();
        assertThat(build).contains("version=" + pomVersion()).contains("backend=cpu")
                .contains("java=" + Runtime.version()).contains("ffmpeg=8.0.1");
        assertThat(p.value("vigil_stream_loudness_momentary_lufs{stream=news}")).isEqualTo(-23.1);
        assertThat(p.value("vigil_stream_loudness_short_term_lufs{stream=news}")).isEqualTo(-22.9);
        assertThat(p.value("vigil_stream_true_peak_dbtp{stream=news}")).isEqualTo(-1.5);
        assertThat(p.value("vigil_stream_audio_rms_dbfs{stream=news}")).isEqualTo(-20.0);
        assertThat(p.value("vigil_stream_luma_mean{stream=news}")).isEqualTo(120.5);
        assertThat(p.value("vigil_stream_dark_ratio{stream=news}")).isEqualTo(0.01);
        assertThat(p.value("vigil_stream_frame_difference{stream=news}")).isEqualTo(3.25);
        assertThat(p.value("vigil_stream_blockiness{stream=news}")).isEqualTo(0.2);
        assertThat(p.value("vigil_stream_fps{stream=news}")).isEqualTo(25);
        assertThat(p.value("vigil_stream_decode_errors_total{stream=news}")).isEqualTo(2);
        assertThat(p.value("vigil_alarms_active{detector=black, severity=critical, stream=news}")).isEqualTo(1);

        registry.remove("news");
        String after = send("GET", "metrics", null).body();
        PrometheusParser.parse(after);
        assertThat(after).doesNotContain("stream=\"news\"");
    }

    @Test
    void requestsAreCountedByRouteTemplateAndCode() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, new EventHub(10));
        registry.put(running("a", Map.of(), List.of(), Map.of()));
        assertThat(send("GET", "api/streams/a", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "api/streams/nope", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "api/streams/nope2", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "no/such/thing", null).statusCode()).isEqualTo(404);
        assertThat(send("PUT", "metrics", null).statusCode()).isEqualTo(405);
        PrometheusParser.Parsed p = PrometheusParser.parse(send("GET", "metrics", null).body());
        assertThat(p.types()).containsEntry("vigil_http_requests_total", "counter");
        assertThat(p.value("vigil_http_requests_total{code=200, handler=/api/streams/{id}}")).isEqualTo(1);
        assertThat(p.value("vigil_http_requests_total{code=404, handler=/api/streams/{id}}")).isEqualTo(2);
        assertThat(p.value("vigil_http_requests_total{code=404, handler=none}")).isEqualTo(1);
        assertThat(p.value("vigil_http_requests_total{code=405, handler=/metrics}")).isEqualTo(1);
    }

    @Test
    void openMetricsWhenTheAcceptHeaderAsksForIt() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, new EventHub(10));
        registry.put(running("a", FIGURES, List.of(), Map.of()));
        HttpResponse<String> r = send("GET", "metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(r.body()).endsWith("# EOF\n").contains("# TYPE vigil_build info")
                .contains("vigil_stream_frames_total{stream=\"a\"} 1000");
        assertThat(send("GET", "metrics", "text/plain").headers().firstValue("Content-Type"))
                .hasValue(MetricsEndpoint.TEXT_CONTENT_TYPE);
    }

    @Test
    void headIsAnsweredOnEveryGetRouteWithoutABodyOrAWarning() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, new EventHub(10));
        List<LogRecord> warnings = new ArrayList<>();
        Handler catcher = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(catcher);
        PrintStream err = System.err;
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> metrics = send("HEAD", "metrics", null);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isEmpty();
            assertThat(metrics.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.TEXT_CONTENT_TYPE);
            assertThat(Long.parseLong(metrics.headers().firstValue("Content-Length").orElseThrow())).isPositive();
            assertThat(send("HEAD", "api/streams", null).statusCode()).isEqualTo(200);
            assertThat(send("HEAD", "health/live", null).statusCode()).isEqualTo(200);
            assertThat(send("HEAD", "api/openapi.yaml", null).statusCode()).isEqualTo(200);
            HttpResponse<String> events = send("HEAD", "api/events", null);
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            assertThat(send("HEAD", "api/streams/nope", null).statusCode()).isEqualTo(404);
        } finally {
            System.setErr(err);
            root.removeHandler(catcher);
        }
        assertThat(warnings).isEmpty();
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
        PrometheusParser.Parsed p = PrometheusParser.parse(send("GET", "metrics", null).body());
        assertThat(p.value("vigil_http_requests_total{code=200, handler=/metrics}")).isEqualTo(1);
    }

    @Test
    void theOpenApiDescriptionCarriesTheBuildsVersion() throws Exception {
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, new EventHub(10));
        String yaml = send("GET", "api/openapi.yaml", null).body();
        assertThat(yaml).contains("\ninfo:\n  title: vigil serve\n  version: " + pomVersion() + "\n");
    }

    /**
     * 500 streams, each with its statistics, two detectors' alarms and a latency histogram: a scrape stays well under
     * what a 15 s scrape interval can afford, and allocates about what its answer weighs, not more.
     */
    @Test
    void aScrapeOf500StreamsIsCheap() {
        for (int i = 0; i < 500; i++) {
            String id = "stream-" + i;
            registry.put(running(id, FIGURES, List.of(ApiServerTest.alarm(id, "black", "firing")),
                    Map.of("black", 3L, "silence", 1L)));
        }
        registry.alarmFigures.fired(ApiServerTest.alarm("stream-0", "silence", "firing"), 0.1);
        MetricsEndpoint metrics = new MetricsEndpoint(registry, () -> ServerFigures.NONE, List::of, List::of);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int size = 0;
        for (int warm = 0; warm < 20; warm++) {
            size = metrics.scrape(null).body().length;
        }
        int runs = 20;
        long bytesBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            metrics.scrape(null);
        }
        double millis = (System.nanoTime() - start) / 1e6 / runs;
        double allocated = (threads.getCurrentThreadAllocatedBytes() - bytesBefore) / (double) runs;
        System.out.printf("metrics | 500 streams: %d bytes of text, %.1f ms and %.1f MB allocated per scrape%n",
                size, millis, allocated / 1e6);
        assertThat(millis).isLessThan(250);
        assertThat(allocated).as("allocated per scrape, against the answer's %d bytes", size)
                .isLessThan(12.0 * size);
    }
}
