package io.vigil.ffi.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import org.junit.jupiter.api.Test;

/**
 * NVML of a real driver (the GPU check runs it on the device host with {@code -Dvigil.gpu=required}); skipped without
 * one, unless required. Prints what it read, so that the check's log shows each GPU's figures.
 */
class NvmlGpuTest {
    @Test
    void readsEveryGpuOfTheHostsDriver() {
        try (Nvml nvml = Nvml.open()) {
            if (nvml.unavailableReason().isPresent() || nvml.gpuCount() == 0) {
                String why = nvml.unavailableReason().orElse("NVML sees no GPU");
                if ("required".equals(System.getProperty("vigil.gpu"))) {
                    fail("-Dvigil.gpu=required, but " + why);
                }
                abort("NVML test skipped: " + why);
            }
            System.out.println("NVML: driver " + nvml.driverVersion() + ", notes " + nvml.notes());
            for (NvmlReading gpu : nvml.read()) {
                System.out.println("NVML: " + gpu);
                assertThat(gpu.name()).isNotBlank();
                assertThat(gpu.decoderUtilization()).as("NVDEC, which every data-centre GPU reports").isBetween(0.0, 1.0);
                assertThat(gpu.gpuUtilization()).isBetween(0.0, 1.0);
                assertThat(gpu.memoryTotalBytes()).isPositive();
                assertThat(gpu.memoryUsedBytes()).isBetween(0.0, gpu.memoryTotalBytes());
                assertThat(gpu.temperatureCelsius()).isBetween(1.0, 120.0);
            }
        }
    }
}
