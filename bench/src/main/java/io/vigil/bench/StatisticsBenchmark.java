package io.vigil.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.ClipWriter;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.Blockiness;
import io.vigil.kernels.BroadcastRange;
import io.vigil.kernels.Blur;
import io.vigil.kernels.ColorBars;
import io.vigil.kernels.FrameDifference;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.Loops;
import io.vigil.kernels.LumaStats;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticsRequest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-frame cost of each statistic on real decoded frames (two consecutive frames of a generated clip), beside
 * a baseline: a plain per-sample loop over the luma plane, the least any luma statistic must do. Run with
 * {@code bench/run-jmh.sh}; add {@code -prof gc} to see the allocation per operation (expected ~0 B/op).
 * {@code pixels}: {@code native} runs libvigilpixels' C passes, {@code java} the Java loops (io.vigil.kernels.Loops,
 * chosen when the statistics are built). measureAllVideo is everything a CPU engine computes for a stream with
 * every statistic on.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class StatisticsBenchmark {
    @Param({"640x360", "1920x1080"})
    public String size;

    @Param({"native", "java"})
    public String pixels;

    private Path clip;
    private final VideoFrame current = new VideoFrame();
    private final VideoFrame previous = new VideoFrame();
    /** Frame 0: the first frame of a still run (freeze's anchor) for the re-coding benchmarks. */
    private final VideoFrame first = new VideoFrame();
    private Loops loops;
    private final FrameStats stats = new FrameStats();
    private LumaStats luma;
    private ColorBars colorBars;
    private Blur blur;
    private FrameDifference difference;
    private BroadcastRange brng;
    private Blockiness blockiness;
    private Letterbox letterbox;
    private FrameStatistics allVideo;

    @Setup(Level.Trial)
    public void decodeTwoFrames() throws Exception {
        loops = pixels.equals("native") ? Loops.C : Loops.JAVA;
        luma = new LumaStats(0.10, loops);
        colorBars = new ColorBars(loops);
        blur = new Blur(loops);
        brng = new BroadcastRange(loops);
        blockiness = new Blockiness(loops);
        letterbox = new Letterbox(Letterbox.DEFAULT_LIMIT, loops);
        String[] wh = size.split("x");
        int width = Integer.parseInt(wh[0]);
        int height = Integer.parseInt(wh[1]);
        clip = Files.createTempFile("vigil-bench-", ".mkv");
        try (ClipWriter writer = ClipWriter.create(clip, width, height, 25, 48_000, 2)) {
            for (int f = 0; f < 3; f++) {
                final int frame = f;
                writer.writeVideo((i, y, ys, u, v, cs) -> {
                    for (int r = 0; r < height; r++) {
                        for (int x = 0; x < width; x++) {
                            y.set(JAVA_BYTE, (long) r * ys + x, (byte) (16 + (x * 7 + r * 3 + frame * 5 + (x * r) % 23) % 220));
                        }
                    }
                    for (int r = 0; r < height / 2; r++) {
                        for (int x = 0; x < width / 2; x++) {
                            u.set(JAVA_BYTE, (long) r * cs + x, (byte) (100 + (x + frame) % 50));
                            v.set(JAVA_BYTE, (long) r * cs + x, (byte) (120 + (r + frame) % 40));
                        }
                    }
                });
            }
        }
        try (MediaInput in = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    if (f.index() == 0) {
                        first.refFrom(f);
                    } else if (f.index() == 1) {
                        previous.refFrom(f);
                    } else if (f.index() == 2) {
                        current.refFrom(f);
                    }
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        // A tolerance of 0 keeps the reference at 'previous' forever: every call compares the same two frames.
        difference = new FrameDifference(0);
        difference.compute(previous, stats);
        StatisticsRequest everything = StatisticsRequest.builder().luma(0.10).frameDifference(0).broadcastRange()
                .letterbox(Letterbox.DEFAULT_LIMIT).blockiness().colorBars().blur().build();
        allVideo = CpuStatisticsEngine.of(loops).open(everything);
        allVideo.compute(previous, stats);
    }

    @TearDown(Level.Trial)
    public void release() throws Exception {
        difference.close();
        allVideo.close();
        current.close();
        previous.close();
        first.close();
        Files.deleteIfExists(clip);
    }

    @Benchmark
    public long baselineLumaSum() {
        MemorySegment plane = current.plane(0);
        int stride = current.linesize(0);
        int width = current.width();
        long sum = 0;
        for (int y = 0, h = current.height(); y < h; y++) {
            long row = (long) y * stride;
            for (int x = 0; x < width; x++) {
                sum += plane.get(JAVA_BYTE, row + x) & 0xFF;
            }
        }
        return sum;
    }

    @Benchmark
    public double measureLuma() {
        luma.compute(current, stats);
        return stats.darkFraction;
    }

    /** Bars score and slate flatness: 8 + 32 sampled rows, not the whole picture. */
    @Benchmark
    public double measureColorBars() {
        colorBars.compute(current, stats);
        return stats.colorBars + stats.flatShare;
    }

    @Benchmark
    public double measureBlur() {
        blur.compute(current, stats);
        return stats.blur;
    }

    @Benchmark
    public double measureFrameDifference() {
        return FrameDifference.mafd(current, previous);
    }

    /**
     * freeze's re-coding test, one pass: the largest 16x16 block difference (and the SAD, in the same pass) against
     * one frame. A step past freezedetect's noise takes one while the still run's first frame is its reference (a few
     * per keyframe in a freeze; motion past the re-coding tolerance takes none).
     */
    @Benchmark
    public double measureRecodeBlockPeak() {
        return FrameDifference.peakBlockDifference(current, previous, loops);
    }

    /**
     * freeze's re-coding test on a step inside a still run that has crossed a re-coding: two passes, against the
     * run's first frame and against the reference (what FrameDifference does then).
     */
    @Benchmark
    public double measureRecodeStepInARecodedRun() {
        return FrameDifference.peakBlockDifference(current, first, loops)
                + FrameDifference.peakBlockDifference(current, previous, loops);
    }

    @Benchmark
    public double measureBroadcastRange() {
        brng.compute(current, stats);
        return stats.brngFraction;
    }

    @Benchmark
    public double measureBlockiness() {
        blockiness.compute(current, stats);
        return stats.blockiness;
    }

    @Benchmark
    public int measureLetterbox() {
        letterbox.compute(current, stats);
        return stats.barTop + stats.barLeft;
    }

    /** Every video statistic VideoStatistics computes, all on: what one 1080p frame costs the analysis thread. */
    @Benchmark
    public double measureAllVideo() {
        allVideo.compute(current, stats);
        return stats.lumaMean + stats.blockiness;
    }
}
