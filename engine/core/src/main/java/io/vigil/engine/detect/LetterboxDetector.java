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
 * Black bars that appear or change, from cropdetect's per-frame bars ({@link io.vigil.kernels.Letterbox}). A stream
 * may be letterboxed or pillarboxed from its start: that is its format, not a defect. So the detector first
 * establishes the stream's bars (the first bars that stay within {@code toleranceRows} on every side for
 * {@code establishSeconds}) and from then on a frame is changed when its bars differ from the established ones by
 * more than {@code toleranceRows}, on both opposing sides, the same way (both top and bottom grew, or both shrank;
 * or left and right): inserted bars are centred, whereas a dark area of the picture that reaches one edge (a night
 * sky, a dark floor) moves one side only. The condition runs from the first changed frame to the first that is not.
 * Frames that are black (every row below the limit, or blackdetect's dark share at or above black's
 * {@code pictureThreshold}) are black's business: they neither count as changed nor end the condition.
 */
public final class LetterboxDetector extends AlarmingDetector {
    public static final String NAME = "letterbox";

    /**
     * cropdetect's bars (rows/columns whose mean luma is at most 24/255), established over the first 2 s in which they
     * hold still; bars that then appear, go or move by more than 8 rows (columns) on both opposing sides, the same
     * way, for 2 s: a programme letterboxed from the start is its format, and a dark area reaching one edge moves one
     * side only. Black frames are black's: judged with black's thresholds, even when black itself is off.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 160)
                    .describe("black bars changed", """
                            black bars appear, go or change: cropdetect's bars of each frame (luma rows at the top
                            and bottom, columns at the left and right, whose mean, truncated to an integer, is at
                            most `limit` times the largest code value, rounded; counted from each edge: the same
                            per-frame test as `cropdetect=reset=1`, checked against it at 8 and 10 bits) differ from
                            the stream's established bars by more than `toleranceRows` on both opposing sides the
                            same way (top and bottom, or left and right). The established bars are the first that
                            hold within `toleranceRows` for `establishSeconds`: a programme letterboxed or
                            pillarboxed from its start is quiet, and a dark area reaching one edge (a night sky)
                            moves one side only. Black frames (every row under the limit, or black's
                            `pictureThreshold` reached) are `black`'s and are skipped. Metrics `top`, `bottom`,
                            `left`, `right` (the bars while it held). On the GPU a small kernel (one block per
                            frame) scans lines from each edge 256 at a time and stops at the first non-black one; 16
                            bytes of bars per frame come back""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.integer("toleranceRows", 8, 0, 4096, "rows",
                            "rows (columns) by which both opposing bars must move, the same way, from the"
                                    + " established bars"))
                    .parameter(ParamSpec.seconds("establishSeconds", 2,
                            "how long the first bars must hold still to become the stream's own"))
                    .parameter(ParamSpec.number("limit", 24.0 / 255, 0, 1, "", "cropdetect's `limit`: largest mean"
                            + " of a row or column, as a ratio of the largest code value, that is black")
                            .withNote("24/255, cropdetect's"))
                    .reads(StatisticRead.of(Statistic.LETTERBOX).setting(StatisticParameter.BAR_LIMIT, NAME, "limit"))
                    .reads(StatisticRead.of(Statistic.LUMA)
                            .setting(StatisticParameter.DARK_LEVEL, BlackDetector.NAME, "pixelThreshold"))
                    .uses(BlackDetector.NAME, "pictureThreshold")
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new LetterboxDetector(c.settings(), c.tracker(),
                            c.number(BlackDetector.NAME, "pictureThreshold")))
                    .build());
        }
    }

    private final int tolerance;
    private final double establishSeconds;
    private final double darkPictureThreshold;
    private final int[] established = {-1, -1, -1, -1};
    private final int[] candidate = {-1, -1, -1, -1};
    private double candidateSince = Double.NaN;
    private double since = Double.NaN;
    private final int[] seen = new int[4];

    /**
     * @param darkPictureThreshold black's {@code pictureThreshold}: frames with a dark share at or above it are
     *        ignored
     */
    public LetterboxDetector(DetectorSettings settings, AlarmTracker tracker, double darkPictureThreshold) {
        super(NAME, settings, tracker);
        this.tolerance = (int) settings.number("toleranceRows");
        this.establishSeconds = settings.number("establishSeconds");
        this.darkPictureThreshold = darkPictureThreshold;
    }

    @Override
    public void onVideo(FrameStats s) {
        if (s.barTop < 0 || s.barTop >= s.height || s.darkFraction >= darkPictureThreshold) {
            return;
        }
        int[] bars = {s.barTop, s.barBottom, s.barLeft, s.barRight};
        if (established[0] < 0) {
            if (candidate[0] < 0 || differs(bars, candidate)) {
                System.arraycopy(bars, 0, candidate, 0, 4);
                candidateSince = s.ptsSeconds;
            } else if (s.endSeconds() - candidateSince >= establishSeconds) {
                System.arraycopy(candidate, 0, established, 0, 4);
            }
            return;
        }
        if (changed(bars, established)) {
            if (Double.isNaN(since)) {
                since = s.ptsSeconds;
            }
            System.arraycopy(bars, 0, seen, 0, 4);
            alarm.hold(since, s.endSeconds());
        } else if (!Double.isNaN(since)) {
            since = Double.NaN;
            alarm.clear(s.ptsSeconds);
        }
    }

    private boolean differs(int[] a, int[] b) {
        for (int i = 0; i < 4; i++) {
            if (Math.abs(a[i] - b[i]) > tolerance) {
                return true;
            }
        }
        return false;
    }

    /** Both bars of a pair (top and bottom, or left and right) moved by more than the tolerance, the same way. */
    private boolean changed(int[] bars, int[] base) {
        return pairMoved(bars[0] - base[0], bars[1] - base[1]) || pairMoved(bars[2] - base[2], bars[3] - base[3]);
    }

    private boolean pairMoved(int a, int b) {
        return Math.abs(a) > tolerance && Math.abs(b) > tolerance && Integer.signum(a) == Integer.signum(b);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT,
                "black bars changed from top %d, bottom %d, left %d, right %d to top %d, bottom %d, left %d, right %d"
                        + " for %.1f s", established[0], established[1], established[2], established[3], seen[0],
                seen[1], seen[2], seen[3], heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("top", (double) seen[0]);
        out.put("bottom", (double) seen[1]);
        out.put("left", (double) seen[2]);
        out.put("right", (double) seen[3]);
    }
}
