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
 * Blocking at the 8x8 coding grid, as FFmpeg's blockdetect but cheap: a frame is blocky when its
 * {@link io.vigil.kernels.Blockiness} score (mean small luma step across the grid over the mean small step
 * elsewhere; 1 = none) is above {@code threshold}; the condition runs from the first such frame to the first that
 * is not. Frames without a score leave the condition as it is.
 */
public final class BlockinessDetector extends FrameRunDetector {
    public static final String NAME = "blockiness";

    /**
     * Blocking at the 8x8 grid (Blockiness: mean small step across the grid over the mean elsewhere, 1 = none): x264
     * at CRF 23 stays under 1.11 (mandelbrot, testsrc2), SMPTE HD bars 1.05; mpeg2video at 100 kb/s (640x360)
     * 1.2..2.6. Over 1.15 for 2 s. On: quiet on every other test clip.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 170)
                    .describe("blocking", """
                            blocking at the 8x8 coding grid, a cheap stand-in for FFmpeg's blockdetect: one pass
                            over luma with integer sums. Steps are absolute differences of neighbouring luma
                            samples, horizontal and vertical; only small ones count (at most 16, scaled to the bit
                            depth: larger ones are picture edges, as H.264's deblocking filter assumes, so a test
                            pattern's edges on the grid do not count). Score = (mean small step across the grid, x
                            or y a multiple of 8, + 1) / (mean small step elsewhere + 1), 1 = none; the frame is
                            blocky above `threshold`. Metric `blockiness` (the highest score while it held). On the
                            GPU the fused statistics kernel adds the same four sums (32 more bytes per frame back)""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.number("threshold", 1.15, 1, 100, "", "score (mean small luma step across"
                            + " the 8x8 grid over the mean elsewhere, 1 = none) above which a frame is blocky")
                            .withNote("x264 CRF 23 at most 1.11, SMPTE HD bars 1.05, mpeg2video at 100 kb/s 640x360"
                                    + " 1.2..2.6"))
                    .reads(Statistic.BLOCKINESS)
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new BlockinessDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double threshold;
    private double maxScore;

    public BlockinessDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.blockiness);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.blockiness > threshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        maxScore = 0;
    }

    @Override
    protected void track(FrameStats s) {
        maxScore = Math.max(maxScore, s.blockiness);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "blocking at the 8x8 grid, score up to %.2f, for %.1f s", maxScore,
                heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("blockiness", maxScore);
    }
}
