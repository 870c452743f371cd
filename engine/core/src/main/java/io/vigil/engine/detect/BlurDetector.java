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
 * score (mean width of its luma edges, pixels), counted at 720 lines at most, is above {@code threshold}; the
 * condition runs from the first such frame to the first that is not. Frames without a score (too few edges: black,
 * flat, a plain colour) leave the condition as it is, so they never raise it.
 *
 * <p>Why 720 lines: an edge's width in pixels grows with the picture's size (the same shot at 1080 lines reads 1.5
 * times wider than at 720), so one threshold in a taller picture's own pixels fires on sharp natural pictures: wallpaper
 * photographs panned at 1080i read 10.3..11.3 (blurdetect alike) against 7.6 at 720p. Widths of a picture taller than
 * 720 lines are scaled by 720 / height, so the same blur in the eye is the same score at 720p, 1080 and 2160 lines;
 * smaller pictures keep their own pixels.
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
                            and never raise it. Widths are counted at 720 lines at most: a taller picture's are
                            scaled by 720 / height (an edge at 1080 lines is 1.5 times as many pixels as the same
                            edge at 720; sharp wallpaper photographs panned at 1080i read 10.3..11.3 in their own
                            pixels, blurdetect alike, 7.6 at 720p); smaller pictures keep their own pixels, so an
                            upscaled one reads wider. Metric `blur` (the widest mean while it held, at 720 lines). On the GPU a small kernel walks
                            the same lines (a thread per line) to the same integer sums (16 bytes per frame back)""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.number("threshold", 10, 1, 100, "px",
                            "mean edge width in luma pixels above which a frame is blurred")
                            .withNote("sharp test patterns through x264 1..1.4, mandelbrot's smooth bands 3.6..4.2,"
                                    + " testsrc2 upscaled 3x 2.7; testsrc2 with a Gaussian blur of sigma 2 5.9,"
                                    + " sigma 6 16 (blurdetect 17..19 on the same frames), the same with grain 14.5"
                                    + " (blurdetect 17.3); at 720 lines at most: photographs panned at 1080i 7..7.5,"
                                    + " the same under a Gaussian blur of sigma 8 up to 19"))
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
        return widthAt720Lines(s) > threshold;
    }

    /** The frame's mean edge width counted at 720 lines at most (see the class comment). */
    static double widthAt720Lines(FrameStats s) {
        return s.height > 720 ? s.blur * 720.0 / s.height : s.blur;
    }

    @Override
    protected void startRun(FrameStats s) {
        maxWidth = 0;
    }

    @Override
    protected void track(FrameStats s) {
        maxWidth = Math.max(maxWidth, widthAt720Lines(s));
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
