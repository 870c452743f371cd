package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.engine.detect.spec.StatisticRead;
import io.vigil.kernels.LoudnessMeter;
import java.util.Locale;
import java.util.Map;

/**
 * EBU R 128 / ATSC A/85 compliance, judged on each side as R 128 judges it. Too loud: the short-term (3 s) loudness
 * stays above {@code target + tolerance} for the raise delay (an advert break or a promo that is hot shows within
 * seconds). Too quiet: the programme loudness, BS.1770's gated integrated loudness of the last
 * {@code quietWindowSeconds} (a sliding window, judged once it is full), stays below {@code target - tolerance} for
 * the raise delay. R 128 sets no short-term floor: a pianissimo passage is part of the programme, and the relative
 * gate (-10 LU under the window's mean) leaves it out as long as normal programme shares the window, so only
 * programme that is quiet as a whole raises it. The true peak going over {@code truePeakCeiling} raises it at once
 * (one over is a violation). Silence is neither: short-term values at or below the absolute gate (-70 LUFS) end a
 * loud stretch, and silent blocks never count in the window; the silence detector reports silence.
 *
 * <p>Hears each 100 ms step of the stream's {@link LoudnessMeter}. A step's condition covers the step, from the end
 * of the step before: a stretch starts at the first step out of the band and ends at the first one back in it. The
 * short-term window trails the audio, so a level change shows after part of the window has filled: for a change of
 * {@code d} LU against a band edge {@code e} LU away, after {@code 3 s * (10^(e/10) - 1) / (10^(d/10) - 1)}, never
 * more than 3 s. The quiet side trails by most of its window: programme that drops by {@code d} LU shows when the
 * share {@code f} of the window after the drop makes {@code (1 - f) + f * 10^(-d/10)} fall under
 * {@code 10^(-e/10)}.
 */
public final class LoudnessDetector extends AlarmingDetector implements LoudnessMeter.StepListener {
    public static final String NAME = "loudness";

    /**
     * EBU R 128: too loud on the short-term loudness over target + tolerance, too quiet on the last 30 s of programme
     * (gated) under target - tolerance, both for 10 s to raise (longer than a loud moment) and 3 s, one short-term
     * window, to clear; true peak at most -1 dBTP (an over raises at once).
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 60)
                    .describe("loudness out of its band", """
                            too loud: the short-term loudness (ITU-R BS.1770-4, 3 s window, every 100 ms) stays
                            above `target` + `tolerance`; too quiet: the programme loudness (BS.1770's gated
                            integrated loudness, -70 LUFS absolute and -10 LU relative gates, of the last
                            `quietWindowSeconds`, judged once that much has been measured) stays below `target` -
                            `tolerance`; either for the raise delay. R 128 sets no short-term floor: a pianissimo
                            passage is programme, and the relative gate leaves it out while normal programme shares
                            the window, so a quiet passage shorter than the window does not raise it and programme
                            that is quiet as a whole does (about `quietWindowSeconds` + `duration` after it went
                            quiet). The true peak (4x oversampled, BS.1770 Annex 2) going over `truePeakCeiling`
                            raises it at once. Silence (at or below -70 LUFS) is neither too loud nor too quiet:
                            it is `silence`'s. Resolves after `clearDelay` (3 s) in the band. The summary carries
                            `"loudness": {"integrated": LUFS, "range": LU, "truePeak": dBTP}` (EBU R 128 /
                            Tech 3342, gated)""")
                    .alarm(Severity.WARNING, 10.0, 3.0)
                    .parameter(ParamSpec.number("target", -23, -70, 0, "LUFS", "target programme loudness (LKFS)")
                            .withNote("EBU R 128; ATSC A/85: -24"))
                    .parameter(ParamSpec.number("tolerance", 5, 0.1, 30, "LU",
                            "how far the loudness may stray from `target` either way (short-term above, programme"
                                    + " below)")
                            .withNote("R 128's largest short-term level for short-form, -18 LUFS, and as far below"))
                    .parameter(ParamSpec.number("truePeakCeiling", -1, -30, 6, "dBTP", "highest true peak allowed"))
                    .parameter(ParamSpec.number("quietWindowSeconds", 30, 10, 3600, "s",
                            "the sliding window of programme loudness that too quiet judges")
                            .withNote("longer than a quiet passage (a pianissimo opening, a pause in a talk show),"
                                    + " short enough to show programme that went quiet within a minute"))
                    .reads(StatisticRead.of(Statistic.LOUDNESS)
                            .setting(StatisticParameter.LOUDNESS_WINDOW, NAME, "quietWindowSeconds"))
                    .factory(c -> new LoudnessDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** What raised the alarm. */
    private enum Cause { TRUE_PEAK, TOO_LOUD, TOO_QUIET }

    /** A step's length: the meter's update interval. */
    private static final double STEP_SECONDS = 0.1;
    private static final double EPSILON_SECONDS = 1e-6;

    private final double target;
    private final double tolerance;
    private final double ceiling;
    private final double raiseDelaySeconds;
    private final double quietWindowSeconds;

    private LoudnessMeter meter;
    private double lastStepEnd = Double.NaN;
    /** Start of the current stretch out of the band; NaN while in it. */
    private double outSince = Double.NaN;
    // What the alarm reports: its cause, the value furthest from the target, the largest true peak.
    private Cause cause = Cause.TOO_LOUD;
    private double extremeShortTerm = Double.NaN;
    private double lowestProgramme = Double.NaN;
    private double peakDuring = Double.NEGATIVE_INFINITY;

    public LoudnessDetector(DetectorSettings settings, AlarmTracker tracker) {
        // The raise delay applies to the band, here; a true peak over the ceiling raises the alarm at once.
        super(NAME, settings.withTiming(0, settings.clearDelaySeconds(), settings.severity()), tracker);
        this.target = settings.number("target");
        this.tolerance = settings.number("tolerance");
        this.ceiling = settings.number("truePeakCeiling");
        this.quietWindowSeconds = settings.number("quietWindowSeconds");
        this.raiseDelaySeconds = settings.durationSeconds();
    }

    @Override
    public void onStep(LoudnessMeter m, double endSeconds) {
        meter = m;
        double start = Double.isNaN(lastStepEnd) || endSeconds - lastStepEnd > 2 * STEP_SECONDS
                || endSeconds <= lastStepEnd ? endSeconds - STEP_SECONDS : lastStepEnd;
        lastStepEnd = endSeconds;
        double shortTerm = m.shortTermLufs();
        double programme = m.slidingIntegratedLufs();
        double peak = m.stepTruePeakDbtp();
        boolean loud = shortTerm > LoudnessMeter.ABSOLUTE_GATE_LUFS && shortTerm - target > tolerance;
        // -infinity (nothing above the gates: silence) is not quiet
        boolean quiet = m.slidingWindowFull() && programme > LoudnessMeter.ABSOLUTE_GATE_LUFS
                && target - programme > tolerance;
        boolean out = loud || quiet;
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
            lowestProgramme = Double.NaN;
            peakDuring = Double.NEGATIVE_INFINITY;
        }
        track(shortTerm, quiet ? programme : Double.NaN, peak);
        boolean bandHeld = out && endSeconds - outSince >= raiseDelaySeconds - EPSILON_SECONDS;
        if (bandHeld || over) {
            if (!wasFiring) {
                cause = !bandHeld ? Cause.TRUE_PEAK : loud ? Cause.TOO_LOUD : Cause.TOO_QUIET;
            }
            alarm.hold(bandHeld ? outSince : start, endSeconds);
        } else {
            alarm.clear(start);
        }
    }

    /**
     * The audio's format changed (a reconnected source, another programme): the meter's windows start again, so the
     * steps are timed afresh and the quiet side waits for its window to fill with the new format; a loud stretch
     * goes on if the new format is loud too.
     */
    @Override
    public void onRestart(LoudnessMeter m, double atSeconds) {
        lastStepEnd = Double.NaN;
    }

    /** The audio cannot be measured from here (the pipeline says so once): what held stops, nothing is judged. */
    @Override
    public void onUnmeasurable(LoudnessMeter m, double atSeconds, String why) {
        lastStepEnd = Double.NaN;
        outSince = Double.NaN;
        alarm.clear(atSeconds);
    }

    private void track(double shortTerm, double programme, double peak) {
        if (shortTerm > LoudnessMeter.ABSOLUTE_GATE_LUFS
                && (Double.isNaN(extremeShortTerm) || Math.abs(shortTerm - target) > Math.abs(extremeShortTerm - target))) {
            extremeShortTerm = shortTerm;
        }
        if (!Double.isNaN(programme) && !(programme >= lowestProgramme)) {
            lowestProgramme = programme;
        }
        peakDuring = Math.max(peakDuring, peak);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(audioEndSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        if (cause == Cause.TRUE_PEAK) {
            return String.format(Locale.ROOT, "true peak %+.1f dBTP over the %+.1f dBTP ceiling", peakDuring, ceiling);
        }
        if (cause == Cause.TOO_QUIET) {
            return String.format(Locale.ROOT, "programme loudness %.1f LUFS over the last %.0f s, for %.1f s, more"
                    + " than %.1f LU below the %.1f LUFS target", lowestProgramme, quietWindowSeconds, heldSeconds,
                    tolerance, target);
        }
        return String.format(Locale.ROOT, "short-term loudness %.1f LUFS for %.1f s, more than %.1f LU %s the "
                + "%.1f LUFS target", extremeShortTerm, heldSeconds, tolerance,
                extremeShortTerm > target ? "above" : "below", target);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        putFinite(out, "shortTermLufs", extremeShortTerm);
        if (cause == Cause.TOO_QUIET) {
            putFinite(out, "programmeLufs", lowestProgramme);
        }
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
