package io.vigil.ffi.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NvmlTest {
    @AfterEach
    void resetFake() {
        if (fakeBuilt) {
            FakeNvml.reset();
        }
    }

    private boolean fakeBuilt;

    private Nvml openFake() {
        String path = FakeNvml.library().toString();
        fakeBuilt = true;
        return Nvml.open(path);
    }

    @Test
    void withoutTheLibraryItSaysWhyInOneLineAndReadsNothing() {
        try (Nvml nvml = Nvml.open("libvigil-no-such-nvml.so.1")) {
            assertThat(nvml.unavailableReason()).hasValueSatisfying(why -> assertThat(why)
                    .isEqualTo("libvigil-no-such-nvml.so.1 not found, so no NVIDIA driver on this host")
                    .doesNotContain("\n"));
            assertThat(nvml.read()).isEmpty();
            assertThat(nvml.gpuCount()).isZero();
        }
    }

    @Test
    void aLibraryThatIsNotNvmlIsRefusedWithoutAnException() {
        assertThatCode(() -> {
            try (Nvml nvml = Nvml.open("libm.so.6")) {
                assertThat(nvml.unavailableReason()).hasValue("libm.so.6 has no nvmlInit_v2: not NVML, or a driver too old");
                assertThat(nvml.read()).isEmpty();
            }
        }).doesNotThrowAnyException();
    }

    @Test
    void readsEveryFigureOfEveryGpu() {
        try (Nvml nvml = openFake()) {
            assertThat(nvml.unavailableReason()).isEmpty();
            assertThat(nvml.driverVersion()).isEqualTo("999.01.02");
            List<NvmlReading> gpus = nvml.read();
            assertThat(gpus).hasSize(2);
            NvmlReading h100 = gpus.get(0);
            assertThat(h100.index()).isZero();
            assertThat(h100.name()).isEqualTo("Fake H100 80GB HBM3");
            assertThat(h100.decoderUtilization()).isEqualTo(0.43);
            assertThat(h100.encoderUtilization()).isEqualTo(0.02);
            assertThat(h100.gpuUtilization()).isEqualTo(0.71);
            assertThat(h100.memoryUtilization()).isEqualTo(0.12);
            assertThat(h100.memoryTotalBytes()).isEqualTo(80.0 * (1L << 30));
            assertThat(h100.memoryUsedBytes()).isEqualTo(1.5 * (1L << 30));
            assertThat(h100.temperatureCelsius()).isEqualTo(54);
            assertThat(h100.powerWatts()).isEqualTo(212.5);
            assertThat(h100.powerLimitWatts()).isEqualTo(700);
            assertThat(h100.clocksEventReasons()).isEqualTo(0x4L | 0x40L);
            assertThat(Nvml.CLOCKS_EVENT_REASONS.get(0x4L)).isEqualTo("sw_power_cap");
            assertThat(Nvml.CLOCKS_EVENT_REASONS.get(0x40L)).isEqualTo("hw_thermal_slowdown");
            assertThat(h100.eccCorrectedErrors()).isEqualTo(3);
            assertThat(h100.eccUncorrectedErrors()).isZero();
            assertThat(h100.problems()).isEmpty();
            NvmlReading l4 = gpus.get(1);
            assertThat(l4.name()).isEqualTo("Fake L4");
            // No ECC on this board: no figure, and not a problem either.
            assertThat(l4.eccCorrectedErrors()).isNaN();
            assertThat(l4.eccUncorrectedErrors()).isNaN();
            assertThat(l4.problems()).isEmpty();
        }
    }

    @Test
    void initAndShutdownRunOnceEach() {
        Nvml nvml = openFake();
        int[] before = FakeNvml.counts();
        nvml.read();
        nvml.close();
        nvml.close();
        int[] after = FakeNvml.counts();
        assertThat(after[1] - before[1]).as("shutdowns").isEqualTo(1);
        assertThat(after[0]).as("inits").isEqualTo(before[0]);
        assertThat(nvml.read()).as("a read after the close").isEmpty();
    }

    @Test
    void aFailedInitIsTheReasonWithNvmlsOwnText() {
        FakeNvml.library();
        fakeBuilt = true;
        FakeNvml.failNext("nvmlInit_v2", 9);
        try (Nvml nvml = openFake()) {
            assertThat(nvml.unavailableReason()).hasValue("nvmlInit: Driver Not Loaded (9)");
            assertThat(nvml.read()).isEmpty();
        }
    }

    @Test
    void aFailedCountShutsNvmlDownAgain() {
        FakeNvml.library();
        fakeBuilt = true;
        int[] before = FakeNvml.counts();
        FakeNvml.failNext("nvmlDeviceGetCount_v2", 4);
        try (Nvml nvml = openFake()) {
            assertThat(nvml.unavailableReason()).hasValue("nvmlDeviceGetCount: Insufficient Permissions (4)");
        }
        assertThat(FakeNvml.counts()[2]).as("inits not shut down").isEqualTo(before[2]);
    }

    @Test
    void aFigureThatFailsIsNaNWithItsProblemAndTheOthersStillCome() {
        try (Nvml nvml = openFake()) {
            FakeNvml.failNext("nvmlDeviceGetTemperature", 4);
            NvmlReading gpu = nvml.read().get(0);
            assertThat(gpu.temperatureCelsius()).isNaN();
            assertThat(gpu.problems()).containsExactly("temperature: Insufficient Permissions (4)");
            assertThat(gpu.decoderUtilization()).isEqualTo(0.43);
        }
    }

    @Test
    void aFigureNotSupportedIsNaNWithoutAProblem() {
        try (Nvml nvml = openFake()) {
            FakeNvml.failNext("nvmlDeviceGetPowerUsage", Nvml.NVML_ERROR_NOT_SUPPORTED);
            NvmlReading gpu = nvml.read().get(0);
            assertThat(gpu.powerWatts()).isNaN();
            assertThat(gpu.problems()).isEmpty();
        }
    }
}
