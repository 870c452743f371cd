package io.vigil.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.server.DeliveryFigures;
import io.vigil.server.StreamRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /metrics} over the official Prometheus Java client: vigil's families (read from the registry and the
 * server at each scrape, so nothing is kept per stream between scrapes but its label sets), the client's JVM and
 * process collectors, {@code vigil_build_info}, and the HTTP requests by handler and code. Text format 0.0.4 by
 * default; OpenMetrics 1.0 when the Accept header asks for {@code application/openmetrics-text}. One per API server
 * (its own client registry, never the client's default one); the JVM's collectors are shared by every endpoint of
 * the JVM.
 */
public final class MetricsEndpoint {
    /** The text format's content type (the default answer). */
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    /** The JVM's and the process's collectors, once per JVM: they register listeners that are never removed. */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(REGISTRY);
        }
    }

    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Counter httpRequests;
    private volatile BuildInfo build;
    /** The last answer's size: the next one's buffer starts there. */
    private volatile int lastSize = 16384;

    /**
     * @param streams the registry the stream families read
     * @param server the API's own figures
     * @param deliveries the webhooks' figures
     * @param gpus the GPUs' telemetry (empty without a GPU)
     */
    public MetricsEndpoint(StreamRegistry streams, Supplier<ServerFigures> server,
                           Supplier<List<DeliveryFigures>> deliveries, Supplier<List<GpuFigures>> gpus) {
        this.build = BuildInfo.of("unknown");
        httpRequests = Counter.builder()
                .name("vigil_http_requests")
                .help("HTTP requests answered, by handler (the route's template; \"none\" for a path that names"
                        + " nothing) and status code.")
                .labelNames("handler", "code")
                .withoutExemplars()
                .register(prometheus);
        StreamFamilies streamFamilies = new StreamFamilies(streams);
        prometheus.register((MultiCollector) () -> {
            List<MetricSnapshot> out = new ArrayList<>(64);
            out.add(build.snapshot());
            streamFamilies.collect(out);
            ServiceFamilies.collect(server.get(), deliveries.get(), gpus.get(), streams.fleet().orElse(null), out);
            return new MetricSnapshots(out);
        });
    }

    /** The statistics backend, for {@code vigil_build_info}. */
    public void backend(String name) {
        build = BuildInfo.of(name);
    }

    /** Counts an answered request. */
    public void requestAnswered(String handler, int code) {
        httpRequests.labelValues(handler, Integer.toString(code)).inc();
    }

    /** An answer: its content type and body. */
    public record Scrape(String contentType, byte[] body) {
    }

    /** Every family, in the format {@code accept} (the request's Accept header, or null) asks for. */
    public Scrape scrape(String accept) {
        ExpositionFormatWriter writer = accept != null && accept.contains("application/openmetrics-text")
                ? formats.getOpenMetricsTextFormatWriter() : formats.getPrometheusTextFormatWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream(lastSize + lastSize / 8);
        try {
            List<MetricSnapshot> all = new ArrayList<>(128);
            Jvm.REGISTRY.scrape().forEach(all::add);
            prometheus.scrape().forEach(all::add);
            writer.write(out, new MetricSnapshots(all));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastSize = out.size();
        return new Scrape(writer.getContentType(), out.toByteArray());
    }
}
