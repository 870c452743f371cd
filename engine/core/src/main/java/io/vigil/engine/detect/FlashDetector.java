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
 * General flashes, after ITU-R BT.1702: more than {@code maxOpposingChanges} (3) opposing large luminance changes
 * within one second. A change is large when the picture's luminance, taken as a 100 cd/m2 display would show the
 * frame's mean luma (BT.1886 gamma 2.4), moves by at least {@code changeCdm2} (20 cd/m2) from one frame to the next,
 * and opposing when its direction differs from the previous large change. Whole-frame means see flashes that cover
 * most of the screen; BT.1702's 25%-of-the-screen flashes need per-region statistics, which come later.
 */
public final class FlashDetector extends AlarmingDetector {
    public static final String NAME = "flash";

    /** BT.1702: more than three opposing changes of 20 cd/m2 within one second; the condition spans that second. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 140)
                    .describe("flashing", """
                            general flashes after ITU-R BT.1702: more than `maxOpposingChanges` opposing changes of
                            at least `changeCdm2` in the picture's luminance (frame mean luma as a 100 cd/m2 display
                            shows it) within one second. Whole-frame means: flashes over most of the screen""")
                    .alarm(Severity.WARNING, 0.0, 1.0)
                    .parameter(ParamSpec.number("changeCdm2", 20, 1, 100, "cd/m2",
                            "smallest change of the picture's luminance that counts as a flash's"))
                    .parameter(ParamSpec.integer("maxOpposingChanges", 3, 1, 50, "",
                            "most opposing changes within one second that are not yet flashing"))
                    .reads(Statistic.LUMA)
                    .evidence(Evidence.CONDITION_START)
                    .factory(c -> new FlashDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private static final double WINDOW_SECONDS = 1.0;
    private static final double DISPLAY_PEAK_CDM2 = 100;
    private static final int MAX_CHANGES = 64;

    private final double changeCdm2;
    private final int maxOpposingChanges;
    /** Times of the opposing changes within the last second, as a ring. */
    private final double[] changes = new double[MAX_CHANGES];
    private int first;
    private int count;
    private double previousLuminance = Double.NaN;
    private int lastDirection;
    private double lastChangeSeconds = Double.NaN;
    private int mostInWindow;

    public FlashDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.changeCdm2 = settings.number("changeCdm2");
        this.maxOpposingChanges = (int) settings.number("maxOpposingChanges");
    }

    @Override
    public void onVideo(FrameStats s) {
        double luminance = luminance(s.lumaMean, s.bitDepth);
        if (!Double.isNaN(previousLuminance)) {
            double delta = luminance - previousLuminance;
            if (Math.abs(delta) >= changeCdm2) {
                int direction = delta > 0 ? 1 : -1;
                if (direction != lastDirection) {
                    push(s.ptsSeconds);
                    lastDirection = direction;
                }
            }
        }
        previousLuminance = luminance;
        while (count > 0 && s.ptsSeconds - changes[first] > WINDOW_SECONDS) {
            first = (first + 1) % MAX_CHANGES;
            count--;
        }
        if (count > maxOpposingChanges) {
            mostInWindow = Math.max(mostInWindow, count);
            alarm.hold(changes[first], s.endSeconds());
        } else {
            // The window outlives the flashing by up to a second: the hazard ended with its last change.
            alarm.clear(Double.isNaN(lastChangeSeconds) ? s.ptsSeconds : Math.min(s.ptsSeconds, lastChangeSeconds));
        }
    }

    private void push(double t) {
        if (count == MAX_CHANGES) {
            first = (first + 1) % MAX_CHANGES;
            count--;
        }
        changes[(first + count) % MAX_CHANGES] = t;
        count++;
        lastChangeSeconds = t;
    }

    /** cd/m2 on a 100 cd/m2 display for a mean luma code value (limited range). */
    static double luminance(double lumaMean, int bitDepth) {
        double scale = 1 << (bitDepth - 8);
        double v = Math.clamp((lumaMean / scale - 16) / 219, 0, 1);
        return DISPLAY_PEAK_CDM2 * Math.pow(v, 2.4);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "%d opposing luminance changes within 1 s (more than %d is a flash hazard)",
                mostInWindow, maxOpposingChanges);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("opposingChangesPerSecond", (double) mostInWindow);
    }
}
