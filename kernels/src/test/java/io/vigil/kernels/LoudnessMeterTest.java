package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The meter against the minimum requirements of EBU Tech 3341 (loudness, true peak) and Tech 3342 (loudness range),
 * on signals synthesised as those documents define them, at 44.1 kHz and 48 kHz; and against FFmpeg's ebur128 on a
 * programme-like clip. Tech 3341 cases 1-6, 9 and 15-19 are the documents' own signals; "11-style" and "14-style"
 * are tone ladders of our own timing with the same expected responses (cases 7, 8, 10, 12, 13 and 20-23 need the
 * EBU's recorded or unspecified signals). Tech 3342 cases 1-4 are synthesised; 5 and 6 are recordings.
 */
class LoudnessMeterTest {
    /** Tech 3341: momentary, short-term and integrated loudness within +-0.1 LU. */
    static final double LU_TOLERANCE = 0.1;
    /** Tech 3342: loudness range within +-1 LU. */
    static final double LRA_TOLERANCE = 1.0;

    // ---- EBU Tech 3341 ----

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case1SineAtMinus23(int rate) {
        Run r = new Run(rate, 2).tone(20, -23, -23);
        assertSteady(r, -23.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case2SineAtMinus33(int rate) {
        Run r = new Run(rate, 2).tone(20, -33, -33);
        assertSteady(r, -33.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case3RelativeGateDropsTheQuietEnds(int rate) {
        Run r = new Run(rate, 2).tone(10, -36, -36).tone(60, -23, -23).tone(10, -36, -36);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case4AbsoluteAndRelativeGates(int rate) {
        Run r = new Run(rate, 2).tone(10, -72, -72).tone(10, -36, -36).tone(60, -23, -23).tone(10, -36, -36)
                .tone(10, -72, -72);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case5LevelsAboveTheGate(int rate) {
        Run r = new Run(rate, 2).tone(20, -26, -26).tone(20.1, -20, -20).tone(20, -26, -26);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case6FiveChannelsWeighSurroundsAt1_41(int rate) {
        // L, R, C, Ls, Rs as the EBU file (5.0 in FFmpeg's default order FL FR FC BL BR).
        Run r = new Run(rate, 5).tone(20, -28, -28, -24, -30, -30);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    @Test
    void case6WithASilentLfeAsFiveOne() {
        // The EBU's WAVE_FORMAT_EXTENSIBLE version: L, R, C, LFE (silent), Ls, Rs.
        Run r = new Run(48000, 6).tone(20, -28, -28, -24, Double.NEGATIVE_INFINITY, -30, -30);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
        // A loud LFE does not count.
        Run lfe = new Run(48000, 6).tone(20, -28, -28, -24, -6, -30, -30);
        assertThat(lfe.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    // ---- Per channel (the level meters) ----

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void eachChannelsMomentaryLoudnessIsThatChannelAlone(int rate) {
        // A 1 kHz sine at -20 dBFS peak alone is -23 LUFS (BS.1770: a full-scale 1 kHz sine in one channel is -3.01).
        Run r = new Run(rate, 2).tone(5, -20, Double.NEGATIVE_INFINITY);
        assertThat(r.meter.channels()).isEqualTo(2);
        assertThat(r.meter.channelMomentaryLufs(0)).isCloseTo(-23.0, offset(LU_TOLERANCE));
        assertThat(r.meter.channelMomentaryLufs(1)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.meter.momentaryLufs()).as("the sum, one channel silent").isCloseTo(-23.0, offset(LU_TOLERANCE));
        assertThat(r.meter.channelMomentaryLufs(2)).as("a channel the audio has not").isNaN();
        // the window is 400 ms: half a second after the sine moves to the other channel, the first is silent
        // (but for the K-weighting's decaying tail, far below any meter's floor)
        r.tone(0.5, Double.NEGATIVE_INFINITY, -30);
        assertThat(r.meter.channelMomentaryLufs(0)).isLessThan(-150.0);
        assertThat(r.meter.channelMomentaryLufs(1)).isCloseTo(-33.0, offset(LU_TOLERANCE));
    }

    @Test
    void fiveOneHasSixChannelsEachAtItsOwnLoudnessTheLfeAndSurroundsUnweighted() {
        Run r = new Run(48000, 6).tone(3, -20, -30, -20, -20, -26, Double.NEGATIVE_INFINITY);
        double[] want = {-23, -33, -23, -23, -29, Double.NEGATIVE_INFINITY};
        double weighted = 0;
        double[] weights = LoudnessMeter.defaultChannelWeights(6);
        for (int c = 0; c < 6; c++) {
            double got = r.meter.channelMomentaryLufs(c);
            if (Double.isInfinite(want[c])) {
                assertThat(got).as("channel %d", c).isEqualTo(want[c]);
            } else {
                assertThat(got).as("channel %d", c).isCloseTo(want[c], offset(LU_TOLERANCE));
                weighted += weights[c] * LoudnessMeter.energyOf(got);
            }
        }
        // the programme's momentary loudness is the weighted sum of the same channel figures (the LFE's weight 0)
        assertThat(r.meter.momentaryLufs()).isCloseTo(LoudnessMeter.lufsOf(weighted), offset(0.01));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case9ShortTermIsConstantAfterThreeSeconds(int rate) {
        // 1.34 s at -20 dBFS and 1.66 s at -30 dBFS, five times: every 3 s window holds one of each.
        Run r = new Run(rate, 2);
        for (int i = 0; i < 5; i++) {
            r.tone(1.34, -20, -20).tone(1.66, -30, -30);
        }
        List<double[]> after3 = r.steps.stream().filter(s -> s[0] >= 3.0 - 1e-9).toList();
        assertThat(after3).hasSizeGreaterThan(100);
        assertThat(after3).allSatisfy(s -> assertThat(s[2]).as("S at %.1f s", s[0]).isCloseTo(-23.0,
                offset(LU_TOLERANCE)));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case11StyleMaxShortTermOfEachTone(int rate) {
        // Tones of 3.5 s at -38, -37 ... -19 dBFS, 1 s of silence after each: the largest S of each is its level.
        Run r = new Run(rate, 2);
        double t = 0;
        List<double[]> spans = new ArrayList<>();
        for (int level = -38; level <= -19; level++) {
            r.tone(3.5, level, level).tone(1.0, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
            spans.add(new double[] {t, t + 4.5, level});
            t += 4.5;
        }
        for (double[] span : spans) {
            double max = r.steps.stream().filter(s -> s[0] > span[0] + 1e-9 && s[0] <= span[1] + 1e-9)
                    .mapToDouble(s -> s[2]).max().orElseThrow();
            assertThat(max).as("max S of the %.0f dBFS tone", span[2]).isCloseTo(span[2], offset(LU_TOLERANCE));
        }
        assertThat(r.meter.maxShortTermLufs()).isCloseTo(-19.0, offset(LU_TOLERANCE));
    }

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void case14StyleMaxMomentaryOfEachTone(int rate) {
        // Tones of 0.6 s at -38 ... -19 dBFS, 0.4 s of silence after each: the largest M of each is its level.
        Run r = new Run(rate, 2);
        double t = 0;
        List<double[]> spans = new ArrayList<>();
        for (int level = -38; level <= -19; level++) {
            r.tone(0.6, level, level).tone(0.4, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
            spans.add(new double[] {t, t + 1.0, level});
            t += 1.0;
        }
        for (double[] span : spans) {
            double max = r.steps.stream().filter(s -> s[0] > span[0] + 1e-9 && s[0] <= span[1] + 1e-9)
                    .mapToDouble(s -> s[1]).max().orElseThrow();
            assertThat(max).as("max M of the %.0f dBFS tone", span[2]).isCloseTo(span[2], offset(LU_TOLERANCE));
        }
        assertThat(r.meter.maxMomentaryLufs()).isCloseTo(-19.0, offset(LU_TOLERANCE));
    }

    /** Tech 3341 cases 15-19: sines at fs/4, fs/6, fs/8 whose peaks fall between samples. */
    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void cases15To19TruePeak(int rate) {
        // {frequency as a fraction of fs, phase in degrees, peak amplitude in dBFS, expected dBTP}
        double[][] cases = {
                {1 / 4.0, 0, -6.0206, -6.0},      // 15
                {1 / 4.0, 45, -6.0206, -6.0},     // 16: samples at -9.03 dBFS
                {1 / 6.0, 60, -6.0206, -6.0},     // 17
                {1 / 8.0, 67.5, -6.0206, -6.0},   // 18
                {1 / 4.0, 45, 3.0103, 3.0}};      // 19: samples at 0 dBFS, true peak +3 dBTP
        for (double[] c : cases) {
            LoudnessMeter m = new LoudnessMeter();
            int n = rate;
            float[] x = new float[n];
            double a = Math.pow(10, c[2] / 20);
            int fade = rate / 50;
            for (int i = 0; i < n; i++) {
                // A 20 ms raised-cosine fade-in: a sine switched on at full level is not band-limited, and its
                // reconstruction overshoots the steady peak being tested.
                double gain = i < fade ? 0.5 - 0.5 * Math.cos(Math.PI * i / fade) : 1;
                x[i] = (float) (gain * a * Math.sin(2 * Math.PI * c[0] * i + Math.toRadians(c[1])));
            }
            m.process(new float[][] {x, x.clone()}, n, rate, 0);
            System.out.printf("Tech 3341 true peak at %d Hz, fs*%.3f, %.1f deg: %.2f dBTP (expected %.1f)%n", rate, c[0],
                    c[1], m.truePeakDbtp(), c[3]);
            assertThat(m.truePeakDbtp()).as("fs*%.3f at %.1f deg", c[0], c[1]).isBetween(c[3] - 0.4, c[3] + 0.2);
        }
    }

    // ---- EBU Tech 3342 ----

    @ParameterizedTest
    @ValueSource(ints = {44100, 48000})
    void tech3342Cases1To4(int rate) {
        assertThat(new Run(rate, 2).tone(20, -20, -20).tone(20, -30, -30).meter.loudnessRangeLu())
                .as("case 1").isCloseTo(10, offset(LRA_TOLERANCE));
        assertThat(new Run(rate, 2).tone(20, -20, -20).tone(20, -15, -15).meter.loudnessRangeLu())
                .as("case 2").isCloseTo(5, offset(LRA_TOLERANCE));
        assertThat(new Run(rate, 2).tone(20, -40, -40).tone(20, -20, -20).meter.loudnessRangeLu())
                .as("case 3").isCloseTo(20, offset(LRA_TOLERANCE));
        assertThat(new Run(rate, 2).tone(20, -50, -50).tone(20, -35, -35).tone(20, -20, -20).tone(20, -35, -35)
                .tone(20, -50, -50).meter.loudnessRangeLu()).as("case 4").isCloseTo(15, offset(LRA_TOLERANCE));
    }

    // ---- Behaviour ----

    @Test
    void otherRatesAndMono() {
        for (int rate : new int[] {8000, 11025, 16000, 22050, 32000, 88200, 96000, 192000}) {
            Run r = new Run(rate, 2).tone(5, -23, -23);
            assertThat(r.meter.integratedLufs()).as("%d Hz", rate).isCloseTo(-23.0, offset(LU_TOLERANCE));
        }
        // One channel at -23 dBFS carries half the energy of two.
        assertThat(new Run(48000, 1).tone(5, -23).meter.integratedLufs()).isCloseTo(-26.01, offset(LU_TOLERANCE));
    }

    @Test
    void silenceIsMinusInfinityAndStepsAreTimedInMedia() {
        Run r = new Run(48000, 2);
        r.pts = 100.0;
        r.tone(2, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertThat(r.meter.integratedLufs()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.meter.shortTermLufs()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.meter.truePeakDbtp()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.meter.loudnessRangeLu()).isZero();
        assertThat(r.steps).hasSize(20);
        assertThat(r.steps.getFirst()[0]).isCloseTo(100.1, offset(1e-9));
        assertThat(r.steps.getLast()[0]).isCloseTo(102.0, offset(1e-9));
    }

    @Test
    void stepsDoNotDriftAtElevenKilohertz() {
        // 11025 Hz: 100 ms is 1102.5 samples; sub-blocks alternate 1102 and 1103.
        Run r = new Run(11025, 2).tone(60, -23, -23);
        assertThat(r.steps).hasSize(600);
        assertThat(r.steps.getLast()[0]).isCloseTo(60.0, offset(1e-9));
        assertThat(r.steps.get(9)[0]).isCloseTo(1.0, offset(1e-9));
    }

    // ---- The sliding window ----

    /** A run with a sliding window of {@code seconds}, recording {end, sliding I, full (1 or 0)} at each step. */
    static Run sliding(double seconds, List<double[]> out) {
        Run r = new Run(48000, 2);
        r.meter.slidingWindowSeconds(seconds);
        r.meter.addListener((m, end) -> out.add(new double[] {end, m.slidingIntegratedLufs(),
                m.slidingWindowFull() ? 1 : 0}));
        return r;
    }

    @Test
    void theSlidingWindowIsFullAfterItsLengthAndForgetsWhatWentBefore() {
        List<double[]> s = new ArrayList<>();
        // 40 s at -23, then 40 s at -33: a 30 s window holds only the second part from 70 s.
        Run r = sliding(30, s).tone(40, -23, -23).tone(40, -33, -33);
        assertThat(s).filteredOn(v -> v[0] < 30 - 1e-9).allSatisfy(v -> assertThat(v[2]).isZero());
        assertThat(s).filteredOn(v -> v[0] >= 30 - 1e-9).allSatisfy(v -> assertThat(v[2]).isOne());
        assertThat(s).filteredOn(v -> v[0] >= 0.4 - 1e-9 && v[0] <= 40)
                .allSatisfy(v -> assertThat(v[1]).as("at %.1f s", v[0]).isCloseTo(-23.0, offset(LU_TOLERANCE)));
        assertThat(s).filteredOn(v -> v[0] >= 70 - 1e-9)
                .allSatisfy(v -> assertThat(v[1]).as("at %.1f s", v[0]).isCloseTo(-33.0, offset(LU_TOLERANCE)));
        // The programme's integrated loudness remembers both: (40 * 1 + 40 * 0.1) / 80 of -23's energy.
        assertThat(r.meter.integratedLufs()).isCloseTo(-23 + 10 * Math.log10(44 / 80.0), offset(LU_TOLERANCE));
        // Halfway: 15 s of each; -33 is within 10 LU of their mean, so both count.
        double[] at55 = s.stream().filter(v -> Math.abs(v[0] - 55) < 1e-6).findFirst().orElseThrow();
        assertThat(at55[1]).isCloseTo(-23 + 10 * Math.log10(1.1 / 2), offset(0.15));
    }

    @Test
    void theSlidingWindowGatesAsBs1770() {
        List<double[]> s = new ArrayList<>();
        // Tech 3341 case 4 in a window of its length: silence and the -36 LUFS parts are gated out.
        Run r = sliding(100, s).tone(10, -72, -72).tone(10, -36, -36).tone(60, -23, -23).tone(10, -36, -36)
                .tone(10, -72, -72);
        assertThat(s.getLast()[2]).isOne();
        assertThat(r.meter.slidingIntegratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
        // Only silence in the window: no loudness at all (-infinity), not "quiet".
        r.tone(101, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertThat(r.meter.slidingIntegratedLufs()).isEqualTo(Double.NEGATIVE_INFINITY);
        // A pianissimo passage 25 LU under the programme, 30 s of the window, is gated out.
        r.tone(100, -23, -23).tone(30, -48, -48);
        assertThat(r.meter.slidingIntegratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
    }

    @Test
    void withoutASlidingWindowThereIsNoValue() {
        Run r = new Run(48000, 2).tone(2, -23, -23);
        assertThat(r.meter.slidingIntegratedLufs()).isNaN();
        assertThat(r.meter.slidingWindowFull()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.meter.slidingWindowSeconds(0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- A stream whose format changes ----

    /** Records the meter's restarts and what it could not measure: {at seconds} and {at seconds, why}. */
    static final class Told implements LoudnessMeter.StepListener {
        final List<Double> restarts = new ArrayList<>();
        final List<String> unmeasurable = new ArrayList<>();

        @Override
        public void onStep(LoudnessMeter meter, double endSeconds) {
        }

        @Override
        public void onRestart(LoudnessMeter meter, double atSeconds) {
            restarts.add(atSeconds);
        }

        @Override
        public void onUnmeasurable(LoudnessMeter meter, double atSeconds, String why) {
            unmeasurable.add(atSeconds + " " + why);
        }
    }

    @Test
    void aFormatChangeStartsEveryWindowAgainWithoutMixingTheTwo() {
        List<double[]> s = new ArrayList<>();
        Told told = new Told();
        Run r = sliding(30, s);
        r.meter.addListener(told);
        // 40 s of stereo at 48 kHz, -23 LUFS; then 5.1 at 44.1 kHz, every channel at -33 dBFS: front 1 + 1 + 1,
        // LFE 0, surrounds 1.41 + 1.41 weigh 5.82 against stereo's 2.
        r.tone(40, -23, -23).format(44100, 6).tone(40, -33, -33, -33, -33, -33, -33);
        double fiveOne = -33 + 10 * Math.log10(5.82 / 2);
        assertThat(told.restarts).singleElement().satisfies(at -> assertThat(at).isCloseTo(40.0, offset(1e-9)));
        assertThat(told.unmeasurable).isEmpty();
        // from the first 400 ms of the new format, the momentary value is the new format's alone, and the short-term
        // value from its first 100 ms (over what there is of it)
        assertThat(r.steps).filteredOn(v -> v[0] >= 40.4 - 1e-9)
                .allSatisfy(v -> assertThat(v[1]).as("M at %.1f s", v[0]).isCloseTo(fiveOne, offset(LU_TOLERANCE)));
        assertThat(r.steps).filteredOn(v -> v[0] > 40 + 1e-9)
                .allSatisfy(v -> assertThat(v[2]).as("S at %.1f s", v[0]).isCloseTo(fiveOne, offset(0.5)));
        // the sliding window fills again over 30 s of the new format and holds only it
        assertThat(s).filteredOn(v -> v[0] > 40 + 1e-9 && v[0] < 70 - 1e-9).allSatisfy(v -> assertThat(v[2]).isZero());
        assertThat(s).filteredOn(v -> v[0] >= 40.4 - 1e-9)
                .allSatisfy(v -> assertThat(v[1]).as("at %.1f s", v[0]).isCloseTo(fiveOne, offset(LU_TOLERANCE)));
        assertThat(s.getLast()[2]).isOne();
        // the programme goes on over both: 40 s at -23 and 40 s at fiveOne
        double mean = (Math.pow(10, -23 / 10.0) + Math.pow(10, fiveOne / 10)) / 2;
        assertThat(r.meter.integratedLufs()).isCloseTo(10 * Math.log10(mean), offset(LU_TOLERANCE));
    }

    @Test
    void aSampleRateTheMeterCannotMeasureIsSkippedAndToldOnce() {
        Told told = new Told();
        Run r = new Run(48000, 2);
        r.meter.addListener(told);
        r.tone(5, -23, -23);
        int before = r.steps.size();
        // 2 MHz (a broken or hostile stream): no exception, no step, said once however long it lasts
        r.format(2_000_000, 2).tone(1.5, -23, -23);
        assertThat(r.steps).hasSize(before);
        assertThat(told.unmeasurable).singleElement().asString()
                .startsWith("5.0 ").contains("2000000 Hz").contains("above");
        assertThat(r.meter.momentaryLufs()).isNaN();
        // a measurable format again: measured from scratch, the integrated loudness over both measured parts
        r.format(48000, 2).tone(5, -23, -23);
        assertThat(told.restarts).singleElement().satisfies(at -> assertThat(at).isCloseTo(6.5, offset(1e-9)));
        assertThat(r.steps).hasSize(before + 50);
        assertThat(r.meter.integratedLufs()).isCloseTo(-23.0, offset(LU_TOLERANCE));
        // below 4 kHz the K-weighting is undefined: the same
        r.format(2000, 1).tone(1, -23);
        assertThat(told.unmeasurable).hasSize(2).last().asString().contains("below");
        assertThat(LoudnessMeter.unmeasurableReason(48000)).isNull();
    }

    @Test
    void noAllocationInSteadyState() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        LoudnessMeter m = new LoudnessMeter();
        m.slidingWindowSeconds(30);
        m.addListener((meter, end) -> meter.slidingIntegratedLufs());
        float[][] planes = new float[6][1024];
        for (int c = 0; c < 6; c++) {
            for (int i = 0; i < 1024; i++) {
                planes[c][i] = (float) (0.1 * Math.sin(i * 0.07 * (c + 1)));
            }
        }
        for (int i = 0; i < 2000; i++) {
            m.process(planes, 1024, 48000, i * 1024 / 48000.0);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 2000; i < 4000; i++) {
            m.process(planes, 1024, 48000, i * 1024 / 48000.0);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // 2000 blocks, 42 s of 5.1: nothing per block (a few bytes of slack for the measurement itself).
        assertThat(allocated).isLessThan(1024);
    }

    // ---- FFmpeg's ebur128 as the oracle ----

    @TempDir
    Path dir;

    /** {sample rate, channels}: stereo at 48 kHz (ebur128's own rate), at 44.1 kHz (FFmpeg resamples it to 48 kHz
     * before measuring; vigil measures it as it is), and 5.1 at 48 kHz (FFmpeg weighs channels by its layout). */
    @ParameterizedTest
    @ValueSource(strings = {"48000:2", "44100:2", "48000:6"})
    void agreesWithFfmpegOnAProgrammeLikeClip(String format) throws Exception {
        int rate = Integer.parseInt(format.split(":")[0]);
        int channels = Integer.parseInt(format.split(":")[1]);
        // 30 s of pink noise (independent per channel) with a tone in front, in four levels, then a quiet end.
        StringBuilder graph = new StringBuilder();
        StringBuilder noise = new StringBuilder();
        for (int c = 0; c < channels; c++) {
            graph.append("anoisesrc=color=pink:r=").append(rate).append(":a=0.7:d=30:seed=").append(7 + c)
                    .append("[n").append(c).append("];");
            noise.append("[n").append(c).append("]");
        }
        String layout = channels == 2 ? "stereo" : "5.1";
        StringBuilder pan = new StringBuilder("pan=" + layout);
        for (int c = 0; c < channels; c++) {
            // The tone (input channel `channels`) on the front left and right.
            pan.append("|c").append(c).append("=c").append(c).append(c < 2 ? "+" + (c == 0 ? "0.2" : "0.1") + "*c"
                    + channels : "");
        }
        graph.append(noise).append("join=inputs=").append(channels).append(":channel_layout=").append(layout)
                .append("[n];sine=f=440:r=").append(rate).append(":d=30[t];[n][t]amerge=inputs=2,").append(pan)
                .append(",volume='if(lt(t,8),1,if(lt(t,14),0.25,if(lt(t,22),0.6,if(lt(t,27),1.4,0.1))))':eval=frame[a]");
        Path clip = dir.resolve("programme-" + rate + "-" + channels + ".wav");
        ffmpeg(List.of("-filter_complex", graph.toString(), "-map", "[a]", "-c:a", "pcm_s16le", clip.toString()));
        String log = ffmpeg(List.of("-i", clip.toString(), "-af", "ebur128=peak=true", "-f", "null", "-"));
        double wantI = summaryValue(log, "I:\\s+(-?[\\d.]+) LUFS");
        double wantLra = summaryValue(log, "LRA:\\s+(-?[\\d.]+) LU");
        double wantPeak = summaryValue(log, "Peak:\\s+(-?[\\d.]+) dBFS");

        LoudnessMeter m = new LoudnessMeter();
        Wav wav = Wav.read(clip);
        assertThat(wav.rate).isEqualTo(rate);
        assertThat(wav.channels).hasNumberOfRows(channels);
        int block = 1024;
        float[][] planes = new float[channels][block];
        for (int at = 0; at < wav.samples; at += block) {
            int n = Math.min(block, wav.samples - at);
            for (int c = 0; c < channels; c++) {
                System.arraycopy(wav.channels[c], at, planes[c], 0, n);
            }
            m.process(planes, n, wav.rate, (double) at / wav.rate);
        }
        System.out.printf("%s: ffmpeg ebur128 I %.1f LUFS, LRA %.1f LU, true peak %.1f dBFS; vigil I %.2f, LRA %.2f, "
                + "true peak %.2f%n", format, wantI, wantLra, wantPeak, m.integratedLufs(), m.loudnessRangeLu(),
                m.truePeakDbtp());
        assertThat(m.integratedLufs()).isCloseTo(wantI, offset(0.2));
        assertThat(m.loudnessRangeLu()).isCloseTo(wantLra, offset(1.0));
        assertThat(m.truePeakDbtp()).isCloseTo(wantPeak, offset(0.3));
        assertThat(wantLra).as("the clip has a loudness range").isGreaterThan(3);
        assertThat(wantPeak).as("the clip is hot enough for inter-sample peaks to matter").isGreaterThan(-3);
    }

    private static double summaryValue(String log, String regex) {
        int summary = log.lastIndexOf("Summary:");
        assertThat(summary).as("ffmpeg's ebur128 summary in:%n%s", log).isGreaterThanOrEqualTo(0);
        Matcher m = Pattern.compile(regex).matcher(log.substring(summary));
        assertThat(m.find()).as("%s in:%n%s", regex, log.substring(summary)).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String ffmpeg(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-y"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /** A 16-bit PCM WAV file, as ffmpeg writes it. */
    record Wav(int rate, int samples, float[][] channels) {
        static Wav read(Path path) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
            b.position(12);
            int channels = 0;
            int rate = 0;
            while (b.remaining() >= 8) {
                int id = b.getInt();
                int size = b.getInt();
                int start = b.position();
                if (id == 0x20746d66) { // "fmt "
                    assertThat(b.getShort(start + 14)).as("bits per sample").isEqualTo((short) 16);
                    channels = b.getShort(start + 2);
                    rate = b.getInt(start + 4);
                } else if (id == 0x61746164) { // "data"
                    int n = Math.min(size, b.remaining()) / (2 * channels);
                    float[][] out = new float[channels][n];
                    for (int i = 0; i < n; i++) {
                        for (int c = 0; c < channels; c++) {
                            out[c][i] = b.getShort() / 32768f;
                        }
                    }
                    return new Wav(rate, n, out);
                }
                b.position(start + size + (size & 1));
            }
            throw new IOException("no data chunk in " + path);
        }
    }

    // ---- Helpers ----

    private static void assertSteady(Run r, double lufs) {
        assertThat(r.meter.integratedLufs()).as("I").isCloseTo(lufs, offset(LU_TOLERANCE));
        assertThat(r.meter.momentaryLufs()).as("M").isCloseTo(lufs, offset(LU_TOLERANCE));
        assertThat(r.meter.shortTermLufs()).as("S").isCloseTo(lufs, offset(LU_TOLERANCE));
        assertThat(r.steps).filteredOn(s -> s[0] >= 0.4 - 1e-9)
                .allSatisfy(s -> assertThat(s[1]).as("M at %.1f s", s[0]).isCloseTo(lufs, offset(LU_TOLERANCE)));
        assertThat(r.steps).filteredOn(s -> s[0] >= 3.0 - 1e-9)
                .allSatisfy(s -> assertThat(s[2]).as("S at %.1f s", s[0]).isCloseTo(lufs, offset(LU_TOLERANCE)));
    }

    /**
     * A 1 kHz sine, continuous in phase across level changes, fed to a meter in blocks of awkward sizes; records
     * each step as {end seconds, M, S}.
     */
    static final class Run {
        private static final int[] BLOCK_SIZES = {1024, 4410, 333, 1920, 4096, 77};
        final LoudnessMeter meter = new LoudnessMeter();
        final List<double[]> steps = new ArrayList<>();
        int rate;
        float[][] planes;
        double cos;
        double sin;
        double re = 1;
        double im = 0;
        double pts;
        int blockIndex;

        Run(int rate, int channels) {
            format(rate, channels);
            meter.addListener((m, end) -> steps.add(new double[] {end, m.momentaryLufs(), m.shortTermLufs()}));
        }

        /** From now on the tone comes at {@code rate} Hz in {@code channels} channels (the stream's format changed). */
        Run format(int rate, int channels) {
            this.rate = rate;
            this.planes = new float[channels][4410];
            this.cos = Math.cos(2 * Math.PI * 1000 / rate);
            this.sin = Math.sin(2 * Math.PI * 1000 / rate);
            return this;
        }

        /** {@code seconds} of the tone at a peak level per channel in dBFS (-infinity: silent). */
        Run tone(double seconds, double... dbfs) {
            double[] amplitude = new double[dbfs.length];
            for (int c = 0; c < dbfs.length; c++) {
                amplitude[c] = Math.pow(10, dbfs[c] / 20);
            }
            long total = Math.round(seconds * rate);
            while (total > 0) {
                int n = (int) Math.min(total, BLOCK_SIZES[blockIndex++ % BLOCK_SIZES.length]);
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < amplitude.length; c++) {
                        planes[c][i] = (float) (amplitude[c] * im);
                    }
                    double r = re * cos - im * sin;
                    im = re * sin + im * cos;
                    re = r;
                }
                double norm = 1 / Math.hypot(re, im);
                re *= norm;
                im *= norm;
                meter.process(planes, n, rate, pts);
                pts += (double) n / rate;
                total -= n;
            }
            return this;
        }
    }
}
