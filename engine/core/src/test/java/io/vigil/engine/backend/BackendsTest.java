package io.vigil.engine.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.CudaDriver;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Backend selection on a host without an NVIDIA GPU (this machine, CI): auto falls back, gpu refuses clearly. */
class BackendsTest {
    static boolean noGpu() {
        return CudaDriver.load().isEmpty();
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        assumeTrue(noGpu(), "this host has an NVIDIA driver");
        Backends.Selection s = Backends.select(BackendChoice.AUTO, 0, 128, Duration.ofMillis(10));
        assertThat(s.backend()).isSameAs(CpuBackend.INSTANCE);
        assertThat(s.reason()).isEqualTo("there is no NVIDIA driver on this host (libcuda.so.1 not found)");
        assertThat(s.backend().cudaDevice()).isEqualTo(-1);
    }

    @Test
    void gpuOnAHostWithoutOneIsAClearError() {
        assumeTrue(noGpu(), "this host has an NVIDIA driver");
        assertThatThrownBy(() -> Backends.select(BackendChoice.GPU, 0, 128, Duration.ofMillis(10)))
                .isInstanceOf(Backends.UnavailableException.class)
                .hasMessage("--backend gpu: there is no NVIDIA driver on this host (libcuda.so.1 not found)");
    }

    @Test
    void cpuIsAlwaysThere() {
        Backends.Selection s = Backends.select(BackendChoice.CPU, 0, 128, Duration.ofMillis(10));
        assertThat(s.backend().name()).isEqualTo("cpu");
        assertThat(s.backend().description()).startsWith("CPU: ");
    }
}
