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
 * Audio and video more than {@code toleranceSeconds} apart, either way, in what is presented together: what a player
 * that presents both by their timestamps shows as lip-sync error. Only timestamps are read, so what is measured is
 * the offset between the two timelines as the container carries them, not the sync of the content itself (an
 * encoder that stamped sound and picture wrongly at capture, or {@code adelay}'s silence, is invisible here). How
 * the offset is measured, and against which alignment (a file's start; the first picture with sound of an input
 * joined between keyframes or of a restart of both timelines), is {@link AvAlignment}'s: in short, {@code offsetMs}
 * is positive when the sound comes late (audio muxed with {@code ffmpeg -itsoffset 0.3} gives +300), negative when
 * it comes early, and audio heard before the first picture of a join or a cut is not taken for audio muxed early.
 * The alarm holds while the offset stays outside the tolerance and clears at the first frame within it, or when the
 * audio stops.
 */
public final class AvDriftDetector extends AlarmingDetector {
    public static final String NAME = "av_drift";

    /**
     * Audio and video timelines more than 100 ms apart, either way, for 2 s: above the slack of normal muxing (an audio
     * frame of 21-32 ms, a video frame of 17-40 ms), within what viewers notice (ITU-R BT.1359: detectable at
     * +45/-125 ms; EBU R37 asks for +40/-60 ms end to end).
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 120)
                    .describe("audio and video out of sync", """
                            the audio timeline (each block's time minus the audio played before it: its
                            sample clock) and the video timeline (the first frame's time) are more than
                            `toleranceSeconds` apart either way, against their alignment where they were first
                            presented together. At a file's start that alignment is zero: audio muxed late
                            (`-itsoffset`) fires; audio muxed early fires when it also ends early (audio that only
                            starts before the first picture is a cut: `-ss -c copy`). An input that began between
                            keyframes (a live join or reconnection, a recording cut mid-GOP) and a restart of both
                            timelines are aligned afresh at their first picture with sound. Forward gaps (lost
                            packets, an outage) are missing content, not an offset; audio timestamps that drift
                            against the samples or step back over them, and one timeline jumping back alone, fire.
                            Timestamps only: an offset baked into the content is invisible. Metrics `offsetMs` (audio
                            minus video: positive when the sound comes late), `worstOffsetMs`""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .parameter(ParamSpec.seconds("toleranceSeconds", 0.1,
                            "largest offset, either way, between the audio and video timelines")
                            .withNote("above muxing slack of an audio or video frame; ITU-R BT.1359 finds +45/-125"
                                    + " ms detectable"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new AvDriftDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double toleranceSeconds;
    private final AvAlignment alignment = new AvAlignment();
    /** First video frame time of the current run outside the tolerance; NaN when within. */
    private double driftSince = Double.NaN;
    private double offsetSeconds;
    private double worstSeconds;

    public AvDriftDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.toleranceSeconds = settings.number("toleranceSeconds");
    }

    @Override
    public void onInputStart() {
        alignment.inputStarted();
    }

    @Override
    public void onAudio(AudioStats s) {
        alignment.onAudio(s.ptsSeconds, s.endSeconds());
    }

    @Override
    public void onVideo(FrameStats s) {
        double offset = alignment.onVideo(s.ptsSeconds, s.durationSeconds, s.skippedBeforeSeconds);
        double since = alignment.judgedSinceSeconds();
        if (Double.isNaN(offset)) {
            if (alignment.audioStopped() && !Double.isNaN(driftSince)) {
                driftSince = Double.NaN;
                alarm.clear(s.ptsSeconds);
            }
            return;
        }
        if (Math.abs(offset) > toleranceSeconds) {
            offsetSeconds = offset;
            if (Double.isNaN(driftSince)) {
                driftSince = Double.isNaN(since) ? s.ptsSeconds : since;
                worstSeconds = offset;
            } else if (Math.abs(offset) > Math.abs(worstSeconds)) {
                worstSeconds = offset;
            }
            alarm.hold(driftSince, s.endSeconds());
        } else if (!Double.isNaN(driftSince)) {
            offsetSeconds = offset;
            driftSince = Double.NaN;
            alarm.clear(s.ptsSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        double end = alignment.videoEndSeconds();
        double shifted = alignment.shiftedFromTheStart(toleranceSeconds);
        if (!Double.isNaN(shifted)) {
            // Audio ahead of the first picture and of the last: muxed early, not cut; it held all along.
            offsetSeconds = shifted;
            worstSeconds = shifted;
            alarm.hold(alignment.anchorSeconds(), end);
        }
        alarm.finish(end);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "audio %s video by %.0f ms", offsetSeconds >= 0 ? "behind" : "ahead of",
                Math.abs(offsetSeconds) * 1000);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("offsetMs", offsetSeconds * 1000);
        out.put("worstOffsetMs", worstSeconds * 1000);
    }
}
