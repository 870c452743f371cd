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
 * {@link io.vigil.kernels.Blockiness} score (how far the mean small luma step across the grid stands out from the
 * mean elsewhere, less a visibility floor; 1 = none) is above {@code threshold}. The condition runs from the first
 * blocky frame while blocky frames come less than {@link #KEYFRAME_BRIDGE_SECONDS} apart: a coder short of bits is
 * blocky on each keyframe and refines the picture in the predicted frames after it (mpeg2video at 800 kb/s, a
 * keyframe every 12 frames), a pulse of blocking once or twice a second that the eye sees as one; the run ends with
 * its last blocky frame. Frames without a score
 * leave the condition as it is.
 */
public final class BlockinessDetector extends FrameRunDetector {
    public static final String NAME = "blockiness";

    /**
     * Blocking at the 8x8 grid (Blockiness: the visible excess of the mean small step across the grid over the mean
     * elsewhere, 1 = none): x264 at CRF 23 (mandelbrot, testsrc2), SMPTE HD bars and mpeg2video at 4 Mb/s 720p
     * (still or panned photographs) 1.00 but for a keyframe now and then (at most 1.25); mpeg2video at 100 kb/s
     * (640x360) median 1.26, up to 2.3, and at 800 kb/s 720p keyframes 1.5..2.2. Over 1.15 for 2 s, keyframe pulses
     * bridged. On: quiet on every other test clip.
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
                            pattern's edges on the grid do not count). With B the mean small step across the grid
                            (x or y a multiple of 8) and I the mean elsewhere, score = 1 + max(0, B - I - 0.75) /
                            (I + 1) (code values scaled to the bit depth), 1 = none: the grid's excess over the
                            in-block steps less a visibility floor (a still smooth sky through MPEG-2 at 4 Mb/s keeps
                            an invisible grid half a code value high), relative to the in-block steps. The frame is
                            blocky above `threshold`; the condition holds while blocky frames come under 1.1 s
                            apart (a starved coder is blocky on each keyframe and refines the frames after it; GOPs
                            of up to a second are bridged), from the first blocky frame to the end of the last.
                            Metric `blockiness` (the highest score while it held). On the GPU the fused statistics
                            kernel adds the same four sums (32 more bytes per frame back)""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.number("threshold", 1.15, 1, 100, "", "score (visible excess of the mean small"
                            + " luma step across the 8x8 grid over the mean elsewhere, 1 = none) above which a frame is"
                            + " blocky")
                            .withNote("x264 CRF 23, SMPTE HD bars, mpeg2video 4 Mb/s 720p 1.00 (keyframes up to"
                                    + " 1.25); mpeg2video 100 kb/s 640x360 median 1.26, up to 2.3"))
                    .reads(Statistic.BLOCKINESS)
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new BlockinessDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /**
     * Blocky frames closer than this are one run: keyframes of a GOP of up to a second (12 or 25 frames at 25 fps,
     * ATSC's 15 at 29.97: 0.5005 s) are bridged.
     */
    public static final double KEYFRAME_BRIDGE_SECONDS = 1.1;

    private final double threshold;
    private double maxScore;
    private double lastBlockySeconds = Double.NaN;
    private double lastBlockyEndSeconds = Double.NaN;

    public BlockinessDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.blockiness);
    }

    /** A bridged frame is not blocky itself: the run is known only to the end of its last blocky frame. */
    @Override
    protected double heldUntilSeconds(FrameStats s) {
        return lastBlockyEndSeconds;
    }

    @Override
    protected double runEndSeconds(FrameStats s) {
        return lastBlockyEndSeconds;
    }

    @Override
    protected boolean holds(FrameStats s) {
        if (s.blockiness > threshold) {
            lastBlockySeconds = s.ptsSeconds;
            lastBlockyEndSeconds = s.endSeconds();
            return true;
        }
        double sinceBlockySeconds = s.ptsSeconds - lastBlockySeconds; // NaN before the first: false
        return sinceBlockySeconds >= 0 && sinceBlockySeconds < KEYFRAME_BRIDGE_SECONDS;
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
