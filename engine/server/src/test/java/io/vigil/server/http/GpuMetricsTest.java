package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.engine.pipeline.GpuTelemetry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GpuMetricsTest {

    static GpuFigures h100() {
        SequencedMap<String, Boolean> reasons = new LinkedHashMap<>();
        reasons.put("gpu_idle", false);
        reasons.put("sw_power_cap", true);
        return new GpuFigures(0, "NVIDIA H100 \"SXM\"", 0.43, 0.02, 0.71, 0.12, 1610612736, 85899345920L, 54, 212.5,
                700, reasons, 3, 0, List.of());
    }

    /** A board without ECC, power or throttle figures. */
    static GpuFigures consumer() {
        return new GpuFigures(1, "GeForce", 0.05, 0, 0.1, 0.01, 1e9, 8e9, 40, Double.NaN, Double.NaN,
                new LinkedHashMap<>(), Double.NaN, Double.NaN, List.of());
    }

    /** Telemetry that reads {@code figures} each time. */
    static GpuTelemetry fakeTelemetry(java.util.function.Supplier<List<GpuFigures>> figures) {
        return new GpuTelemetry() {
            @Override
            public Optional<String> unavailableReason() {
                return Optional.empty();
            }

            @Override
            public String summary() {
                return "fake";
            }

            @Override
            public List<GpuFigures> read() {
                return figures.get();
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void everyGpuFigureIsAGaugeOrCounterLabelledWithTheGpu() {
        String text = Scrapes.text(new TinyRegistry(), List.of(h100(), consumer()));
        PrometheusParser.Parsed p = PrometheusParser.parse(text);
        assertThat(p.types()).containsEntry("vigil_gpu_decoder_utilization_ratio", "gauge")
                .containsEntry("vigil_gpu_encoder_utilization_ratio", "gauge")
                .containsEntry("vigil_gpu_utilization_ratio", "gauge")
                .containsEntry("vigil_gpu_memory_utilization_ratio", "gauge")
                .containsEntry("vigil_gpu_memory_used_bytes", "gauge")
                .containsEntry("vigil_gpu_memory_total_bytes", "gauge")
                .containsEntry("vigil_gpu_temperature_celsius", "gauge")
                .containsEntry("vigil_gpu_power_watts", "gauge")
                .containsEntry("vigil_gpu_power_limit_watts", "gauge")
                .containsEntry("vigil_gpu_throttle_reasons", "gauge")
                .containsEntry("vigil_gpu_ecc_errors_total", "counter");
        String h = "gpu=0, name=NVIDIA H100 \\\"SXM\\\"";
        assertThat(p.value("vigil_gpu_decoder_utilization_ratio{" + h + "}")).isEqualTo(0.43);
        assertThat(p.value("vigil_gpu_encoder_utilization_ratio{" + h + "}")).isEqualTo(0.02);
        assertThat(p.value("vigil_gpu_utilization_ratio{" + h + "}")).isEqualTo(0.71);
        assertThat(p.value("vigil_gpu_memory_utilization_ratio{" + h + "}")).isEqualTo(0.12);
        assertThat(p.value("vigil_gpu_memory_used_bytes{" + h + "}")).isEqualTo(1610612736.0);
        assertThat(p.value("vigil_gpu_memory_total_bytes{" + h + "}")).isEqualTo(85899345920.0);
        assertThat(p.value("vigil_gpu_temperature_celsius{" + h + "}")).isEqualTo(54);
        assertThat(p.value("vigil_gpu_power_watts{" + h + "}")).isEqualTo(212.5);
        assertThat(p.value("vigil_gpu_power_limit_watts{" + h + "}")).isEqualTo(700);
        assertThat(p.value("vigil_gpu_throttle_reasons{" + h + ", reason=gpu_idle}")).isEqualTo(0);
        assertThat(p.value("vigil_gpu_throttle_reasons{" + h + ", reason=sw_power_cap}")).isEqualTo(1);
        assertThat(p.value("vigil_gpu_ecc_errors_total{" + h + ", type=corrected}")).isEqualTo(3);
        assertThat(p.value("vigil_gpu_ecc_errors_total{" + h + ", type=uncorrected}")).isEqualTo(0);
        assertThat(p.value("vigil_gpu_decoder_utilization_ratio{gpu=1, name=GeForce}")).isEqualTo(0.05);
        // What a board does not report has no sample at all, rather than NaN.
        assertThat(text).doesNotContain("NaN").doesNotContain("vigil_gpu_power_watts{gpu=\"1\"")
                .doesNotContain("vigil_gpu_ecc_errors_total{gpu=\"1\"")
                .doesNotContain("vigil_gpu_throttle_reasons{gpu=\"1\"");
    }

    @Test
    void withoutAGpuThereIsNoGpuFamily() {
        String text = Scrapes.text(new TinyRegistry(), List.of());
        PrometheusParser.parse(text);
        assertThat(text).doesNotContain("vigil_gpu_");
    }

    @Test
    void theTelemetryIsReadAtMostOncePerInterval() {
        AtomicInteger reads = new AtomicInteger();
        AtomicLong now = new AtomicLong(5_000_000_000L);
        GpuTelemetry telemetry = fakeTelemetry(() -> {
            reads.incrementAndGet();
            return List.of(h100());
        });
        GpuSampler sampler = new GpuSampler(telemetry, GpuSampler.INTERVAL_NANOS, now::get);
        assertThat(sampler.get()).hasSize(1);
        now.addAndGet(400_000_000L);
        sampler.get();
        sampler.get();
        assertThat(reads).as("within the second").hasValue(1);
        now.addAndGet(600_000_000L);
        assertThat(sampler.get()).hasSize(1);
        assertThat(reads).as("a second later").hasValue(2);
    }
}
