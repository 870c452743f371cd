package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * channel_loss, clipping, phase and dc_offset on stereo clips with each defect injected at a known time (aevalsrc,
 * so to the sample), and a clean programme-like clip that must stay quiet; FFmpeg's astats and aphasemeter are the
 * oracle where they measure the same thing.
 *
 * <p>Tolerances: channel_loss and clipping are placed to the sample by their statistics, so 10 ms (as silence
 * against silencedetect); phase and dc_offset are decided on sliding windows and placed on 0.1 s bins made of whole
 * decoded blocks (one 4096-sample block here), so 0.1 s.
 */
class AudioDetectorsTest {
    static final double SAMPLE_TOLERANCE = 0.010;
    static final double BIN_TOLERANCE = 0.1;
    static final List<String> MINE = List.of("channel_loss", "clipping", "phase", "dc_offset", "silence");

    /** A programme-like mix: a centre of moving tones common to both channels, a tone of each side's own, noise. */
    static final String CENTRE = "(0.2*sin(2*PI*220*t)*(0.7+0.3*sin(2*PI*0.7*t))+0.12*sin(2*PI*330*t)"
            + "+0.08*sin(2*PI*(440+110*floor(mod(2*t,4)))*t))";
    static final String LEFT = "(" + CENTRE + "+0.1*sin(2*PI*523.25*t)+0.03*(2*random(0)-1))";
    /** The right channel's noise takes every other value of the generator, so it is unrelated to the left's. */
    static final String RIGHT = "(" + CENTRE + "+0.1*sin(2*PI*659.25*t)+0.03*(0*random(0)+2*random(0)-1))";

    @TempDir
    static Path dir;
    static final Map<String, Path> clips = new ConcurrentHashMap<>();
    static final Map<String, List<Event>> events = new ConcurrentHashMap<>();

    @BeforeAll
    static void makeAndAnalyseClips() {
        CompletableFuture.allOf(
                // Clean: programme 0-4 s; 4-6 s loud (peak 0.95, unclipped); one 100 Hz half-wave at exactly full
                // scale at 6 s; the centre alone in both channels (mono) to 8 s; unrelated noise in each channel to
                // 10 s; a 100 Hz square wave at -1 dBFS to 12 s.
                make("clean", 12, clean(LEFT), clean(RIGHT).replace("random(0)*2-1", "(0*random(0)+2*random(0)-1)")),
                // The right channel muted 3-7 s, with both channels silent 5.0-5.5 s (a pause, bridged) and 9-12 s
                // (silence, not a lost channel).
                make("loss", 14, "if(" + between(5, 5.5) + "+" + between(9, 12) + ",0," + LEFT + ")",
                        "if(" + between(3, 7) + "+" + between(9, 12) + ",0," + RIGHT + ")"),
                // Hard clipping 4-8 s: four times the gain, clipped at full scale.
                make("clipping", 10, "clip(if(" + between(4, 8) + ",4,1)*" + LEFT + ",-1,1)",
                        "clip(if(" + between(4, 8) + ",4,1)*" + RIGHT + ",-1,1)"),
                // The right channel inverted 2-9 s.
                make("phase", 12, LEFT, "if(" + between(2, 9) + ",-1,1)*" + RIGHT),
                // The same programme in both channels, the right inverted 2-9 s: aphasemeter's case.
                make("phaseMono", 12, LEFT, "if(" + between(2, 9) + ",-1,1)*" + LEFT),
                // +0.05 DC on the left 3-8 s.
                make("dc", 11, LEFT + "+if(" + between(3, 8) + ",0.05,0)", RIGHT)).join();
        for (String name : clips.keySet()) {
            List<Event> out = new ArrayList<>();
            assertThat(Analysis.run(clips.get(name).toString(), name, VigilConfig.defaults(), out::add, null, n -> { }))
                    .isEqualTo(Analysis.Outcome.COMPLETE);
            FfmpegOracleTest.assertFiringThenResolved(out);
            events.put(name, out);
            out.stream().filter(e -> e instanceof Event.Alarm a && !a.firing())
                    .forEach(e -> System.out.println("AudioDetectorsTest " + name + ": " + e));
        }
    }

    static String clean(String programme) {
        return "if(lt(t,4)," + programme + ",if(lt(t,6),1.8*" + programme + ",if(lt(t,6.005),sin(2*PI*100*(t-6)),"
                + "if(lt(t,8)," + CENTRE + ",if(lt(t,10),0.3*(random(0)*2-1),0.891*(2*lt(mod(t,0.01),0.005)-1))))))";
    }

    static String between(double from, double to) {
        return "(gte(t," + from + ")*lt(t," + to + "))";
    }

    static CompletableFuture<Void> make(String name, int seconds, String left, String right) {
        Path out = dir.resolve(name + ".wav");
        clips.put(name, out);
        return CompletableFuture.runAsync(() -> {
            try {
                Ffmpeg.run(List.of("-f", "lavfi",
                        "-i", "aevalsrc=exprs='" + left + "|" + right + "':s=48000:d=" + seconds,
                        "-c:a", "pcm_s16le", out.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The resolved alarms of {@code clip} from the detectors here (and silence). */
    static List<Event.Alarm> resolved(String clip) {
        return events.get(clip).stream()
                .filter(e -> e instanceof Event.Alarm a && !a.firing() && MINE.contains(a.detector()))
                .map(e -> (Event.Alarm) e).toList();
    }

    static Event.Alarm firing(String clip, String detector) {
        return events.get(clip).stream()
                .filter(e -> e instanceof Event.Alarm a && a.firing() && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).findFirst().orElseThrow();
    }

    @Test
    void cleanProgrammeStaysQuiet() {
        assertThat(resolved("clean")).as("%s", events.get("clean")).isEmpty();
    }

    @Test
    void aMutedChannelIsChannelLossAndAllChannelsMutedIsSilence() {
        List<Event.Alarm> alarms = resolved("loss");
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::detector)
                .containsExactlyInAnyOrder("channel_loss", "silence");
        Event.Alarm loss = alarms.stream().filter(a -> a.detector().equals("channel_loss")).findFirst().orElseThrow();
        assertThat(loss.channel()).isEqualTo(1);
        assertThat(loss.dedupKey()).isEqualTo("loss/channel_loss/1");
        assertThat(loss.severity()).isEqualTo("error");
        // The 0.5 s pause of both channels at 5 s is bridged: one alarm over the whole loss.
        assertThat(loss.start()).isCloseTo(3.0, offset(SAMPLE_TOLERANCE));
        assertThat(loss.end()).isCloseTo(7.0, offset(SAMPLE_TOLERANCE));
        assertThat(loss.metrics().get("peakDbfs")).isLessThan(-60.0);
        assertThat(loss.metrics().get("otherPeakDbfs")).isGreaterThan(-10.0);
        assertThat(firing("loss", "channel_loss").start()).isEqualTo(loss.start());
        Event.Alarm silence = alarms.stream().filter(a -> a.detector().equals("silence")).findFirst().orElseThrow();
        assertThat(silence.start()).isCloseTo(9.0, offset(SAMPLE_TOLERANCE));
        assertThat(silence.end()).isCloseTo(12.0, offset(SAMPLE_TOLERANCE));
    }

    @Test
    void hardClippingMatchesAstats() throws Exception {
        List<Event.Alarm> alarms = resolved("clipping");
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::detector).containsExactly("clipping");
        Event.Alarm clip = alarms.getFirst();
        assertThat(clip.channel()).isNull();
        assertThat(clip.start()).isCloseTo(4.0, offset(SAMPLE_TOLERANCE));
        assertThat(clip.end()).isCloseTo(8.0, offset(SAMPLE_TOLERANCE));
        Map<String, Double> m = clip.metrics();
        assertThat(m.get("clippedChannels")).isEqualTo(2.0);
        assertThat(m.get("peakDbfs")).isCloseTo(0.0, offset(0.01));
        // The runs of samples at the peak values (-32768 and 32767), read from the file: the same peak count and
        // flat factor (20 log10 of sum(run^2) / sum(run)) as astats, channel by channel.
        String log = Ffmpeg.run(List.of("-i", clips.get("clipping").toString(), "-af", "astats", "-f", "null", "-"));
        List<List<Integer>> runs = peakRuns(clips.get("clipping"));
        long runsOf3 = 0;
        for (int c = 0; c < 2; c++) {
            List<Integer> r = runs.get(c);
            double count = r.stream().mapToLong(Integer::longValue).sum();
            double squares = r.stream().mapToLong(x -> (long) x * x).sum();
            assertThat(count).isEqualTo(channel(log, c, "Peak count"));
            assertThat(20 * Math.log10(squares / count)).isCloseTo(channel(log, c, "Flat factor"), offset(0.001));
            runsOf3 += r.stream().filter(x -> x >= 3).mapToLong(Integer::longValue).sum();
        }
        // The default counts runs of 3 or more: as many clipped samples as those runs hold, give or take the few
        // samples just below full scale (within 0.01 dB) on the way into a run.
        assertThat(m.get("clippedSamples")).isBetween((double) runsOf3, runsOf3 * 1.01);
    }

    @Test
    void everyClippedSampleMatchesAstatsPeakCount() throws Exception {
        // With runs of 1, every sample at full scale counts, as astats' peak count (samples at the peak value)
        // counts them; its overall figure is the channels' mean.
        var settings = new java.util.LinkedHashMap<>(VigilConfig.defaults().detectors());
        settings.put("clipping", settings.get("clipping").with("minRun", 1.0));
        List<Event> out = new ArrayList<>();
        Analysis.run(clips.get("clipping").toString(), "c", VigilConfig.defaults().withDetectors(settings), out::add,
                null, n -> { });
        Event.Alarm clip = out.stream().filter(e -> e instanceof Event.Alarm a && !a.firing()
                && a.detector().equals("clipping")).map(e -> (Event.Alarm) e).findFirst().orElseThrow();
        String log = Ffmpeg.run(List.of("-i", clips.get("clipping").toString(), "-af", "astats", "-f", "null", "-"));
        double peakCount = 2 * overall(log, "Peak count");
        assertThat(clip.metrics().get("clippedSamples")).isCloseTo(peakCount, offset(0.01 * peakCount));
        assertThat(clip.start()).isCloseTo(4.0, offset(SAMPLE_TOLERANCE));
        assertThat(clip.end()).isCloseTo(8.0, offset(SAMPLE_TOLERANCE));
    }

    @Test
    void anInvertedChannelIsOutOfPhase() {
        List<Event.Alarm> alarms = resolved("phase");
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::detector).containsExactly("phase");
        Event.Alarm phase = alarms.getFirst();
        assertThat(phase.start()).isCloseTo(2.0, offset(BIN_TOLERANCE));
        assertThat(phase.end()).isCloseTo(9.0, offset(BIN_TOLERANCE));
        assertThat(phase.metrics().get("correlation")).isLessThan(-0.7);
    }

    @Test
    void phaseAgreesWithAphasemeter() throws Exception {
        List<Event.Alarm> alarms = resolved("phaseMono");
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::detector).containsExactly("phase");
        // aphasemeter's out-of-phase detection with the same threshold (angle = acos(-0.3)) and duration.
        String log = Ffmpeg.run(List.of("-i", clips.get("phaseMono").toString(), "-af",
                String.format(java.util.Locale.ROOT, "aphasemeter=video=0:phasing=1:angle=%.4f:duration=2",
                        Math.toDegrees(Math.acos(-0.3))), "-f", "null", "-"));
        double start = number(log, "out_phase_start: ([\\d.]+)");
        double end = number(log, "out_phase_end: ([\\d.]+)");
        Event.Alarm phase = alarms.getFirst();
        assertThat(phase.start()).isCloseTo(start, offset(BIN_TOLERANCE));
        assertThat(phase.end()).isCloseTo(end, offset(BIN_TOLERANCE));
        // -1 inside; the bins that straddle 2 s and 9 s, half inverted, pull it up a little.
        assertThat(phase.metrics().get("correlation")).isLessThan(-0.95);
    }

    @Test
    void dcOffsetMatchesAstats() throws Exception {
        List<Event.Alarm> alarms = resolved("dc");
        assertThat(alarms).as("%s", alarms).extracting(Event.Alarm::detector).containsExactly("dc_offset");
        Event.Alarm dc = alarms.getFirst();
        assertThat(dc.channel()).isEqualTo(0);
        assertThat(dc.start()).isCloseTo(3.0, offset(BIN_TOLERANCE));
        assertThat(dc.end()).isCloseTo(8.0, offset(BIN_TOLERANCE));
        // astats' DC offset of the left channel over the offset stretch.
        String log = Ffmpeg.run(List.of("-i", clips.get("dc").toString(), "-af", "atrim=3:8,astats",
                "-f", "null", "-"));
        double astatsDc = number(log, "Channel: 1\\s+\\[[^]]+] DC offset: ([-\\d.]+)");
        assertThat(dc.metrics().get("dcOffset")).isCloseTo(astatsDc, offset(0.002));
    }

    /** Per channel, the lengths of the runs of consecutive samples at the 16-bit peak values. */
    static List<List<Integer>> peakRuns(Path wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            byte[] bytes = in.readAllBytes();
            int channels = in.getFormat().getChannels();
            List<List<Integer>> runs = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                List<Integer> r = new ArrayList<>();
                int run = 0;
                int last = 0;
                for (int i = c * 2; i + 1 < bytes.length; i += 2 * channels) {
                    int v = (short) ((bytes[i] & 0xFF) | (bytes[i + 1] << 8));
                    boolean peak = v == Short.MAX_VALUE || v == Short.MIN_VALUE;
                    if (peak && run > 0 && v == last) {
                        run++;
                    } else {
                        if (run > 0) {
                            r.add(run);
                        }
                        run = peak ? 1 : 0;
                    }
                    last = v;
                }
                if (run > 0) {
                    r.add(run);
                }
                runs.add(r);
            }
            return runs;
        }
    }

    /** A figure of astats' section for channel {@code c} (0-based). */
    static double channel(String log, int c, String what) {
        int from = log.indexOf("Channel: " + (c + 1));
        return number(log.substring(from, log.indexOf("Channel: " + (c + 2)) > 0 ? log.indexOf("Channel: " + (c + 2))
                : log.indexOf("Overall")), Pattern.quote(what) + ": ([-\\d.]+)");
    }

    /** A figure of astats' "Overall" section. */
    static double overall(String log, String what) {
        return number(log.substring(log.indexOf("Overall")), Pattern.quote(what) + ": ([-\\d.]+)");
    }

    static double number(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        assertThat(m.find()).as("%s in\n%s", regex, log).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
