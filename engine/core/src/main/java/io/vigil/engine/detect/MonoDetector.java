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
 * Dual mono: a stereo programme whose two channels (0 and 1, front left and right) carry the same signal, as FFmpeg's
 * aphasemeter detects mono with {@code phasing=1}. Each decoded block is judged on its own, as aphasemeter judges each
 * frame: its phase {@code 2 * sum(L*R) / (sum(L^2) + sum(R^2))} is 1 for identical channels, lower for channels that
 * differ in shape or level (unrelated ones about 0, one inverted -1), and the block is mono when the phase is at least
 * {@code 1 - tolerance}. Unlike aphasemeter, which averages the phase of each sample and counts a silent sample as
 * mono, the sums weigh samples by their energy, and a block whose louder channel stays below {@code level} (silence,
 * a pause between words) is not judged: it neither starts dual mono nor ends it, unless such blocks last as long as
 * the raise delay, which ends it where the last mono block ended. Dual mono runs from the first mono block to the
 * first block judged not mono (aphasemeter's {@code mono_start} and {@code mono_end}); a source with one channel has
 * nothing to compare and is never dual mono.
 */
public final class MonoDetector extends AlarmingDetector {
    public static final String NAME = "mono";
    /** Media times are compared to the microsecond, as the alarms do. */
    private static final double EPSILON_SECONDS = 1e-6;

    /**
     * aphasemeter's duration (2 s); its tolerance is 0 (the channels bit-identical), here 0.001: the difference 30 dB
     * below the channels, which still catches dual mono a lossy codec left a few bits apart, far from any stereo mix.
     * Off by default: see the description.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 95)
                    .describe("left and right the same (dual mono)", """
                            channels 0 and 1 (front left and right) carry the same signal: the phase of a decoded
                            block, `2 * sum(L*R) / (sum(L^2) + sum(R^2))` (aphasemeter's mono measure, weighted by
                            energy), is at least `1 - tolerance`, from the first such block to the first block that
                            is not (FFmpeg's `aphasemeter=phasing=1` `mono_start`, `mono_end`). Blocks whose louder
                            channel is below `level` (silence, pauses) are not judged, so silence is never dual
                            mono; pauses shorter than the raise delay are bridged. A one-channel source is never
                            dual mono. Metrics `phase` (over the run), `sideDb` (the difference L-R against the
                            channels). Off unless enabled: a 2.0 service carrying one signal twice has lost its
                            stereo (a mono feed patched to both legs), but much legitimate programme is produced in
                            mono and carried as dual mono (news, speech, archive), which no measure of the signal
                            tells apart; turn it on for channels whose programme is stereo""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .offByDefault()
                    .parameter(ParamSpec.number("tolerance", 0.001, 0, 1, "",
                            "how far below 1 a block's phase may be for its channels to count as the same"
                                    + " (aphasemeter's `tolerance`)")
                            .withNote("the difference 30 dB below the channels; near-mono speech with room sound is"
                                    + " 0.01 and more"))
                    .parameter(ParamSpec.level("level", "-50dB",
                            "RMS the louder of channels 0 and 1 must reach for a block to be judged"))
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new MonoDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double minPhase;
    private final double floor;
    private final double bridgeSeconds;
    /** Start of the dual mono held now, NaN when none; where its last mono block ended. */
    private double since = Double.NaN;
    private double lastMonoEnd = Double.NaN;
    // Sums over the run, for its metrics: L*R, L^2 + R^2.
    private double runProduct;
    private double runEnergy;

    public MonoDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.minPhase = 1 - settings.number("tolerance");
        double level = settings.amplitude("level");
        this.floor = level * level;
        this.bridgeSeconds = settings.durationSeconds();
    }

    @Override
    public void onAudio(AudioStats s) {
        if (s.channels < 2) {
            end();
            return;
        }
        // Time going back by more than a block (container timestamps, rounded to the millisecond, jitter by less),
        // or a gap as long as the raise delay: the run ended where it was last seen.
        double blockSeconds = (double) s.samples / s.sampleRate;
        if (!Double.isNaN(since) && (s.ptsSeconds < lastMonoEnd - blockSeconds
                || s.ptsSeconds - lastMonoEnd >= bridgeSeconds - EPSILON_SECONDS)) {
            end();
        }
        double product = s.sumProduct01;
        double energy = s.sumSquares[0] + s.sumSquares[1];
        boolean judged = Math.max(s.sumSquares[0], s.sumSquares[1]) >= floor * s.samples && energy > 0;
        if (judged && 2 * product >= minPhase * energy) {
            if (Double.isNaN(since)) {
                since = s.ptsSeconds;
                runProduct = 0;
                runEnergy = 0;
            }
            runProduct += product;
            runEnergy += energy;
            lastMonoEnd = s.endSeconds();
            alarm.hold(since, lastMonoEnd);
        } else if (judged || !Double.isNaN(since) && s.endSeconds() - lastMonoEnd >= bridgeSeconds - EPSILON_SECONDS) {
            end();
        }
    }

    /** Dual mono ended with the last mono block. */
    private void end() {
        if (!Double.isNaN(since)) {
            alarm.clear(lastMonoEnd);
            since = Double.NaN;
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        end();
        alarm.finish(audioEndSeconds);
    }

    private double phase() {
        return runEnergy > 0 ? 2 * runProduct / runEnergy : 0;
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "left and right carry the same signal (dual mono) for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("phase", phase());
        // 1 - phase is the energy of L-R over that of L and R.
        out.put("sideDb", 10 * Math.log10(Math.max(1 - phase(), 1e-12)));
    }
}
