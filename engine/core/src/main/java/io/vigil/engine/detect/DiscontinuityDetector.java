package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * Timestamps that jump: a video frame or audio block whose time is more than {@code tolerance} seconds away from
 * where the previous one ended (forward: a gap or a splice; backward: a restarted encoder or a looped source). The
 * alarm fires at the first frame after the jump and resolves once the clear delay passes without another jump. That
 * delay is counted here in media played since the jump, not by comparing times: across a backward jump the audio
 * and video times interleave out of order, and a time comparison would resolve too soon.
 */
public final class DiscontinuityDetector extends AlarmingDetector {
    public static final String NAME = "discontinuity";

    /** A jump is an event: raised at once, resolved once 2 s pass without another. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 40)
                    .describe("timestamps jumped", """
                            a video frame or audio block starts more than `toleranceSeconds` away from where the
                            previous one ended (a splice, a restarted encoder, a looped source); resolves after
                            `clearDelay` (2 s) of media without another jump""")
                    .alarm(Severity.WARNING, 0.0, 2.0)
                    .parameter(ParamSpec.seconds("toleranceSeconds", 0.5,
                            "largest timestamp jump, either way, that is not a discontinuity"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new DiscontinuityDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double toleranceSeconds;
    private final double clearDelaySeconds;
    private double expectedVideo = Double.NaN;
    private double expectedAudio = Double.NaN;
    private double lastJumpSeconds;
    private long jumps;
    /** Media time of the first frame after the last jump, while the alarm fires; NaN otherwise. */
    private double jumpedTo = Double.NaN;
    private double playedSinceJump;
    private boolean sawVideo;

    public DiscontinuityDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings.withTiming(settings.durationSeconds(), 0, settings.severity()), tracker);
        this.toleranceSeconds = settings.number("toleranceSeconds");
        this.clearDelaySeconds = settings.clearDelaySeconds();
    }

    @Override
    public void onVideo(FrameStats s) {
        sawVideo = true;
        expectedVideo = check(expectedVideo, s.ptsSeconds, s.endSeconds(), true);
    }

    @Override
    public void onAudio(AudioStats s) {
        expectedAudio = check(expectedAudio, s.ptsSeconds, s.endSeconds(), !sawVideo);
    }

    /**
     * Compares a frame's start with where the last one ended; returns where this one ends. {@code clock}: this
     * stream measures the clear delay (video when there is video).
     */
    private double check(double expected, double start, double end, boolean clock) {
        if (!Double.isNaN(expected) && Math.abs(start - expected) > toleranceSeconds) {
            jumps++;
            lastJumpSeconds = start - expected;
            jumpedTo = start;
            playedSinceJump = 0;
            alarm.hold(start, start);
        } else if (clock && !Double.isNaN(jumpedTo)) {
            playedSinceJump += end - start;
            if (playedSinceJump >= clearDelaySeconds) {
                alarm.clear(jumpedTo);
                jumpedTo = Double.NaN;
            }
        }
        return end;
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        if (!Double.isNaN(jumpedTo)) {
            alarm.clear(jumpedTo);
        }
        alarm.finish(jumpedTo);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "timestamps jumped %+.3f s", lastJumpSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("jumpSeconds", lastJumpSeconds);
        out.put("jumps", (double) jumps);
    }
}
