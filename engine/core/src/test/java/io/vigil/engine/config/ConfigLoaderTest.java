package io.vigil.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorSettings;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    @Test
    void defaultsAreFfmpegs() {
        VigilConfig c = VigilConfig.defaults();
        DetectorSettings black = c.detectors().get("black");
        assertThat(black.durationSeconds()).isEqualTo(2.0);
        assertThat(black.number("pictureThreshold")).isEqualTo(0.98);
        assertThat(black.number("pixelThreshold")).isEqualTo(0.10);
        assertThat(c.detectors().get("freeze").amplitude("noise")).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.detectors().get("silence").amplitude("noise")).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void readsEveryKindOfKey() {
        VigilConfig c = ConfigLoader.parse("v.yaml", """
                detectors:
                  black:
                    duration: 5
                    pixelThreshold: 0.15
                    severity: warning
                  silence:
                    noise: -50dB
                    clearDelay: 1.5
                  freeze:
                    enabled: false
                decode:
                  threads: 2
                  ioTimeout: 3
                backend: cpu
                gpu:
                  device: 1
                  maxBatch: 32
                  maxLatencyMs: 5
                """);
        assertThat(c.backend()).isEqualTo(io.vigil.kernels.engine.BackendChoice.CPU);
        assertThat(c.gpu()).isEqualTo(new VigilConfig.Gpu(1, 32, java.time.Duration.ofMillis(5)));
        assertThat(c.detectors().get("black").durationSeconds()).isEqualTo(5.0);
        assertThat(c.detectors().get("black").number("pixelThreshold")).isEqualTo(0.15);
        assertThat(c.detectors().get("black").severity()).isEqualTo(Severity.WARNING);
        assertThat(c.detectors().get("silence").amplitude("noise")).isCloseTo(0.00316, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(c.detectors().get("silence").clearDelaySeconds()).isEqualTo(1.5);
        assertThat(c.detectors().get("freeze").enabled()).isFalse();
        assertThat(c.decodeThreads()).isEqualTo(2);
        assertThat(c.ioTimeout()).hasSeconds(3);
    }

    @Test
    void errorsNameFileLineAndKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  black:\n    pixelThrehsold: 0.2\n"))
                .hasMessageStartingWith("v.yaml:3: detectors.black.pixelThrehsold: unknown key");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  black:\n    pictureThreshold: 2\n"))
                .hasMessageContaining("v.yaml:3: detectors.black.pictureThreshold: must be between 0 and 1");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  sharpness: {}\n"))
                .hasMessageContaining("v.yaml:2: detectors.sharpness: unknown detector")
                .hasMessageNotContaining("(not available in this version)");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors:\n  silence:\n    noise: loud\n"))
                .hasMessageContaining("v.yaml:3:");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "backend: tpu\n"))
                .hasMessageStartingWith("v.yaml:1: backend: backend must be auto, cpu or gpu");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "gpu:\n  maxBatch: 0\n"))
                .hasMessageContaining("v.yaml:2: gpu.maxBatch: must be between 1 and 1024");
        assertThatThrownBy(() -> ConfigLoader.parse("v.yaml", "detectors: [1, 2\n"))
                .hasMessageStartingWith("v.yaml:2:1: not valid YAML");
    }
}
