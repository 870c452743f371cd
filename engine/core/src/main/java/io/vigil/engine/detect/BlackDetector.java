package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * blackdetect: a frame is black when at least {@code pictureThreshold} of its luma samples are at or below the
 * pixel threshold; black from the first such frame to the first frame that is not.
 */
public final class BlackDetector extends FrameRunDetector {
    public static final String NAME = "black";

    private final double pictureThreshold;
    private double minDarkRatio;
    private double maxLumaMean;

    public BlackDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.pictureThreshold = settings.number("pictureThreshold");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.LUMA);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.darkFraction >= pictureThreshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        minDarkRatio = s.darkFraction;
        maxLumaMean = s.lumaMean;
    }

    @Override
    protected void track(FrameStats s) {
        minDarkRatio = Math.min(minDarkRatio, s.darkFraction);
        maxLumaMean = Math.max(maxLumaMean, s.lumaMean);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "picture black for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("darkRatio", minDarkRatio);
        out.put("lumaMean", maxLumaMean);
    }
}
