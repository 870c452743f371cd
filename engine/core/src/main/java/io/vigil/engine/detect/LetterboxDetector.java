package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    /** cropdetect's {@code limit} from the settings, a ratio of the largest code value. */
    public static double limitOf(DetectorSettings settings) {
        return settings.number("limit");
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.LETTERBOX, Statistic.LUMA);
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
