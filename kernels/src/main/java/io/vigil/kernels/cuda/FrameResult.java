package io.vigil.kernels.cuda;

import static io.vigil.kernels.cuda.FrameRecords.ANCHOR_BLOCK_PEAK;
import static io.vigil.kernels.cuda.FrameRecords.ANCHOR_SAD;
import static io.vigil.kernels.cuda.FrameRecords.BARS_MATCHED;
import static io.vigil.kernels.cuda.FrameRecords.BAR_BOTTOM;
import static io.vigil.kernels.cuda.FrameRecords.BAR_LEFT;
import static io.vigil.kernels.cuda.FrameRecords.BAR_RIGHT;
import static io.vigil.kernels.cuda.FrameRecords.BAR_TOP;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_BOUNDARY_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_BOUNDARY_SUM;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_INNER_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_INNER_SUM;
import static io.vigil.kernels.cuda.FrameRecords.BLOCK_PEAKS_MEASURED;
import static io.vigil.kernels.cuda.FrameRecords.BLUR_EDGE_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.BLUR_LINES;
import static io.vigil.kernels.cuda.FrameRecords.BLUR_WIDTH_SUM;
import static io.vigil.kernels.cuda.FrameRecords.BRNG_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.DARK_COUNT;
import static io.vigil.kernels.cuda.FrameRecords.EDGE_STEPS;
import static io.vigil.kernels.cuda.FrameRecords.FLAT_STEPS;
import static io.vigil.kernels.cuda.FrameRecords.LUMA_MAX;
import static io.vigil.kernels.cuda.FrameRecords.LUMA_MIN;
import static io.vigil.kernels.cuda.FrameRecords.LUMA_SUM;
import static io.vigil.kernels.cuda.FrameRecords.REFERENCE_BLOCK_PEAK;
import static io.vigil.kernels.cuda.FrameRecords.SAD;
import static io.vigil.kernels.cuda.FrameRecords.SAMPLES;
import static io.vigil.kernels.cuda.FrameRecords.STEPS;

import java.lang.foreign.MemorySegment;

/**
 * One frame's figures as the kernels wrote them, a {@code VigilFrameResult} record (vigil_stats.h), read in place:
 * the integers each statistic sums up, which the caller divides out exactly as the CPU reference does. A statistic
 * not asked for reads 0. A view: it reads whatever the record holds when asked, and fails once the memory under it
 * is freed.
 */
public final class FrameResult {
    private final MemorySegment records;
    private final long at;

    /** The record at byte {@code at} of {@code records}. */
    FrameResult(MemorySegment records, long at) {
        this.records = records;
        this.at = at;
    }

    /** Luma samples at or below the frame's black threshold. */
    public long darkCount() {
        return (long) DARK_COUNT.get(records, at);
    }

    /** Sum of the frame's luma samples. */
    public long lumaSum() {
        return (long) LUMA_SUM.get(records, at);
    }

    /** The smallest luma sample; -1 (0xFFFFFFFF) when plane 0 has no samples. */
    public int lumaMin() {
        return (int) LUMA_MIN.get(records, at);
    }

    /** The largest luma sample. */
    public int lumaMax() {
        return (int) LUMA_MAX.get(records, at);
    }

    /** Sum of absolute differences against the reference over all planes; 0 without a reference. */
    public long sad() {
        return (long) SAD.get(records, at);
    }

    /** Samples the SAD covers (width times height summed over planes); 0 without a reference. */
    public long samples() {
        return (long) SAMPLES.get(records, at);
    }

    /** signalstats' BRNG count: pixels with Y, U or V outside broadcast range. */
    public long brngCount() {
        return (long) BRNG_COUNT.get(records, at);
    }

    /** cropdetect's black bar at the top, rows. */
    public int barTop() {
        return (int) BAR_TOP.get(records, at);
    }

    /** The bar at the bottom, rows. */
    public int barBottom() {
        return (int) BAR_BOTTOM.get(records, at);
    }

    /** The bar at the left, columns. */
    public int barLeft() {
        return (int) BAR_LEFT.get(records, at);
    }

    /** The bar at the right, columns. */
    public int barRight() {
        return (int) BAR_RIGHT.get(records, at);
    }

    /** Blockiness' sums into {@code out[0..3]}: boundary step sum and count, inner step sum and count. */
    public void blockinessSums(long[] out) {
        out[0] = (long) BLOCK_BOUNDARY_SUM.get(records, at);
        out[1] = (long) BLOCK_BOUNDARY_COUNT.get(records, at);
        out[2] = (long) BLOCK_INNER_SUM.get(records, at);
        out[3] = (long) BLOCK_INNER_COUNT.get(records, at);
    }

    /** Blur's sums into {@code out[0..2]}: width sum, edge count, lines. */
    public void blurSums(long[] out) {
        out[0] = (long) BLUR_WIDTH_SUM.get(records, at);
        out[1] = Integer.toUnsignedLong((int) BLUR_EDGE_COUNT.get(records, at));
        out[2] = Integer.toUnsignedLong((int) BLUR_LINES.get(records, at));
    }

    /** Bars matched by ColorBars' best candidate, 0..7 (its score is this over 7). */
    public int barsMatched() {
        return (int) BARS_MATCHED.get(records, at);
    }

    /**
     * Whether freeze's block peaks were measured: asked for ({@link CudaStats#setBlockPeaks}) and the frame's SAD
     * within the bounds given; the three figures below read 0 otherwise.
     */
    public boolean blockPeaksMeasured() {
        return (int) BLOCK_PEAKS_MEASURED.get(records, at) != 0;
    }

    /** The largest mean absolute difference of a 16x16 block against the reference, code values. */
    public double referenceBlockPeak() {
        return (double) REFERENCE_BLOCK_PEAK.get(records, at);
    }

    /** The same against the anchor; 0 when no anchor was given. */
    public double anchorBlockPeak() {
        return (double) ANCHOR_BLOCK_PEAK.get(records, at);
    }

    /** Sum of absolute differences against the anchor over all planes (its samples are {@link #samples()}). */
    public long anchorSad() {
        return (long) ANCHOR_SAD.get(records, at);
    }

    /** ColorBars' flatness into {@code out[0..2]}: flat steps, edge steps, all steps. */
    public void flatnessSums(long[] out) {
        out[0] = Integer.toUnsignedLong((int) FLAT_STEPS.get(records, at));
        out[1] = Integer.toUnsignedLong((int) EDGE_STEPS.get(records, at));
        out[2] = Integer.toUnsignedLong((int) STEPS.get(records, at));
    }
}
