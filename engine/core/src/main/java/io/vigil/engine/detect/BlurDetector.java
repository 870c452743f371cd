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
 * A blurred picture, as FFmpeg's blurdetect but cheap: a frame is blurred when its {@link io.vigil.kernels.Blur}
 * score (mean width of its luma edges, pixels) is above {@code threshold}; the condition runs from the first such
 * frame to the first that is not. Frames without a score (too few edges: black, flat, a plain colour) leave the
 * condition as it is, so they never raise it.
 */
public final class BlurDetector extends FrameRunDetector {
    public static final String NAME = "blur";

    /**
     * Blur (Blur: mean width of the luma edges, pixels, blurdetect's meaning): sharp pictures 1..1.4 (testsrc2, bars
     * through x264), mandelbrot's smooth bands 3.6..4.2, testsrc2 upscaled 3x 2.7; testsrc2 blurred with sigma 1 3.1,
     * sigma 2 5.9, sigma 6 16 (blurdetect 17..19), the same with grain 14.5 (blurdetect 17.3). Over 10 px for 2 s.
     * On: quiet on every other test clip.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 190)
                    .describe("blurred picture", """
                            a blurred picture, a cheap stand-in for FFmpeg's blurdetect (the same meaning: mean
                            width of the edges, in pixels, an edge's width being the length of the strictly rising
                            or falling run of samples through it). Read along every 4th luma row and column, at 8
                            bits, smoothed by a 3x3 binomial (blurdetect: a 5x5 Gaussian, then Canny), so that grain
                            does not cut soft edges short: an edge is a sample whose central difference (next minus
                            previous) is at least 8 codes and a local maximum along the line; its run stops where
                            the steps fall to 1/16 of that difference (a soft shading ramp the edge sits on is not
                            the edge); the score is the mean width over all edges (less the 2 samples the smoothing
                            adds), integer sums per frame. A sharp step is 1 wide, a ramp over n samples n. Frames
                            with fewer than one edge per 8 lines read (black, flat, a plain colour) have no score
                            and never raise it. Widths are in the picture's own pixels, so an upscaled picture reads
                            wider. Metric `blur` (the widest mean while it held). On the GPU a small kernel walks
                            the same lines (a thread per line) to the same integer sums (16 bytes per frame back)""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.number("threshold", 10, 1, 100, "px",
                            "mean edge width in luma pixels above which a frame is blurred")
                            .withNote("sharp test patterns through x264 1..1.4, mandelbrot's smooth bands 3.6..4.2,"
                                    + " testsrc2 upscaled 3x 2.7; testsrc2 with a Gaussian blur of sigma 2 5.9,"
                                    + " sigma 6 16 (blurdetect 17..19 on the same frames), the same with grain 14.5"
                                    + " (blurdetect 17.3)"))
                    .reads(Statistic.BLUR)
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new BlurDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double threshold;
    private double maxWidth;

    public BlurDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
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
