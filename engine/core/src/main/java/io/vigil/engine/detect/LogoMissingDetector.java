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
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * The stream's logo (station bug) is not on air. A few frames a second the {@link io.vigil.kernels.picture.LogoMatcher}
 * correlates the configured logo with its region of the small picture; the condition holds from the first checked
 * frame where the best score is below {@code threshold} to the first where it is found again. A black picture or
 * colour bars (by black's and colorbars' own thresholds) carry no logo by nature, and end the condition instead:
 * black, colorbars or signal_loss is the alarm then. Frames not checked leave the run as it is.
 */
public final class LogoMissingDetector extends FrameRunDetector {
    public static final String NAME = "logo_missing";

    /**
     * Off by default: it needs the stream's own logo. Raised after 10 s: a logo is taken off for a few seconds around
     * breaks and full-screen graphics, which are programme. Warning: the channel is on air, its branding is not.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 200)
                    .describe("the station logo is missing", """
                            the stream's logo is not where it belongs. `logo` is a picture file (PNG; its alpha is
                            the logo's shape) drawn for a picture `referenceWidth` pixels wide (0: the stream's
                            own), such as the overlay the logo inserter keys; it is composited over mid grey, cut to
                            where its alpha is not 0 and scaled to the small picture vigil makes of a frame (320
                            samples wide, the thumbnail's; on the GPU made small on the device). `checksPerSecond`
                            frames a second (by media time) the best normalised correlation coefficient (OpenCV
                            matchTemplate TM_CCOEFF_NORMED: brightness and contrast do not count) of that template
                            inside the region `regionX`, `regionY`, `regionWidth` x `regionHeight` (shares of the
                            picture; a region smaller than the logo is its centre) is the frame's score; below
                            `threshold` the logo is missing. A black frame (black's `pictureThreshold`) or colour
                            bars (colorbars' `threshold`) end the condition: they carry no logo by nature. Metric
                            `score` (the best score while missing)""")
                    .alarm(Severity.WARNING, 10.0, 0.0)
                    .offByDefault()
                    .parameter(ParamSpec.files("logo", "the logo as keyed on air: a picture file, its alpha the"
                            + " logo's shape"))
                    .parameter(ParamSpec.integer("referenceWidth", 0, 0, 16384, "px",
                            "width of the picture the logo file was drawn for; 0: the stream's own width")
                            .withNote("a logo cut from, or keyed as an overlay onto, the stream's own picture"))
                    .parameter(ParamSpec.number("regionX", 0, 0, 1, "", "left edge of the region the logo lies"
                            + " within, as a share of the picture's width"))
                    .parameter(ParamSpec.number("regionY", 0, 0, 1, "", "top edge of that region, as a share of the"
                            + " picture's height"))
                    .parameter(ParamSpec.number("regionWidth", 1, 0.001, 1, "", "width of that region, as a share of"
                            + " the picture's width")
                            .withNote("the whole picture: give the logo's corner to make the check cheaper and surer"))
                    .parameter(ParamSpec.number("regionHeight", 1, 0.001, 1, "", "height of that region, as a share"
                            + " of the picture's height"))
                    .parameter(ParamSpec.number("threshold", 0.5, -1, 1, "",
                            "best correlation below which the logo is missing")
                            .withNote("a logo keyed on busy pictures and coded at 1 Mb/s scores 0.7 and more; where"
                                    + " it is gone, chance scores on the wallpaper photographs stay below 0.45"))
                    .parameter(ParamSpec.number("checksPerSecond", 2, 0.1, 25, "",
                            "frames checked per second of media"))
                    .reads(StatisticRead.of(Statistic.LOGO_MATCH)
                            .setting(StatisticParameter.LOGO_FILE, NAME, "logo")
                            .setting(StatisticParameter.LOGO_REFERENCE_WIDTH, NAME, "referenceWidth")
                            .setting(StatisticParameter.LOGO_REGION_X, NAME, "regionX")
                            .setting(StatisticParameter.LOGO_REGION_Y, NAME, "regionY")
                            .setting(StatisticParameter.LOGO_REGION_WIDTH, NAME, "regionWidth")
                            .setting(StatisticParameter.LOGO_REGION_HEIGHT, NAME, "regionHeight")
                            .setting(StatisticParameter.LOGO_CHECKS_PER_SECOND, NAME, "checksPerSecond"))
                    .reads(StatisticRead.of(Statistic.LUMA)
                            .setting(StatisticParameter.DARK_LEVEL, BlackDetector.NAME, "pixelThreshold"))
                    .reads(Statistic.COLOR_BARS)
                    .uses(BlackDetector.NAME, "pictureThreshold")
                    .uses(ColorBarsDetector.NAME, "threshold")
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new LogoMissingDetector(c.settings(), c.tracker(),
                            c.number(BlackDetector.NAME, "pictureThreshold"),
                            c.number(ColorBarsDetector.NAME, "threshold")))
                    .build());
        }
    }

    private final double threshold;
    private final double blackPictureThreshold;
    private final double barsThreshold;
    private double bestScore;

    /**
     * @param blackPictureThreshold the dark share at or above which a frame is black (black's)
     * @param barsThreshold the bars score at or above which a frame shows colour bars (colorbars')
     */
    public LogoMissingDetector(DetectorSettings settings, AlarmTracker tracker, double blackPictureThreshold,
                               double barsThreshold) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
        this.blackPictureThreshold = blackPictureThreshold;
        this.barsThreshold = barsThreshold;
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.logoScore);
    }

    @Override
    protected boolean holds(FrameStats s) {
        boolean black = s.darkFraction >= blackPictureThreshold;
        boolean bars = s.colorBars >= barsThreshold;
        return s.logoScore < threshold && !black && !bars;
    }

    @Override
    protected void startRun(FrameStats s) {
        bestScore = -1;
    }

    @Override
    protected void track(FrameStats s) {
        bestScore = Math.max(bestScore, s.logoScore);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "logo missing for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("score", Math.round(bestScore * 1000) / 1000.0);
    }
}
