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
 * Test bars or a still slate instead of programme. A frame shows bars when its {@link io.vigil.kernels.ColorBars}
 * score (share of the seven standard bars found in order) is at least {@code threshold}. With {@code slate} on, a
 * frame is a slate when it is still (its frame difference against the last frame that moved is at most freeze's
 * {@code noise}) and a flat graphic: at least {@code slateFlatness} of the sampled luma steps are at most one code
 * value (8-bit; a plain or gradient background) and at least {@code slateEdges} of them are over 16 (text, boxes: a
 * graphic, not a plain field, which is black's or freeze's). The condition runs from the first such frame to the
 * first that is neither (a run that begins with a slate is back-dated to its reference frame, the first still one,
 * as a freeze is); the run is {@code kind} 1 (bars) if any of its frames showed bars, else 2 (slate).
 * Frames without the statistic leave the run as it is.
 */
public final class ColorBarsDetector extends FrameRunDetector {
    public static final String NAME = "colorbars";

    /**
     * Test bars (ColorBars: the seven standard bars in order, at least 6 of 7 found): on, every other test clip stays
     * quiet. A still slate (still by freeze's noise, even when freeze itself is off; at least 90% of sampled luma
     * steps within one code value, at least 0.02% over 16: a plain field has none) is off unless asked for: a frozen
     * graphic programme (testsrc2: 94% flat) is one by this definition, and would turn those freezes into slates.
     * Bars and a slate explain a still picture: freeze stays quiet while they hold.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 180)
                    .describe("test bars or a slate", """
                            test bars or a still slate instead of programme. **Bars**: in 8 luma rows (7.5% to 42.5%
                            of the height) cut into 64 cells, flat cells (the mean luma of the left and right halves
                            within 4, the means of the upper and lower 4 rows within 4: no edge inside, the rows
                            agree, grain averaged out) with close Y, U, V (within 6 of the previous flat cell; one
                            cell that is not flat is stepped over) make segments of at least 3 flat cells; 7
                            adjacent segments of similar width (at most 2:1) spanning half the picture are checked
                            against the standard order: luma falling strictly (by 8 or more) from white or grey
                            through yellow, cyan, green, magenta, red, blue, with those colours' Cb/Cr signs (SMPTE,
                            RP 219 HD with its grey pillars, EBU 75% and 100%); the frame shows bars when at least
                            `threshold` of the 7 match. **Slate** (`slate`): a frame that is still (frame difference
                            at most freeze's `noise`) and a flat graphic: at least `slateFlatness` of the luma steps
                            in 32 sampled rows (horizontal and vertical) are at most 1 code value, and at least
                            `slateEdges` are over 16 (text, boxes: a plain field is black's or freeze's). Code
                            values scaled to the bit depth. Metrics `kind` (1 bars, 2 slate), `colorBars` (best
                            share of bars matched), `flatShare`. On the GPU a small kernel computes the same
                            integers (bars matched, flatness counts; 16 bytes per frame back)""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .parameter(ParamSpec.number("threshold", 0.85, 0, 1, "",
                            "share of the 7 standard bars that must be found, in order, for a frame to show bars")
                            .withNote("6 of 7 bars"))
                    .parameter(ParamSpec.flag("slate", false, "whether a still flat graphic (a slate) counts too"
                                    + " (not while the slate detector, with its card library, runs)")
                            .withNote("a frozen graphic programme such as testsrc2, 94% flat, is a slate by this"
                                    + " rule: turn it on where programme is camera pictures"))
                    .parameter(ParamSpec.number("slateFlatness", 0.9, 0, 1, "",
                            "share of sampled luma steps of at most 1 code value (8-bit) that makes a still frame a"
                                    + " flat graphic"))
                    .parameter(ParamSpec.number("slateEdges", 0.0002, 0, 1, "",
                            "share of sampled luma steps over 16 code values (8-bit) a slate needs: text or box edges")
                            .withNote("a plain field has none; one drawn box crossing a few sampled rows has 0.0003"))
                    .reads(Statistic.COLOR_BARS)
                    .reads(StatisticRead.of(Statistic.FRAME_DIFFERENCE).when("slate")
                            .setting(StatisticParameter.STILL_NOISE, FreezeDetector.NAME, "noise"))
                    .uses(FreezeDetector.NAME, "noise")
                    .evidence(Evidence.CONDITION_START)
                    .explains(FreezeDetector.NAME)
                    .factory(c -> new ColorBarsDetector(c.settings(), c.tracker(),
                            c.number(FreezeDetector.NAME, "noise"), c.runs(SlateDetector.NAME)))
                    .build());
        }
    }

    /** The {@code kind} metric's codes. */
    public static final double KIND_BARS = 1;
    public static final double KIND_SLATE = 2;

    private final double threshold;
    private final boolean slate;
    private final double slateFlatness;
    private final double slateEdges;
    private final double stillNoise;
    private boolean runHadBars;
    private double maxScore;
    private double maxFlatShare;
    private double lastEndSeconds = Double.NEGATIVE_INFINITY;

    /** @param stillNoise the frame difference (freeze's {@code noise}) at or below which a frame is still */
    public ColorBarsDetector(DetectorSettings settings, AlarmTracker tracker, double stillNoise) {
        this(settings, tracker, stillNoise, false);
    }

    /**
     * @param stillNoise the frame difference (freeze's {@code noise}) at or below which a frame is still
     * @param slateLibrary whether the {@code slate} detector runs: its card library then replaces the flat-still rule
     */
    public ColorBarsDetector(DetectorSettings settings, AlarmTracker tracker, double stillNoise, boolean slateLibrary) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
        this.slate = settings.flag("slate") && !slateLibrary;
        this.slateFlatness = settings.number("slateFlatness");
        this.slateEdges = settings.number("slateEdges");
        this.stillNoise = stillNoise;
    }

    private boolean bars(FrameStats s) {
        return s.colorBars >= threshold;
    }

    private boolean slate(FrameStats s) {
        // NaN mafd (the first frame, a new size) is not still: the comparisons are false.
        return slate && s.mafd <= stillNoise && s.flatShare >= slateFlatness && s.edgeShare >= slateEdges;
    }

    @Override
    protected boolean holds(FrameStats s) {
        return bars(s) || slate(s);
    }

    /** A slate is still from its reference frame on (as a freeze is), but not before the frame that ended a run. */
    @Override
    protected double runStartSeconds(FrameStats s) {
        return bars(s) || Double.isNaN(s.referencePtsSeconds) ? s.ptsSeconds
                : Math.max(s.referencePtsSeconds, lastEndSeconds);
    }

    @Override
    protected boolean judged(FrameStats s) {
        if (Double.isNaN(s.colorBars)) {
            return false;
        }
        if (!holds(s)) {
            lastEndSeconds = s.ptsSeconds;
        }
        return true;
    }

    @Override
    protected void startRun(FrameStats s) {
        runHadBars = false;
        maxScore = 0;
        maxFlatShare = 0;
    }

    @Override
    protected void track(FrameStats s) {
        runHadBars |= bars(s);
        maxScore = Math.max(maxScore, s.colorBars);
        maxFlatShare = Math.max(maxFlatShare, s.flatShare);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "%s for %.1f s", runHadBars ? "colour bars" : "still slate", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("kind", runHadBars ? KIND_BARS : KIND_SLATE);
        out.put("colorBars", maxScore);
        out.put("flatShare", maxFlatShare);
    }
}
