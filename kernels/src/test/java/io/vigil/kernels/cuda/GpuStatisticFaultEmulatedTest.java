package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_NV12;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVA420P;

import io.vigil.ffi.DevicePictures;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.Loops;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticFailedException;
import io.vigil.kernels.engine.StatisticSpec;
import io.vigil.kernels.engine.StatisticsRequest;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The GPU statistics' fault boundary on the stand-in driver, with two streams whose frames share each batch: a
 * statistic that cannot be computed on one stream's pictures is left out for that stream alone, reported once as the
 * CPU reports it, while its other statistics, and every statistic of the other stream in the same batches, equal the
 * CPU's figures. A frame the kernels cannot be given at all fails its own stream's statistics only; a failed launch
 * (a CUDA error) reaches every stream of the batch, named, rather than being swallowed.
 */
class GpuStatisticFaultEmulatedTest extends LeakCheckedTest {
    /** Every statistic, freeze's re-coding test included. */
    private static final StatisticsRequest ALL = StatisticsRequest.builder().luma(0.1).frameDifference(0.001, 0.02)
            .broadcastRange().letterbox(Letterbox.DEFAULT_LIMIT).blockiness().colorBars().blur().build();
    private static final int FRAMES = 3;
    /** Wider than cropdetect's bars measure (65,535), well within what FFmpeg decodes. */
    private static final int TOO_WIDE = 66_000;

    private final List<VideoFrame> frames = new ArrayList<>();
    private final List<DevicePictures.Buffer> adopted = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void giveBackThePictures() {
        threads.shutdownNow();
        for (DevicePictures.Buffer b : adopted) {
            FakeCuda.disown(b.address());
        }
        frames.forEach(VideoFrame::close);
    }

    /** One stream's figures for each frame, and the failures each frame reported (empty when none). */
    private record Run(List<FrameStats> stats, List<List<StatisticFailedException.Failure>> failures) {
    }

    @Test
    void aPictureTooWideForTheLetterboxLosesOnlyTheLetterboxAndTheOtherStreamInItsBatchesIsUntouched()
            throws Exception {
        List<VideoFrame> wideOnDevice = pictures(AV_PIX_FMT_NV12, TOO_WIDE, 48, true);
        List<VideoFrame> wideOnHost = pictures(AV_PIX_FMT_NV12, TOO_WIDE, 48, false);
        List<VideoFrame> goodOnDevice = pictures(AV_PIX_FMT_NV12, 320, 240, true);
        List<VideoFrame> goodOnHost = pictures(AV_PIX_FMT_NV12, 320, 240, false);
        Run wideCpu;
        Run goodCpu;
        try (FrameStatistics a = CpuStatisticsEngine.reference().open(ALL);
             FrameStatistics b = CpuStatisticsEngine.reference().open(ALL)) {
            wideCpu = run(a, wideOnHost);
            goodCpu = run(b, goodOnHost);
        }
        assertThat(failedStatistics(wideCpu.failures().getFirst())).as("the CPU's report")
                .containsExactly(new StatisticSpec.Letterbox(Letterbox.DEFAULT_LIMIT));
        // The pictures give every statistic something to measure: bars, motion, then a still.
        assertThat(goodCpu.stats().getFirst().barTop).isEqualTo(8);
        assertThat(goodCpu.stats().get(1).mafd).isPositive();
        assertThat(goodCpu.stats().get(2).mafd).isZero();

        try (CudaStatisticsEngine gpu = open(Duration.ofSeconds(30))) {
            List<Run> runs = side(gpu, wideOnDevice, goodOnDevice);
            Run wide = runs.getFirst();
            Run good = runs.getLast();
            assertThat(gpu.figures().batches()).as("both streams' frames in each batch").isEqualTo(FRAMES);
            assertThat(gpu.figures().frames()).isEqualTo(2 * FRAMES);

            List<StatisticFailedException.Failure> reported = wide.failures().getFirst();
            assertThat(failedStatistics(reported)).as("the letterbox, once")
                    .containsExactly(new StatisticSpec.Letterbox(Letterbox.DEFAULT_LIMIT));
            assertThat(reported.getFirst().cause()).hasMessage(
                    wideCpu.failures().getFirst().getFirst().cause().getMessage());
            assertThat(wide.failures().subList(1, FRAMES)).as("reported once").allMatch(List::isEmpty);
            assertThat(good.failures()).allMatch(List::isEmpty);
            // Every other statistic of the wide stream, and all of the good one, as the CPU computes them.
            assertSameFigures(wide, wideCpu);
            assertSameFigures(good, goodCpu);
            assertThat(wide.stats().getLast().barTop).as("the letterbox left out").isEqualTo(-1);
            assertThat(wide.stats().getLast().blur).as("the others computed").isNotNaN();
        }
    }

    @Test
    void aFrameTheKernelsCannotTakeFailsItsOwnStreamsStatisticsAndNoOtherStreams() throws Exception {
        // yuva420p: four planes, the descriptors hold three (NVDEC never delivers it; a device frame could be).
        List<VideoFrame> alphaOnDevice = pictures(AV_PIX_FMT_YUVA420P, 64, 48, true);
        List<VideoFrame> goodOnDevice = pictures(AV_PIX_FMT_NV12, 320, 240, true);
        List<VideoFrame> goodOnHost = pictures(AV_PIX_FMT_NV12, 320, 240, false);
        Run goodCpu;
        try (FrameStatistics b = CpuStatisticsEngine.reference().open(ALL)) {
            goodCpu = run(b, goodOnHost);
        }
        try (CudaStatisticsEngine gpu = open(Duration.ofMillis(200))) {
            List<Run> runs = side(gpu, alphaOnDevice, goodOnDevice);
            Run alpha = runs.getFirst();
            Run good = runs.getLast();
            List<StatisticFailedException.Failure> reported = alpha.failures().getFirst();
            assertThat(failedStatistics(reported)).as("every statistic, in the request's order")
                    .isEqualTo(ALL.specs());
            assertThat(reported).allSatisfy(f -> assertThat(f.cause()).hasMessageContaining("has 4 planes"));
            assertThat(alpha.failures().subList(1, FRAMES)).allMatch(List::isEmpty);
            assertThat(alpha.stats().getLast().lumaMean).as("nothing left to compute").isNaN();
            assertThat(good.failures()).allMatch(List::isEmpty);
            assertSameFigures(good, goodCpu);
            assertThat(gpu.figures().frames()).as("only the good stream's frames were launched").isEqualTo(FRAMES);
        }
    }

    @Test
    void aFailedLaunchReachesEveryStreamOfItsBatchWithTheDriversError() throws Exception {
        List<VideoFrame> one = pictures(AV_PIX_FMT_NV12, 320, 240, true);
        List<VideoFrame> two = pictures(AV_PIX_FMT_NV12, 320, 240, true);
        try (CudaStatisticsEngine gpu = open(Duration.ofSeconds(30));
             FrameStatistics a = gpu.open(ALL); FrameStatistics b = gpu.open(ALL)) {
            FakeCuda.failNext("cuLaunchKernel", 700);
            Future<Throwable> first = threads.submit(() -> thrown(a, one.getFirst()));
            Future<Throwable> second = threads.submit(() -> thrown(b, two.getFirst()));
            for (Throwable t : List.of(first.get(), second.get())) {
                // Not a statistic's failure: it goes through the analysis to the stream boundary, named.
                assertThat(t).isInstanceOf(IllegalStateException.class).isNotInstanceOf(StatisticFailedException.class)
                        .hasMessageContaining("cuLaunchKernel failed: CUDA_ERROR_ILLEGAL_ADDRESS");
            }
            // The stand-in's errors are not sticky (a GPU's are): the next batch is computed.
            Future<Throwable> again = threads.submit(() -> thrown(a, one.get(1)));
            assertThat(thrown(b, two.get(1))).isNull();
            assertThat(again.get()).isNull();
        }
    }

    /** Two streams on {@code gpu}, each on its own thread, frame by frame side by side: their frames share batches. */
    private List<Run> side(CudaStatisticsEngine gpu, List<VideoFrame> one, List<VideoFrame> two) throws Exception {
        try (FrameStatistics a = gpu.open(ALL); FrameStatistics b = gpu.open(ALL)) {
            Future<Run> first = threads.submit(() -> run(a, one));
            Future<Run> second = threads.submit(() -> run(b, two));
            List<Run> runs = List.of(first.get(), second.get());
            assertThat(b.backend()).isEqualTo("gpu");
            return runs;
        }
    }

    private CudaStatisticsEngine open(Duration maxLatency) {
        return CudaStatisticsEngine.open(driver, driver.devices().getFirst(), 2, maxLatency, Loops.JAVA);
    }

    /** {@link #FRAMES} pictures of {@code format}, the second and third the same (a still run), owned by the test. */
    private List<VideoFrame> pictures(int format, int width, int height, boolean onDevice) {
        List<VideoFrame> made = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            int motion = Math.min(i, 1);
            VideoFrame f = new VideoFrame();
            frames.add(f);
            DevicePictures.fill(f, format, width, height, (plane, x, y) -> plane == 0
                    ? y < 8 ? 16 : 40 + (x * 7 + y * 13 + motion * 29) % 180
                    : 118 + (x / 2 + y + motion) % 20, i, onDevice);
            if (onDevice) {
                for (DevicePictures.Buffer b : DevicePictures.buffers(f)) {
                    FakeCuda.adopt(b.address(), b.bytes());
                    adopted.add(b);
                }
            }
            made.add(f);
        }
        return made;
    }

    private static Run run(FrameStatistics statistics, List<VideoFrame> pictures) {
        List<FrameStats> stats = new ArrayList<>();
        List<List<StatisticFailedException.Failure>> failures = new ArrayList<>();
        FrameStats out = new FrameStats();
        for (VideoFrame picture : pictures) {
            List<StatisticFailedException.Failure> failed = List.of();
            try {
                statistics.compute(picture, out);
            } catch (StatisticFailedException e) {
                failed = e.failures();
            }
            stats.add(copy(out));
            failures.add(failed);
        }
        return new Run(stats, failures);
    }

    private static Throwable thrown(FrameStatistics statistics, VideoFrame picture) {
        try {
            statistics.compute(picture, new FrameStats());
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static List<StatisticSpec> failedStatistics(List<StatisticFailedException.Failure> failures) {
        return failures.stream().map(StatisticFailedException.Failure::statistic).toList();
    }

    private static void assertSameFigures(Run gpu, Run cpu) {
        for (int i = 0; i < FRAMES; i++) {
            assertThat(gpu.stats().get(i)).as("frame %d", i).usingRecursiveComparison()
                    .withEqualsForType((x, y) -> Double.compare(x, y) == 0, Double.class) // exactly, NaN too
                    .isEqualTo(cpu.stats().get(i));
        }
    }

    /** A copy of every field, the per-frame holder being reused. */
    private static FrameStats copy(FrameStats from) {
        FrameStats to = new FrameStats();
        try {
            for (Field f : FrameStats.class.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                }
            }
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return to;
    }
}
