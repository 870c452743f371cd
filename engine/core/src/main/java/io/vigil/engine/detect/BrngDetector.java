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
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * Picture outside broadcast range, as signalstats' BRNG: a frame is out of range when more than {@code threshold}
 * of its pixels have Y outside 16..235 or U/V outside 16..240 (scaled to the bit depth; see
 * {@link io.vigil.kernels.BroadcastRange}); the condition runs from the first such frame to the first frame that is
 * not. The raise delay keeps a few frames of overshoot (a flash, a ringing edge) from raising it.
 */
public final class BrngDetector extends FrameRunDetector {
    public static final String NAME = "brng";

    /**
     * signalstats BRNG: more than 10% of the pixels outside broadcast range (16..235 Y, 16..240 U/V) for 2 s. Legal
     * pictures are not at 0: SMPTE HD bars (PLUGE, super-white) give 1.7%, and lossy coding overshoots at saturated
     * edges (testsrc2 320x240 through x264: up to 8% of pixels, at 720p 1.7%). A range mix-up (full range sent as
     * limited) or an illegal graphic puts whole areas out, well above 10%. Off unless asked for: EBU R 103 tolerates
     * -1%..103% (Y 5..246), so grain in a dark scene below 16 (a quarter of its pixels) is legal yet counted by BRNG,
     * and a default-on warning there would be a false alarm.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 150)
                    .describe("picture out of broadcast range", """
                            more than `threshold` of the pixels are outside broadcast range: Y below 16 or above
                            235, or U or V (the chroma sample on the subsampled grid that the pixel uses) below 16
                            or above 240, scaled to the bit depth, whatever the frame's range (FFmpeg signalstats'
                            BRNG, the same per-pixel test and the same share). Metric `brngFraction` (the largest
                            share while it held). Off unless enabled: grain below black in a dark scene is legal
                            under EBU R 103's -1%..103% yet counts here""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .offByDefault()
                    .parameter(ParamSpec.number("threshold", 0.1, 0, 1, "",
                            "share of pixels outside broadcast range above which a frame is out of range")
                            .withNote("10%: legal pictures are not at 0: SMPTE HD bars give 1.7%, lossy coding"
                                    + " overshoots at saturated edges, up to 8% on a small test pattern through"
                                    + " x264; a range mix-up or an illegal graphic puts whole areas out"))
                    .reads(Statistic.BROADCAST_RANGE)
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new BrngDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double threshold;
    private double maxFraction;

    public BrngDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
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
