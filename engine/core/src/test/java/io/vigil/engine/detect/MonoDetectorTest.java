package io.vigil.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.Analysis;
import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mono against FFmpeg's aphasemeter ({@code phasing=1}: {@code mono_start}, {@code mono_end}, its default duration of
 * 2 s) on stereo clips made with aevalsrc, dual mono at known times inside real stereo: two tones, music-like chords,
 * and a speech-like voice with pauses; and quiet on real stereo, near-mono speech (one voice over different room
 * sound), silence and a one-channel source. Both judge each decoded block (1024 samples at 48 kHz, in Matroska,
 * whose timestamps are rounded to the millisecond), so they agree to the millisecond; half a block is allowed.
 */
class MonoDetectorTest {
    static final double BLOCK_TOLERANCE = 512 / 48000.0;
    static final VigilConfig MONO_ON = ConfigLoader.parse("mono.yaml", "detectors:\n  mono:\n    enabled: true\n");

    static final String TONE_L = "0.3*sin(2*PI*440*t)";
    static final String TONE_R = "0.3*sin(2*PI*660*t)";
    /** Chords that change every half second, different in each channel. */
    static final String MUSIC_L = "(0.15*sin(2*PI*196*t)*(0.6+0.4*sin(2*PI*0.5*t))+0.1*sin(2*PI*293.66*t)"
            + "+0.08*sin(2*PI*(392+98*floor(mod(2*t,4)))*t))";
    static final String MUSIC_R = "(0.15*sin(2*PI*246.94*t)*(0.6+0.4*cos(2*PI*0.5*t))+0.1*sin(2*PI*329.63*t)"
            + "+0.08*sin(2*PI*(523.25-65*floor(mod(2*t,4)))*t))";
    /**
     * A voice: three harmonics of a 120 Hz pitch that wavers, in syllables of 0.25 s with 0.25 s of silence between
     * them (exact zeros); voiced at whole seconds.
     */
    static final String VOICE = "max(0,cos(4*PI*t))*(0.25*sin(2*PI*120*t+3*sin(2*PI*3*t))"
            + "+0.12*sin(4*PI*120*t+6*sin(2*PI*3*t))+0.06*sin(6*PI*120*t+9*sin(2*PI*3*t)))";
    /** Another voice, higher, its syllables a quarter period later. */
    static final String OTHER_VOICE = "max(0,sin(4*PI*t))*(0.2*sin(2*PI*180*t+2*sin(2*PI*4*t))"
            + "+0.1*sin(4*PI*180*t+4*sin(2*PI*4*t)))";

    @TempDir
    static Path dir;
    static final Map<String, Path> clips = new ConcurrentHashMap<>();
    static final Map<String, List<Event.Alarm>> alarms = new ConcurrentHashMap<>();

    @BeforeAll
    static void makeAndAnalyseClips() {
        CompletableFuture.allOf(
                // Dual mono 3-7 s, and 9-10.5 s (shorter than the 2 s raise delay: neither reports it).
                make("tones", 12, TONE_L, "if(" + between(3, 7) + "+" + between(9, 10.5) + "," + TONE_L + "," + TONE_R + ")"),
                make("music", 12, MUSIC_L, "if(" + between(2, 8) + "," + MUSIC_L + "," + MUSIC_R + ")"),
                // One voice in both channels 3-8 s, its pauses (silent in both) inside; two voices around it.
                make("speech", 12, VOICE, "if(" + between(3, 8) + "," + VOICE + "," + OTHER_VOICE + ")"),
                make("stereo", 10, MUSIC_L, MUSIC_R),
                // One voice in the centre over room sound of each side's own, 20 dB down: near mono, not dual mono.
                make("nearMono", 10, VOICE + "+0.025*(2*random(0)-1)", VOICE + "+0.025*(0*random(0)+2*random(0)-1)"),
                // Both channels silent 3-8 s: aphasemeter counts silence as mono.
                make("silence", 10, "if(" + between(3, 8) + ",0," + TONE_L + ")",
                        "if(" + between(3, 8) + ",0," + TONE_R + ")"),
                make("oneChannel", 10, VOICE, null)).join();
        clips.entrySet().parallelStream().forEach(c -> {
            List<Event> out = new ArrayList<>();
            assertThat(Analysis.run(c.getValue().toString(), c.getKey(), MONO_ON, out::add, null, n -> { }))
                    .isEqualTo(Analysis.Outcome.COMPLETE);
            List<Event.Alarm> mono = out.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("mono"))
                    .map(e -> (Event.Alarm) e).toList();
            assertThat(mono.stream().filter(Event.Alarm::firing).count()).as("%s", mono)
                    .isEqualTo(mono.stream().filter(a -> !a.firing()).count());
            alarms.put(c.getKey(), mono.stream().filter(a -> !a.firing()).toList());
        });
    }

    static String between(double from, double to) {
        return "(gte(t," + from + ")*lt(t," + to + "))";
    }

    /** 48 kHz 16-bit PCM in Matroska of {@code left} and {@code right}, or of {@code left} alone when right is null. */
    static CompletableFuture<Void> make(String name, int seconds, String left, String right) {
        Path out = dir.resolve(name + ".mkv");
        clips.put(name, out);
        String exprs = right == null ? left : left + "|" + right;
        return CompletableFuture.runAsync(() -> {
            try {
                Ffmpeg.run(List.of("-f", "lavfi", "-i", "aevalsrc=exprs='" + exprs + "':s=48000:d=" + seconds,
                        "-c:a", "pcm_s16le", out.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    record Interval(double start, double end) {
    }

    private static final Pattern START = Pattern.compile("mono_start: ([\\d.]+)");
    private static final Pattern END = Pattern.compile("mono_end: ([\\d.]+)");

    /** What aphasemeter reports as mono in {@code clip}, with its defaults (tolerance 0, duration 2 s). */
    static List<Interval> aphasemeter(String clip) throws Exception {
        String log = Ffmpeg.run(List.of("-i", clips.get(clip).toString(), "-af", "aphasemeter=video=0:phasing=1",
                "-f", "null", "-"));
        List<Interval> out = new ArrayList<>();
        double start = Double.NaN;
        for (String line : log.split("\n")) {
            Matcher m;
            if ((m = START.matcher(line)).find()) {
                start = Double.parseDouble(m.group(1));
            } else if ((m = END.matcher(line)).find()) {
                out.add(new Interval(start, Double.parseDouble(m.group(1))));
            }
        }
        return out;
    }

    static void assertAgreesWithAphasemeter(String clip, double start, double end) throws Exception {
        List<Interval> oracle = aphasemeter(clip);
        assertThat(oracle).as("aphasemeter on %s", clip).singleElement().satisfies(o -> {
            assertThat(o.start()).isCloseTo(start, offset(BLOCK_TOLERANCE));
            assertThat(o.end()).isCloseTo(end, offset(BLOCK_TOLERANCE));
        });
        assertThat(alarms.get(clip)).as("mono on %s", clip).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(oracle.getFirst().start(), offset(BLOCK_TOLERANCE));
            assertThat(a.end()).isCloseTo(oracle.getFirst().end(), offset(BLOCK_TOLERANCE));
            assertThat(a.metrics().get("phase")).isEqualTo(1.0);
            assertThat(a.metrics().get("sideDb")).isEqualTo(-120.0);
            assertThat(a.severity()).isEqualTo("warning");
        });
    }

    @Test
    void twoTonesWithDualMonoBetween() throws Exception {
        assertAgreesWithAphasemeter("tones", 3, 7);
    }

    @Test
    void musicWithDualMonoBetween() throws Exception {
        assertAgreesWithAphasemeter("music", 2, 8);
    }

    @Test
    void oneVoiceInBothChannelsWithItsPausesIsOneStretch() throws Exception {
        assertAgreesWithAphasemeter("speech", 3, 8);
    }

    @Test
    void realStereoAndNearMonoSpeechStayQuiet() throws Exception {
        for (String clip : List.of("stereo", "nearMono")) {
            assertThat(aphasemeter(clip)).as("aphasemeter on %s", clip).isEmpty();
            assertThat(alarms.get(clip)).as("mono on %s", clip).isEmpty();
        }
    }

    @Test
    void silenceIsNotDualMono() throws Exception {
        // aphasemeter takes a silent sample's phase as 1: silence is mono to it.
        assertThat(aphasemeter("silence")).singleElement()
                .satisfies(o -> assertThat(o.start()).isCloseTo(3, offset(BLOCK_TOLERANCE)));
        assertThat(alarms.get("silence")).isEmpty();
    }

    @Test
    void aOneChannelSourceIsNotDualMono() {
        assertThat(alarms.get("oneChannel")).isEmpty();
    }

    @Test
    void offUnlessEnabled() {
        assertThat(VigilConfig.defaults().detectors().get("mono").enabled()).isFalse();
        List<Event> out = new ArrayList<>();
        Analysis.run(clips.get("tones").toString(), "tones", VigilConfig.defaults(), out::add, null, n -> { });
        assertThat(out).noneMatch(e -> e instanceof Event.Alarm a && a.detector().equals("mono"));
    }

    // Rules, on signals made in memory (blocks of 1024 samples).

    static List<Event.Alarm> run(VigilConfig config, int channels, double seconds, AudioDetectorRulesTest.Signal s) {
        return AudioDetectorRulesTest.run(config, channels, seconds, s, "mono");
    }

    static double tone(long n, double hz, double amplitude) {
        return AudioDetectorRulesTest.tone(n, hz, amplitude);
    }

    @Test
    void channelsAFewBitsApartAreTheSameWithinTheTolerance() {
        // Right = left plus a difference 40 dB down, as a lossy codec might leave dual mono.
        AudioDetectorRulesTest.Signal close = (c, n) -> tone(n, 440, 0.3) + (c == 1 ? tone(n, 1234, 0.003) : 0);
        assertThat(run(MONO_ON, 2, 5, close)).singleElement().satisfies(a -> {
            assertThat(a.start()).isZero();
            assertThat(a.end()).isEqualTo(5.0);
            assertThat(a.metrics().get("sideDb")).isCloseTo(-43, offset(1.0));
        });
        VigilConfig exact = ConfigLoader.parse("t.yaml", "detectors:\n  mono: {enabled: true, tolerance: 0}\n");
        assertThat(run(exact, 2, 5, close)).isEmpty();
    }

    @Test
    void theSameSignalAtAnotherLevelIsNotTheSame() {
        // Right at half the left's level: phase 2 * 0.5 / (1 + 0.25) = 0.8, as aphasemeter measures it too.
        assertThat(run(MONO_ON, 2, 5, (c, n) -> tone(n, 440, c == 0 ? 0.4 : 0.2))).isEmpty();
    }

    @Test
    void aPauseShorterThanTheRaiseDelayIsBridgedALongerSilenceEndsIt() {
        double block = 1024 / 48000.0;
        // Dual mono throughout; silent 2-2.5 s (bridged) and 5-8 s (ends it).
        AudioDetectorRulesTest.Signal paused = (c, n) -> AudioDetectorRulesTest.within(n, 2, 2.5)
                || AudioDetectorRulesTest.within(n, 5, 8) ? 0 : tone(n, 440, 0.3);
        List<Event.Alarm> found = run(MONO_ON, 2, 11, paused);
        assertThat(found).hasSize(2);
        AudioDetectorRulesTest.assertInterval(found.get(0), 0, 5, block);
        AudioDetectorRulesTest.assertInterval(found.get(1), 8, 11, block);
    }

    @Test
    void onlyChannelsZeroAndOneAreCompared() {
        // 5.1 with front left and right the same, the others each their own.
        List<Event.Alarm> six = run(MONO_ON, 6, 4, (c, n) -> tone(n, c < 2 ? 440 : 200 + 100 * c, 0.2));
        assertThat(six).singleElement().satisfies(a -> AudioDetectorRulesTest.assertInterval(a, 0, 4, 1e-9));
        assertThat(run(MONO_ON, 1, 4, (c, n) -> tone(n, 440, 0.3))).isEmpty();
    }
}
