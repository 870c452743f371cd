package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.LoudnessMeter;
import java.util.Locale;
import java.util.Map;

/**
 * EBU R 128 / ATSC A/85 compliance: the short-term (3 s) loudness stays outside the band {@code target +-
 * tolerance} for the raise delay, or the true peak goes over {@code truePeakCeiling} (at once: one over is a
 * violation). Silence is neither too loud nor too quiet: short-term values at or below the absolute gate (-70 LUFS)
 * end a stretch, as they do not count towards the programme loudness; the silence detector reports silence.
 *
 * <p>Hears each 100 ms step of the stream's {@link LoudnessMeter}. A step's condition covers the step, from the end
 * of the step before: a stretch starts at the first step whose short-term value is out of the band and ends at the
 * first one back in it. The short-term window trails the audio, so a level change shows after part of the window
 * has filled: for a change of {@code d} LU against a band edge {@code e} LU away, after {@code 3 s * (10^(e/10) -
 * 1) / (10^(d/10) - 1)}, never more than 3 s.
 */
public final class LoudnessDetector extends AlarmingDetector implements LoudnessMeter.StepListener {
    public static final String NAME = "loudness";

    /**
     * EBU R 128: short-term loudness within target +-tolerance LU (10 s to raise: longer than a loud moment; 3 s, one
     * short-term window, to clear), true peak at most -1 dBTP (an over raises at once).
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 60)
                    .describe("loudness out of its band", """
                            the short-term loudness (ITU-R BS.1770-4, 3 s window, every 100 ms) stays outside
                            `target` ± `tolerance`, or the true peak (4x oversampled, BS.1770 Annex 2) goes over
                            `truePeakCeiling` (at once); silence (short-term at or below -70 LUFS) counts as neither
                            too loud nor too quiet. Resolves after `clearDelay` (3 s) in the band. The summary
                            carries `"loudness": {"integrated": LUFS, "range": LU, "truePeak": dBTP}` (EBU R 128 /
                            Tech 3342, gated)""")
                    .alarm(Severity.WARNING, 10.0, 3.0)
                    .parameter(ParamSpec.number("target", -23, -70, 0, "LUFS", "target programme loudness (LKFS)")
                            .withNote("EBU R 128; ATSC A/85: -24"))
                    .parameter(ParamSpec.number("tolerance", 5, 0.1, 30, "LU",
                            "how far the short-term loudness may stray from `target` either way")
                            .withNote("R 128's largest short-term level for short-form, -18 LUFS, and as far below"))
                    .parameter(ParamSpec.number("truePeakCeiling", -1, -30, 6, "dBTP", "highest true peak allowed"))
                    .reads(Statistic.LOUDNESS)
                    .factory(c -> new LoudnessDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** A step's length: the meter's update interval. */
    private static final double STEP_SECONDS = 0.1;
    private static final double EPSILON_SECONDS = 1e-6;

    private final double target;
    private final double tolerance;
    private final double ceiling;
    private final double raiseDelaySeconds;

    private LoudnessMeter meter;
    private double lastStepEnd = Double.NaN;
    /** Start of the current stretch out of the band; NaN while in it. */
    private double outSince = Double.NaN;
    // What the alarm reports: its cause, the short-term value furthest from the target, the largest true peak.
    private boolean peakCaused;
    private double extremeShortTerm = Double.NaN;
    private double peakDuring = Double.NEGATIVE_INFINITY;

    public LoudnessDetector(DetectorSettings settings, AlarmTracker tracker) {
        // The raise delay applies to the band, here; a true peak over the ceiling raises the alarm at once.
        super(NAME, settings.withTiming(0, settings.clearDelaySeconds(), settings.severity()), tracker);
        this.target = settings.number("target");
        this.tolerance = settings.number("tolerance");
        this.ceiling = settings.number("truePeakCeiling");
        this.raiseDelaySeconds = settings.durationSeconds();
    }

    @Override
    public void onStep(LoudnessMeter m, double endSeconds) {
        meter = m;
        double start = Double.isNaN(lastStepEnd) || endSeconds - lastStepEnd > 2 * STEP_SECONDS
                || endSeconds <= lastStepEnd ? endSeconds - STEP_SECONDS : lastStepEnd;
        lastStepEnd = endSeconds;
        double shortTerm = m.shortTermLufs();
        double peak = m.stepTruePeakDbtp();
        boolean out = shortTerm > LoudnessMeter.ABSOLUTE_GATE_LUFS && Math.abs(shortTerm - target) > tolerance;
        boolean over = peak > ceiling;
        boolean wasFiring = alarm.firing();
        boolean stretchStarts = out && Double.isNaN(outSince);
        if (!out) {
            outSince = Double.NaN;
        } else if (stretchStarts) {
            outSince = start;
        }
        if (!wasFiring && (stretchStarts || over && !out)) {
            // A new condition: what the alarm will report starts here.
            extremeShortTerm = Double.NaN;
            peakDuring = Double.NEGATIVE_INFINITY;
        }
        track(shortTerm, peak);
        boolean bandHeld = out && endSeconds - outSince >= raiseDelaySeconds - EPSILON_SECONDS;
        if (bandHeld || over) {
            if (!wasFiring) {
                peakCaused = !bandHeld;
            }
            alarm.hold(bandHeld ? outSince : start, endSeconds);
        } else {
            alarm.clear(start);
        }
    }

    private void track(double shortTerm, double peak) {
        if (shortTerm > LoudnessMeter.ABSOLUTE_GATE_LUFS
                && (Double.isNaN(extremeShortTerm) || Math.abs(shortTerm - target) > Math.abs(extremeShortTerm - target))) {
            extremeShortTerm = shortTerm;
        }
        peakDuring = Math.max(peakDuring, peak);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(audioEndSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        if (peakCaused) {
            return String.format(Locale.ROOT, "true peak %+.1f dBTP over the %+.1f dBTP ceiling", peakDuring, ceiling);
        }
        return String.format(Locale.ROOT, "short-term loudness %.1f LUFS for %.1f s, more than %.1f LU %s the "
                + "%.1f LUFS target", extremeShortTerm, heldSeconds, tolerance,
                extremeShortTerm > target ? "above" : "below", target);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        putFinite(out, "shortTermLufs", extremeShortTerm);
        if (meter != null) {
            putFinite(out, "integratedLufs", meter.integratedLufs());
        }
        putFinite(out, "truePeakDbtp", peakDuring);
    }

    /** JSON has no infinities: a level that has none (silence) is left out. */
    private static void putFinite(Map<String, Double> out, String key, double value) {
        if (Double.isFinite(value)) {
            out.put(key, value);
        }
    }
}
