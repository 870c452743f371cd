package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * Broken pictures the decoder reports: packets it rejected, and frames it flagged (decode_error_flags, the corrupt
 * flag, error concealment). The alarm holds while damage keeps appearing and resolves after {@code clearDelay}
 * without any. Blocking baked in upstream, which the decoder cannot see, is the blockiness detector's.
 */
public final class CorruptionDetector extends AlarmingDetector {
    public static final String NAME = "corruption";

    /** Decoder-reported damage is certain: raised at once, resolved after 2 s without more. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 130)
                    .describe("broken pictures", """
                            the video decoder rejects packets or flags frames (decode_error_flags, corrupt,
                            concealment); holds while damage keeps appearing, resolves after `clearDelay` (2 s)
                            without any. Blocking baked in upstream, which the decoder cannot see, is the
                            `blockiness` detector's""")
                    .alarm(Severity.ERROR, 0.0, 2.0)
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    // Damaged pictures are picture defects, though the decoder, not a pixel statistic, reports them.
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new CorruptionDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private long lastDecoderErrors;
    private double damagedSince = Double.NaN;
    private long damagedFrames;
    private long rejectedPackets;

    public CorruptionDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
    }

    @Override
    public double conditionSinceSeconds() {
        return damagedSince;
    }

    @Override
    public void onVideo(FrameStats s) {
        long rejected = s.decoderErrors - lastDecoderErrors;
        lastDecoderErrors = s.decoderErrors;
        boolean damaged = rejected > 0 || s.decodeErrorFlags != 0 || s.corrupt;
        if (damaged) {
            if (Double.isNaN(damagedSince)) {
                damagedSince = s.ptsSeconds;
                damagedFrames = 0;
                rejectedPackets = 0;
            }
            damagedFrames++;
            rejectedPackets += rejected;
            alarm.hold(damagedSince, s.endSeconds());
        } else if (!Double.isNaN(damagedSince)) {
            damagedSince = Double.NaN;
            alarm.clear(s.ptsSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "decoder reports damaged pictures (%d frames, %d packets rejected)",
                damagedFrames, rejectedPackets);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("damagedFrames", (double) damagedFrames);
        out.put("rejectedPackets", (double) rejectedPackets);
    }
}
