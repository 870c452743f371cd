package io.vigil.kernels.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.Device;
import io.vigil.ffi.VigilPixels;
import io.vigil.ffi.cuda.CudaDriver;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Provider discovery and selection on a host without an NVIDIA GPU (this machine, CI): every provider is found with
 * its rank, auto falls back and says why, gpu refuses clearly, cpu picks the C loops over the Java ones where they
 * load, and {@code vigil.pixels=java} turns the C loops off.
 */
class EnginesTest {
    static boolean noGpu() {
        return CudaDriver.load().isEmpty();
    }

    private static EngineOptions options(BackendChoice choice) {
        return new EngineOptions(choice, 0, 128, Duration.ofMillis(10));
    }

    @AfterEach
    void clearPixelsChoice() {
        System.clearProperty("vigil.pixels");
    }

    @Test
    void theProvidersAreFoundAtRunTimeHighestRankFirst() {
        List<StatisticsProvider> providers = Engines.providers();
        assertThat(providers).extracting(StatisticsProvider::name).containsExactly("cuda", "c", "java");
        assertThat(providers).extracting(StatisticsProvider::device)
                .containsExactly(Device.Kind.CUDA, Device.Kind.CPU, Device.Kind.CPU);
        assertThat(Engines.survey(options(BackendChoice.AUTO)))
                .filteredOn(s -> s.name().equals("java")).singleElement()
                .satisfies(s -> assertThat(s.available()).isTrue());
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        assumeTrue(noGpu(), "this host has an NVIDIA driver");
        Engines.Selection s = Engines.select(options(BackendChoice.AUTO));
        assertThat(s.engine().name()).isEqualTo("cpu");
        assertThat(s.reason()).isEqualTo("there is no NVIDIA driver on this host (libcuda.so.1 not found)");
        assertThat(s.engine().decodeTarget()).isEqualTo(DecodeTarget.HOST);
        assertThat(Engines.survey(options(BackendChoice.AUTO)).getFirst().unavailableReason())
                .contains("there is no NVIDIA driver on this host (libcuda.so.1 not found)");
    }

    @Test
    void gpuOnAHostWithoutOneIsAClearError() {
        assumeTrue(noGpu(), "this host has an NVIDIA driver");
        assertThatThrownBy(() -> Engines.select(options(BackendChoice.GPU)))
                .isInstanceOf(Engines.UnavailableException.class)
                .hasMessage("--backend gpu: there is no NVIDIA driver on this host (libcuda.so.1 not found)");
    }

    @Test
    void cpuIsAlwaysThere() {
        Engines.Selection s = Engines.select(options(BackendChoice.CPU));
        assertThat(s.engine().name()).isEqualTo("cpu");
        assertThat(s.engine().description()).startsWith("CPU: ");
        assertThat(s.reason()).isEqualTo("the CPU backend was asked for");
    }

    @Test
    void cpuRunsTheCLoopsWhereTheyLoadAndTheJavaLoopsWhenAskedTo() {
        assumeTrue(VigilPixels.loaded() && System.getenv("VIGIL_PIXELS") == null, "libvigilpixels is not used here");
        try (StatisticsEngine c = Engines.select(options(BackendChoice.CPU)).engine()) {
            assertThat(c.description()).contains("C loops (libvigilpixels, ");
        }
        System.setProperty("vigil.pixels", "java");
        assertThat(Engines.survey(options(BackendChoice.CPU))).filteredOn(s -> s.name().equals("c")).singleElement()
                .satisfies(s -> assertThat(s.unavailableReason())
                        .contains("the Java loops were asked for (vigil.pixels / VIGIL_PIXELS=java)"));
        try (StatisticsEngine java = Engines.select(options(BackendChoice.CPU)).engine()) {
            assertThat(java.description()).endsWith("Java loops");
        }
    }

    @Test
    void aRequestIsImmutableAndSaysWhatItAsksFor() {
        StatisticsRequest.Builder builder = StatisticsRequest.builder().luma(0.1).letterbox(0.09);
        StatisticsRequest request = builder.build();
        builder.blur();
        assertThat(request.any()).isTrue();
        assertThat(StatisticsRequest.NONE.any()).isFalse();
        assertThat(request.specs()).containsExactly(new StatisticSpec.Luma(0.1), new StatisticSpec.Letterbox(0.09));
        assertThat(request.find(StatisticSpec.Luma.class)).contains(new StatisticSpec.Luma(0.1));
        assertThat(request.find(StatisticSpec.Blur.class)).isEmpty();
        assertThat(request).isEqualTo(StatisticsRequest.builder().luma(0.1).letterbox(0.09).build());
        assertThatThrownBy(() -> StatisticsRequest.builder().luma(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pixel threshold must be within 0..1, got 1.5");
    }
}
