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
 * Audio and video timelines more than {@code toleranceSeconds} apart, either way: what a player that presents both
 * by their timestamps shows as lip-sync error. Only timestamps are read, so what is measured is the offset between
 * the two timelines as the container carries them, not the sync of the content itself (an encoder that stamped
 * sound and picture wrongly at capture is invisible here), and it is measured against the alignment the source had
 * at its start, or at its last splice:
 * <ul>
 *   <li>the video timeline's origin is its first frame's time, moved by each jump of more than
 *   {@value #SPLICE_SECONDS} s (a splice): frames held or dropped do not move it, as a player holds a frame until the
 *   next one is due;</li>
 *   <li>the audio timeline's origin is each block's time minus the audio played before it (its sample clock): sound
 *   plays continuously, so both a jump and a slow drift of the audio timestamps against the samples move it;</li>
 *   <li>at each video frame, {@code offsetMs} = audio origin minus video origin: positive when the sound comes late
 *   (audio muxed with {@code ffmpeg -itsoffset 0.3} gives +300), negative when it comes early.</li>
 * </ul>
 * A splice that jumps both timelines by the same amount keeps the offset; one that cuts them at different places
 * changes it. The alarm holds while the offset stays outside the tolerance and clears at the first frame within it.
 *
 * <p>Limitation: audio that starts before the first decodable video frame is indistinguishable from audio muxed
 * early, so a live stream joined between keyframes reads as audio ahead by up to one GOP (a baseline taken at
 * the first frame pair for live inputs would avoid that, at the cost of missing an offset present from the start).
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
                            the audio timeline (each block's time minus the audio played before it) and the video
                            timeline (the first frame's time, moved by splices over 0.5 s) are more than
                            `toleranceSeconds` apart either way: audio muxed late or early (`-itsoffset`), a splice
                            that cuts audio and video at different places, audio timestamps that drift against the
                            samples. Timestamps only: an offset baked into the content is invisible. Metrics
                            `offsetMs` (audio minus video: positive when the sound comes late), `worstOffsetMs`""")
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

    /** A video timestamp jump larger than this is a splice and moves the video origin. */
    static final double SPLICE_SECONDS = 0.5;

    private final double toleranceSeconds;
    private double videoOrigin = Double.NaN;
    private double videoExpected = Double.NaN;
    private double audioOrigin = Double.NaN;
    private double audioPlayedSeconds;
    /** First video frame time of the current run outside the tolerance; NaN when within. */
    private double driftSince = Double.NaN;
    private double offsetSeconds;
    private double worstSeconds;
    private double lastVideoEnd = Double.NaN;

    public AvDriftDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.toleranceSeconds = settings.number("toleranceSeconds");
    }

    @Override
    public void onAudio(AudioStats s) {
        audioOrigin = s.ptsSeconds - audioPlayedSeconds;
        audioPlayedSeconds += s.endSeconds() - s.ptsSeconds;
    }

    @Override
    public void onVideo(FrameStats s) {
        if (Double.isNaN(videoOrigin)) {
            videoOrigin = s.ptsSeconds;
        } else if (Math.abs(s.ptsSeconds - videoExpected) > SPLICE_SECONDS) {
            videoOrigin += s.ptsSeconds - videoExpected;
        }
        videoExpected = s.endSeconds();
        lastVideoEnd = s.endSeconds();
        if (Double.isNaN(audioOrigin)) {
            return;
        }
        double offset = audioOrigin - videoOrigin;
        if (Math.abs(offset) > toleranceSeconds) {
            offsetSeconds = offset;
            if (Double.isNaN(driftSince)) {
                driftSince = s.ptsSeconds;
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
        alarm.finish(lastVideoEnd);
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
