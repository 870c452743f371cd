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
 * blackdetect: a frame is black when at least {@code pictureThreshold} of its luma samples are at or below the
 * pixel threshold; black from the first such frame to the first frame that is not.
 */
public final class BlackDetector extends FrameRunDetector {
    public static final String NAME = "black";

    /**
     * blackdetect's defaults (d=2 pic_th=0.98 pix_th=0.10). Black explains a still picture: freeze stays quiet while
     * black holds; with silence it makes signal_loss.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 10)
                    .describe("picture black", """
                            at least `pictureThreshold` of the luma samples are at or below the black level: `16 +
                            pixelThreshold * 219` (limited range) or `pixelThreshold * 255` (full range), scaled to
                            the bit depth (blackdetect)""")
                    .alarm(Severity.CRITICAL, 2.0, 0.0)
                    .parameter(ParamSpec.number("pictureThreshold", 0.98, 0, 1, "",
                            "share of dark samples that makes a frame black"))
                    .parameter(ParamSpec.number("pixelThreshold", 0.10, 0, 1, "",
                            "black level as a share of the luma range above black"))
                    .reads(StatisticRead.of(Statistic.LUMA)
                            .setting(StatisticParameter.DARK_LEVEL, NAME, "pixelThreshold"))
                    .evidence(Evidence.darkRun("pictureThreshold"))
                    .explains(FreezeDetector.NAME)
                    .factory(c -> new BlackDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double pictureThreshold;
    private double minDarkRatio;
    private double maxLumaMean;

    public BlackDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.pictureThreshold = settings.number("pictureThreshold");
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.darkFraction >= pictureThreshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        minDarkRatio = s.darkFraction;
        maxLumaMean = s.lumaMean;
    }

    @Override
    protected void track(FrameStats s) {
        minDarkRatio = Math.min(minDarkRatio, s.darkFraction);
        maxLumaMean = Math.max(maxLumaMean, s.lumaMean);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "picture black for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("darkRatio", minDarkRatio);
        out.put("lumaMean", maxLumaMean);
    }
}
