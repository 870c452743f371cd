package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * freezedetect: the picture is frozen while each frame differs from the reference frame (the last one that
 * moved) by no more than the noise tolerance; the freeze starts at the reference frame. With
 * {@code ignoreWithSound}, a still picture is not an alarm while the audio carries sound (a radio channel's slate, a
 * deliberately held frame under commentary): a frozen picture counts only once the sound has stopped too.
 */
public final class FreezeDetector extends AlarmingDetector {
    public static final String NAME = "freeze";

    /** Sound within this long before a frame counts as "with sound". */
    private static final double SOUND_RECENT_SECONDS = 1.0;

    private final double noise;
    private final boolean ignoreWithSound;
    private double soundUntil = Double.NEGATIVE_INFINITY;
    private boolean frozen;
    private double maxMafd;

    public FreezeDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.noise = noiseOf(settings);
        this.ignoreWithSound = settings.flag("ignoreWithSound");
    }

    /** The noise tolerance the frame-difference statistic must use to pick reference frames as freezedetect does. */
    public static double noiseOf(DetectorSettings settings) {
        return settings.amplitude("noise");
    }

    @Override
    public Set<Statistic> reads() {
        return ignoreWithSound ? Set.of(Statistic.FRAME_DIFFERENCE, Statistic.AUDIO_LEVELS)
                : Set.of(Statistic.FRAME_DIFFERENCE);
    }

    @Override
    public void onAudio(AudioStats s) {
        if (!s.allSilent()) {
            soundUntil = s.endSeconds() - s.trailingSilentSamples / (double) s.sampleRate;
        }
    }

    @Override
    public void onVideo(FrameStats s) {
        boolean withSound = ignoreWithSound && s.ptsSeconds - soundUntil < SOUND_RECENT_SECONDS;
        if (s.mafd <= noise && !withSound) {
            maxMafd = frozen ? Math.max(maxMafd, s.mafd) : s.mafd;
            frozen = true;
            // With ignoreWithSound, a freeze counts from when the sound stopped, not from when the picture did.
            alarm.hold(ignoreWithSound ? Math.max(s.referencePtsSeconds, soundUntil) : s.referencePtsSeconds,
                    s.endSeconds());
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
