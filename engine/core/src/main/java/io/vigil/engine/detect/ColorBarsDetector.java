package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
        this.slate = settings.flag("slate");
        this.slateFlatness = settings.number("slateFlatness");
        this.slateEdges = settings.number("slateEdges");
        this.stillNoise = stillNoise;
    }

    @Override
    public Set<Statistic> reads() {
        return slate ? Set.of(Statistic.COLOR_BARS, Statistic.FRAME_DIFFERENCE) : Set.of(Statistic.COLOR_BARS);
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
