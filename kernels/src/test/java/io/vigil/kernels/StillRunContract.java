package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.StatisticsBackend.StillStep;
import io.vigil.kernels.StillRunClips.Clip;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * freeze's still run as a stream's statistics judge it (FrameDifference with freeze's defaults: noise -60 dB,
 * recodeNoise -40 dB) on coded clips ({@link StillRunClips}), frame by frame the same figures as the CPU reference
 * (MAFD, block peak against the anchor, re-coded or not, the anchor's and the reference's times), and what each clip
 * is: a held picture coded again at every keyframe is one still run from its first frame (freezedetect's rule alone
 * restarts it at each keyframe); a slow pan and a local change are no still run of a second. The backend is given by
 * a subclass (CPU, C, GPU) or StatisticsEmulatedGpuTest.
 */
class StillRunContract extends ContractSupport {
    static final double NOISE = 0.001;
    static final double RECODE_NOISE = 0.01;

    StillRunContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    /** The clip's steps on this backend, checked equal to the CPU reference's. */
    private List<StillStep> steps(Clip clip) {
        List<VideoFrame> frames = StillRunClips.frames(clip);
        try (StatisticsBackend java = new CpuBackend()) {
            List<StillStep> steps = backend.stillRun(frames, NOISE, RECODE_NOISE);
            assertThat(steps).as(where(clip)).hasSize(frames.size())
                    .isEqualTo(java.stillRun(frames, NOISE, RECODE_NOISE));
            System.out.printf("%s %s: %d frames, %d past freezedetect's noise, %d weighed by the block test, %d"
                    + " re-coded, longest still run %.2f s%n", backend.name(), clip, steps.size(),
                    steps.stream().filter(s -> s.mafd() > NOISE).count(),
                    steps.stream().filter(s -> !Double.isNaN(s.anchorBlockPeak())).count(),
                    steps.stream().filter(StillStep::recoded).count(), longestStillRun(steps));
            return steps;
        } finally {
            frames.forEach(VideoFrame::close);
        }
    }

    /** The longest still run of the clip, seconds from its anchor to its last frame. */
    private static double longestStillRun(List<StillStep> steps) {
        double longest = 0;
        for (int i = 0; i < steps.size(); i++) {
            longest = Math.max(longest, (i + 1) / 25.0 - steps.get(i).anchorPtsSeconds());
        }
        return longest;
    }

    private void heldPictureIsOneStillRun(Clip clip) {
        List<StillStep> steps = steps(clip);
        assertThat(steps.stream().filter(StillStep::recoded).count()).as(where(clip + ": re-coded steps"))
                .isPositive();
        assertThat(steps.subList(1, steps.size())).as(where(clip + ": one still run from the first frame"))
                .allSatisfy(s -> assertThat(s.anchorPtsSeconds()).isZero());
        assertThat(steps.stream().filter(s -> s.mafd() > NOISE).count())
                .as(where(clip + ": steps past freezedetect's noise, which restart its still run")).isPositive();
    }

    @Test
    void aHeldPictureCodedAgainAtEachKeyframeIsOneStillRun() {
        heldPictureIsOneStillRun(Clip.HELD);
    }

    @Test
    void aHeldTenBitPictureCodedAgainAtEachKeyframeIsOneStillRun() {
        heldPictureIsOneStillRun(Clip.HELD_10BIT);
    }

    @Test
    void aSlowPanIsNoStillRun() {
        List<StillStep> steps = steps(Clip.SLOW_PAN);
        assertThat(longestStillRun(steps)).as(where("slow pan: longest still run")).isLessThan(1.0);
    }

    @Test
    void aLocalChangeIsNoStillRun() {
        List<StillStep> steps = steps(Clip.LOCAL_CHANGE);
        assertThat(longestStillRun(steps)).as(where("local change: longest still run")).isLessThan(1.0);
        assertThat(steps.stream().filter(s -> !Double.isNaN(s.anchorBlockPeak())).count())
                .as(where("local change: steps the block test weighed")).isPositive();
    }
}
