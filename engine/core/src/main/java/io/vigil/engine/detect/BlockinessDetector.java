package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Blocking at the 8x8 coding grid, as FFmpeg's blockdetect but cheap: a frame is blocky when its
 * {@link io.vigil.kernels.Blockiness} score (mean small luma step across the grid over the mean small step
 * elsewhere; 1 = none) is above {@code threshold}; the condition runs from the first such frame to the first that
 * is not. Frames without a score leave the condition as it is.
 */
public final class BlockinessDetector extends FrameRunDetector {
    public static final String NAME = "blockiness";

    private final double threshold;
    private double maxScore;

    public BlockinessDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.BLOCKINESS);
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.blockiness);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.blockiness > threshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        maxScore = 0;
    }

    @Override
    protected void track(FrameStats s) {
        maxScore = Math.max(maxScore, s.blockiness);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "blocking at the 8x8 grid, score up to %.2f, for %.1f s", maxScore,
                heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("blockiness", maxScore);
    }
}
