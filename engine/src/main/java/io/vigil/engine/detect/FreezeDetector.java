package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * freezedetect: the picture is frozen while each frame differs from the reference frame (the last one that
 * moved) by no more than the noise tolerance; the freeze starts at the reference frame.
 */
public final class FreezeDetector extends AlarmingDetector {
    public static final String NAME = "freeze";

    private final double noise;
    private boolean frozen;
    private double maxMafd;

    public FreezeDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.noise = noiseOf(settings);
    }

    /** The noise tolerance the frame-difference statistic must use to pick reference frames as freezedetect does. */
    public static double noiseOf(DetectorSettings settings) {
        return settings.amplitude("noise");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.FRAME_DIFFERENCE);
    }

    @Override
    public void onVideo(FrameStats s) {
        if (s.mafd <= noise) {
            maxMafd = frozen ? Math.max(maxMafd, s.mafd) : s.mafd;
            frozen = true;
            alarm.hold(s.referencePtsSeconds, s.endSeconds());
        } else if (frozen) {
            frozen = false;
            alarm.clear(s.ptsSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "picture frozen for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("mafd", maxMafd);
    }
}
