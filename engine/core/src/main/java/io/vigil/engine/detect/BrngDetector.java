package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Picture outside broadcast range, as signalstats' BRNG: a frame is out of range when more than {@code threshold}
 * of its pixels have Y outside 16..235 or U/V outside 16..240 (scaled to the bit depth; see
 * {@link io.vigil.kernels.BroadcastRange}); the condition runs from the first such frame to the first frame that is
 * not. The raise delay keeps a few frames of overshoot (a flash, a ringing edge) from raising it.
 */
public final class BrngDetector extends FrameRunDetector {
    public static final String NAME = "brng";

    private final double threshold;
    private double maxFraction;

    public BrngDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.BROADCAST_RANGE);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.brngFraction > threshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        maxFraction = 0;
    }

    @Override
    protected void track(FrameStats s) {
        maxFraction = Math.max(maxFraction, s.brngFraction);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "up to %.1f%% of pixels outside broadcast range for %.1f s",
                100 * maxFraction, heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("brngFraction", maxFraction);
    }
}
