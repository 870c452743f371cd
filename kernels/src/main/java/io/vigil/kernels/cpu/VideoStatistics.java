package io.vigil.kernels.cpu;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.Blockiness;
import io.vigil.kernels.Blur;
import io.vigil.kernels.BroadcastRange;
import io.vigil.kernels.ColorBars;
import io.vigil.kernels.FrameDifference;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.LumaStats;
import io.vigil.kernels.Loops;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticFailedException;
import io.vigil.kernels.engine.StatisticSpec;
import io.vigil.kernels.engine.StatisticsRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The statistics one stream's detectors asked for, computed on the CPU for each frame in host memory, each by its
 * class in io.vigil.kernels with the loops chosen for the engine. One instance per stream (it holds freeze's
 * reference frame); not thread-safe. A statistic that throws on a frame (a picture larger than it measures) is
 * dropped for the rest of the stream, the others computed as before: see {@link StatisticFailedException}.
 */
public final class VideoStatistics implements FrameStatistics {
    /** One statistic's per-frame computation. */
    @FunctionalInterface
    private interface Computation {
        void compute(VideoFrame frame, FrameStats out);
    }

    /** A statistic and how it is computed. */
    private record Pass(StatisticSpec spec, Computation computation) {
    }

    /** The statistics still computed, in the request's order. */
    private final List<Pass> passes;
    /** The one statistic with a resource (its reference frame), or null. */
    private final FrameDifference difference;

    private VideoStatistics(List<Pass> passes, FrameDifference difference) {
        this.passes = passes;
        this.difference = difference;
    }

    /** The statistics of {@code request}, their per-plane loops run by {@code loops}. */
    public static VideoStatistics open(StatisticsRequest request, Loops loops) {
        List<Pass> passes = new ArrayList<>();
        FrameDifference difference = null;
        for (StatisticSpec spec : request.specs()) {
            passes.add(new Pass(spec, switch (spec) {
                case StatisticSpec.Luma luma -> new LumaStats(luma.pixelThreshold(), loops)::compute;
                case StatisticSpec.FrameDifference d -> {
                    difference = new FrameDifference(d.noise(), d.recodeNoise(), loops);
                    yield difference::compute;
                }
                case StatisticSpec.BroadcastRange b -> new BroadcastRange(loops)::compute;
                case StatisticSpec.Letterbox letterbox -> new Letterbox(letterbox.limit(), loops)::compute;
                case StatisticSpec.Blockiness b -> new Blockiness(loops)::compute;
                case StatisticSpec.ColorBars c -> new ColorBars(loops)::compute;
                case StatisticSpec.Blur b -> new Blur(loops)::compute;
            }));
        }
        return new VideoStatistics(passes, difference);
    }

    @Override
    public void compute(VideoFrame frame, FrameStats out) {
        if (frame.onDevice()) {
            throw new IllegalStateException("a frame in CUDA memory was handed to the CPU statistics");
        }
        out.begin(frame);
        List<StatisticFailedException.Failure> failed = null;
        for (int i = 0; i < passes.size(); i++) {
            Pass pass = passes.get(i);
            try {
                pass.computation().compute(frame, out);
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = new ArrayList<>(1);
                }
                failed.add(new StatisticFailedException.Failure(pass.spec(), e));
                passes.remove(i--);
            }
        }
        if (failed != null) {
            throw new StatisticFailedException(failed);
        }
    }

    /**
     * Stops computing {@code statistic}'s kind for this stream, without a report: for an engine that computes some
     * frames elsewhere and has reported it failed there already.
     */
    public void leaveOut(StatisticSpec statistic) {
        passes.removeIf(p -> p.spec().getClass() == statistic.getClass());
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public void close() {
        if (difference != null) {
            difference.close();
        }
    }
}
