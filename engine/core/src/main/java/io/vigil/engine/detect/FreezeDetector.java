package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.engine.detect.spec.StatisticRead;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * freezedetect, and the same picture coded again: the picture is frozen while each frame differs from the reference
 * frame (the last one that moved) by no more than the noise tolerance, or, where it steps past it, is the freeze's
 * picture coded again ({@code FrameDifference}: no 16x16 block farther from the freeze's first frame than the
 * re-coding tolerance, and that distance not growing as motion's does). The freeze starts at its first frame.
 * With
 * {@code ignoreWithSound}, a still picture is not an alarm while the audio carries sound (a radio channel's slate, a
 * deliberately held frame under commentary): a frozen picture counts only once the sound has stopped too.
 */
public final class FreezeDetector extends AlarmingDetector {
    public static final String NAME = "freeze";

    /** freezedetect's defaults (n=-60dB d=2). */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 20)
                    .describe("picture frozen", """
                            each frame differs from the last frame that moved by a mean absolute difference over all
                            planes (freezedetect's MAFD, 0..1) of at most `noise`, or is the same picture coded
                            again (a held picture re-coded at each keyframe, which freezedetect misses): no 16x16
                            block differs from the freeze's first frame by a mean of more than `recodeNoise`, nor
                            by more than 10 times the whole picture's mean difference from it (a re-coding is spread
                            over the picture; a change is local), nor by more than 1.5 times the larger of its
                            difference from the last frame that moved and the farthest re-coding before it
                            (re-codings scatter about one distance; motion drifts away from where it began)""")
                    .alarm(Severity.CRITICAL, 2.0, 0.0)
                    .parameter(ParamSpec.level("noise", "-60dB", "largest MAFD that still counts as the same picture"))
                    .parameter(ParamSpec.level("recodeNoise", "-40dB", "largest mean absolute difference of any"
                            + " 16x16 block (0..1 of the range) from the freeze's first frame that still counts as"
                            + " the same picture coded again; 0 turns it off (freezedetect's rule alone)")
                            .withNote("x264 re-codes a held block by about one code value; -40 dB is 2.6. MPEG-2"
                                    + " 1080i keyframes reach 3.6, but -34 dB let a slow pan of a smooth sky pass as"
                                    + " still"))
                    .parameter(ParamSpec.flag("ignoreWithSound", false, "`true`: a still picture is no alarm while"
                            + " the audio carries sound (a slate on a radio channel); the freeze then counts from"
                            + " when the sound stops, judged with `detectors.silence.noise`"))
                    .reads(StatisticRead.of(Statistic.FRAME_DIFFERENCE)
                            .setting(StatisticParameter.STILL_NOISE, NAME, "noise")
                            .setting(StatisticParameter.RECODE_NOISE, NAME, "recodeNoise"))
                    .reads(StatisticRead.of(Statistic.AUDIO_LEVELS).when("ignoreWithSound")
                            .setting(StatisticParameter.SILENCE_NOISE, SilenceDetector.NAME, "noise"))
                    .evidence(Evidence.stillReference("noise"))
                    .factory(c -> new FreezeDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** Sound within this long before a frame counts as "with sound". */
    private static final double SOUND_RECENT_SECONDS = 1.0;

    private final double noise;
    private final boolean ignoreWithSound;
    private double soundUntil = Double.NEGATIVE_INFINITY;
    private boolean frozen;
    private double maxMafd;

    public FreezeDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.noise = settings.amplitude("noise");
        this.ignoreWithSound = settings.flag("ignoreWithSound");
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
        // The statistic applies recodeNoise (freeze sets it), on every provider.
        boolean samePicture = s.mafd <= noise || s.recoded;
        if (samePicture && !withSound) {
            maxMafd = frozen ? Math.max(maxMafd, s.mafd) : s.mafd;
            frozen = true;
            // With ignoreWithSound, a freeze counts from when the sound stopped, not from when the picture did.
            alarm.hold(ignoreWithSound ? Math.max(s.anchorPtsSeconds, soundUntil) : s.anchorPtsSeconds,
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
