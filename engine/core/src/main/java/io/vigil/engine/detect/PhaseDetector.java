package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.AudioStats;
import java.util.Locale;
import java.util.Map;

/**
 * Left and right out of phase: the normalised correlation of channels 0 and 1, {@code sum(L*R) / sqrt(sum(L*L) *
 * sum(R*R))} as a correlation meter shows it, over a sliding 400 ms window, below {@code correlation} while both
 * channels are above {@code level} (RMS over the window). Identical channels give +1, unrelated ones about 0, one
 * channel inverted -1. One alarm for the pair; it watches only channels 0 and 1 (front left and right), and nothing
 * with fewer than two channels. The window slides by 0.1 s bins, and the start and end are placed on those bins.
 */
public final class PhaseDetector extends AlarmingDetector implements BinnedCondition.Judge {
    public static final String NAME = "phase";

    /** Correlation over 400 ms below -0.3 (well clear of wide stereo near 0), both channels above -50 dBFS. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 90)
                    .describe("left and right out of phase", """
                            channels 0 and 1 (front left and right) out of phase: their correlation `sum(L*R) /
                            sqrt(sum(L^2) * sum(R^2))` over a sliding 400 ms window stays below `correlation` while
                            both are above `level` RMS. Identical channels give +1, unrelated ones about 0 (neither
                            is out of phase), one inverted -1. Start and end to about 0.1 s. Metrics `correlation`,
                            `minCorrelation`""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.number("correlation", -0.3, -1, 1, "",
                            "correlation of channels 0 and 1 below which they are out of phase"))
                    .parameter(ParamSpec.level("level", "-50dB",
                            "RMS each of the two channels must reach for phase to be judged"))
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new PhaseDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    static final double BIN_SECONDS = 0.1;
    static final double WINDOW_SECONDS = 0.4;
    /** Bins kept: the window, and as long again twice to look back for where the inversion began. */
    private static final int KEPT_BINS = 20;
    private static final int PRODUCT = 0;
    private static final int LEFT = 1;
    private static final int RIGHT = 2;

    private final double threshold;
    private final double level;
    private final AudioBins bins = new AudioBins(BIN_SECONDS, 3, KEPT_BINS);
    private final BinnedCondition condition = new BinnedCondition(0);
    private double runProduct;
    private double runLeft;
    private double runRight;
    private double lowest;

    public PhaseDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("correlation");
        this.level = settings.amplitude("level");
    }

    @Override
    public void onAudio(AudioStats s) {
        if (s.channels < 2) {
            condition.interrupt(alarm);
            return;
        }
        if (bins.begin(s)) {
            condition.interrupt(alarm);
        }
        bins.add(PRODUCT, s.sumProduct01);
        bins.add(LEFT, s.sumSquares[0]);
        bins.add(RIGHT, s.sumSquares[1]);
        int window = bins.closeIfFull() ? bins.windowBins(WINDOW_SECONDS) : 0;
        if (window == 0) {
            return;
        }
        double samples = bins.windowSamples(window);
        double left = bins.sum(LEFT, window);
        double right = bins.sum(RIGHT, window);
        double r = correlation(bins.sum(PRODUCT, window), left, right);
        boolean bad = outOfPhase(r, left / samples, right / samples);
        condition.update(bad, window, bins, this, alarm);
        if (bad) {
            lowest = Math.min(lowest, r);
        }
    }

    private boolean outOfPhase(double r, double leftMeanSquare, double rightMeanSquare) {
        double floor = level * level;
        return r < threshold && leftMeanSquare > floor && rightMeanSquare > floor;
    }

    private static double correlation(double product, double left, double right) {
        double norm = Math.sqrt(left * right);
        return norm > 0 ? product / norm : 0;
    }

    @Override
    public boolean bad(int age, int channel) {
        double n = bins.samples(age);
        double left = bins.value(age, LEFT);
        double right = bins.value(age, RIGHT);
        return outOfPhase(correlation(bins.value(age, PRODUCT), left, right), left / n, right / n);
    }

    @Override
    public void started(int channel) {
        runProduct = 0;
        runLeft = 0;
        runRight = 0;
        lowest = 1;
    }

    @Override
    public void joined(int age, int channel) {
        runProduct += bins.value(age, PRODUCT);
        runLeft += bins.value(age, LEFT);
        runRight += bins.value(age, RIGHT);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(audioEndSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "left and right out of phase (correlation %.2f) for %.1f s",
                correlation(runProduct, runLeft, runRight), heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("correlation", correlation(runProduct, runLeft, runRight));
        out.put("minCorrelation", lowest);
    }
}
