package io.vigil.kernels;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import java.util.List;

/**
 * One way of computing the video statistics, for the contract tests: the CPU reference classes, or the CUDA
 * kernels (on a GPU, or on the stand-in driver that runs them on the CPU). Results are the exact integers each
 * statistic sums up before any division.
 */
interface StatisticsBackend extends AutoCloseable {
    /** Luma statistics of plane 0: samples at or below the threshold, their sum, minimum and maximum. */
    record LumaResult(long darkCount, long sum, int min, int max) {
    }

    /** SAD over all planes, and the number of samples it covers. */
    record SadResult(long sad, long samples) {
        static final SadResult NONE = new SadResult(0, 0);
    }

    /** One frame of a batch; a null reference means no SAD. */
    record Frame(HostPlanes planes, HostPlanes referenceOrNull, int threshold) {
    }

    record FrameResult(LumaResult luma, SadResult sad) {
    }

    String name();

    /** The frames' statistics, computed together (one batch where the backend batches). */
    List<FrameResult> batch(List<Frame> frames);

    default LumaResult luma(HostPlanes planes, int threshold) {
        return batch(List.of(new Frame(planes, null, threshold))).getFirst().luma();
    }

    default SadResult sad(HostPlanes a, HostPlanes b) {
        return batch(List.of(new Frame(a, b, 0))).getFirst().sad();
    }

    /** signalstats' BRNG count of the picture (out-of-range pixels), see {@link BroadcastRange}. */
    long brngCount(HostPlanes planes);

    /** cropdetect's bars of the picture, {top, bottom, left, right}, with {@code limit} a ratio; see {@link Letterbox}. */
    int[] letterbox(HostPlanes planes, double limit);

    /** The four sums of {@link Blockiness} on plane 0: boundary step sum and count, inner step sum and count. */
    long[] blockinessSums(HostPlanes planes);

    /**
     * freeze's block peaks of a frame: the largest mean absolute difference of a 16x16 block of any plane against the
     * reference and against the anchor (0 without one), in code values, and the SAD against the anchor over all
     * planes (0 without one).
     */
    record BlockPeaks(double reference, double anchor, long anchorSad) {
    }

    /** The block peaks of {@code frame} against {@code reference} and {@code anchorOrNull}, of the same layout. */
    BlockPeaks blockPeaks(HostPlanes frame, HostPlanes reference, HostPlanes anchorOrNull);

    /** What FrameDifference reports for one frame: its still-run figures. */
    record StillStep(long index, double mafd, double anchorBlockPeak, boolean recoded, double anchorPtsSeconds,
                     double referencePtsSeconds) {
        static StillStep of(FrameStats s) {
            return new StillStep(s.index, s.mafd, s.anchorBlockPeak, s.recoded, s.anchorPtsSeconds,
                    s.referencePtsSeconds);
        }
    }

    /**
     * FrameDifference's figures for each of {@code frames} (decoded pictures in host memory), in order, as a
     * stream's statistics compute them with this backend (freeze's {@code noise} and {@code recodeNoise}).
     */
    List<StillStep> stillRun(List<VideoFrame> frames, double noise, double recodeNoise);

    /** ColorBars' figures of one picture: its bars score (matched bars / 7) and its flatness counts. */
    record ColorBarsResult(double bars, long flatSteps, long edgeSteps, long steps) {
    }

    /**
     * The three sums of {@link Blur} on plane 0 of each picture, {widthSum, edgeCount, lines}, computed together (one
     * batch where the backend batches, at most 8 pictures).
     */
    List<long[]> blurSums(List<HostPlanes> pictures);

    /** {@link ColorBars}' bars score and flatness counts of each picture, computed together (at most 8). */
    List<ColorBarsResult> colorBars(List<HostPlanes> pictures);

    @Override
    void close();
}
