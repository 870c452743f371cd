package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;

class GpuTelemetryTest {
    /** A GPU as NVML would report it, with made-up figures. */
    static GpuFigures h100() {
        SequencedMap<String, Boolean> reasons = new LinkedHashMap<>();
        reasons.put("gpu_idle", false);
        reasons.put("sw_power_cap", true);
        reasons.put("hw_slowdown", false);
        return new GpuFigures(0, "NVIDIA H100 80GB HBM3", 0.43, 0.0, 0.71, 0.12, 1.5 * (1L << 30), 80.0 * (1L << 30),
                54, 212.5, 700, reasons, 3, 0, List.of());
    }

    @Test
    void withoutNvmlItSaysSoInOneLineAndReadsNothing() {
        try (GpuTelemetry gpus = GpuTelemetry.open("libvigil-no-such-nvml.so.1")) {
            assertThat(gpus.unavailableReason()).isPresent();
            assertThat(gpus.read()).isEmpty();
            assertThat(DecodingHost.telemetryLines(gpus)).containsExactly(
                    "NVML:     not available (libvigil-no-such-nvml.so.1 not found, so no NVIDIA driver on this host)");
        }
    }

    @Test
    void doctorHasOneNvmlLineOnAHostWithoutNvml() {
        // This host has no NVIDIA driver (CI, the build box); on a GPU host the line names the driver instead.
        if (GpuTelemetry.open().unavailableReason().isEmpty()) {
            return;
        }
        assertThat(DecodingHost.describe().stream().filter(l -> l.startsWith("NVML"))).singleElement()
                .satisfies(l -> assertThat(l).startsWith("NVML:     not available ("));
    }

    @Test
    void eachGpuIsOneLineOfItsFigures() {
        GpuTelemetry fake = new GpuTelemetry() {
            @Override
            public Optional<String> unavailableReason() {
                return Optional.empty();
            }

            @Override
            public String summary() {
                return "driver 999.01, 1 GPU";
            }

            @Override
            public List<GpuFigures> read() {
                return List.of(h100());
            }

            @Override
            public void close() {
            }
        };
        assertThat(DecodingHost.telemetryLines(fake)).containsExactly(
                "NVML:     driver 999.01, 1 GPU",
                "NVML 0:   NVIDIA H100 80GB HBM3: decoder 43%, encoder 0%, SM 71%, memory bus 12%, 1.5 of 80.0 GiB used,"
                        + " 54 °C, 213 of 700 W, clocks held down by sw_power_cap, ECC errors 3 corrected, 0 uncorrected");
    }

    @Test
    void figuresAGpuDoesNotReportAreLeftOut() {
        GpuFigures consumer = new GpuFigures(1, "GeForce", 0.05, Double.NaN, 0.1, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, new LinkedHashMap<>(), Double.NaN, Double.NaN,
                List.of("temperature: Insufficient Permissions (4)"));
        assertThat(consumer.describe()).isEqualTo(
                "GeForce: decoder 5%, SM 10%, unreadable temperature: Insufficient Permissions (4)");
    }
}
