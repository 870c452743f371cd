package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A blurred picture, as FFmpeg's blurdetect but cheap: a frame is blurred when its {@link io.vigil.kernels.Blur}
 * score (mean width of its luma edges, pixels) is above {@code threshold}; the condition runs from the first such
 * frame to the first that is not. Frames without a score (too few edges: black, flat, a plain colour) leave the
 * condition as it is, so they never raise it.
 */
public final class BlurDetector extends FrameRunDetector {
    public static final String NAME = "blur";

    private final double threshold;
    private double maxWidth;

    public BlurDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.BLUR);
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.blur);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.blur > threshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        maxWidth = 0;
    }

    @Override
    protected void track(FrameStats s) {
        maxWidth = Math.max(maxWidth, s.blur);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "blurred picture, mean edge width up to %.1f px, for %.1f s", maxWidth,
                heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("blur", maxWidth);
    }
}
