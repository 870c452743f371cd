package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.engine.sink.TextSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loudness alarm on clips made with FFmpeg (stereo, 48 kHz, 16-bit PCM), with the default settings: R 128's
 * -23 LUFS +-5 LU, 10 s to raise, 3 s to clear, a -1 dBTP ceiling.
 *
 * <p>A 1 kHz sine at -23 dBFS in both channels is -23.0 LUFS. Where the level steps up by 10 LU at 12 s and back at
 * 28 s, the 3 s short-term window has crossed the +5 LU band edge once 3 s * (10^0.5 - 1) / (10 - 1) = 0.72 s of
 * the loud part is in it, and is back in the band once less than 0.72 s of it is: the stretch out of the band runs
 * from 12.72 s to 30.28 s, seen at the 100 ms steps of the meter, hence +-0.15 s.
 */
class LoudnessDetectorTest {
    static final double STEP_TOLERANCE = 0.15;

    @TempDir
    static Path dir;
    static Path loudStretch;
    static Path clean;
    static Path silentStretch;
    static Path over;

    /** A 1 kHz sine at -23 dBFS peak (ffmpeg's sine is at 1/8, -18.06 dBFS), both channels. */
    static final String TONE = "sine=f=1000:r=48000:d=40,volume=-4.94dB";

    @BeforeAll
    static void makeClips() throws Exception {
        loudStretch = dir.resolve("loud.wav");
        clean = dir.resolve("clean.wav");
        silentStretch = dir.resolve("silent.wav");
        over = dir.resolve("over.wav");
        Path raw = dir.resolve("music-raw.wav");
        CompletableFuture.allOf(
                make(loudStretch, TONE + ",volume=enable='between(t,12,28)':volume=10dB,pan=stereo|c0=c0|c1=c0"),
                make(silentStretch, TONE + ",volume=enable='between(t,10,25)':volume=0,pan=stereo|c0=c0|c1=c0"),
                // 0.3 s at -0.5 dBFS from 20 s: a true peak over the ceiling, far too short for the band.
                make(over, TONE + ",volume=enable='between(t,20,20.3)':volume=22.5dB,pan=stereo|c0=c0|c1=c0"),
                // Music-like: pink noise, different in each channel, swelling and ebbing, under a chord.
                make(raw, "anoisesrc=color=pink:r=48000:a=0.2:d=40:seed=3[l];"
                        + "anoisesrc=color=pink:r=48000:a=0.2:d=40:seed=5[r];"
                        + "sine=f=220:r=48000:d=40[s1];sine=f=277.2:r=48000:d=40[s2];sine=f=329.6:r=48000:d=40[s3];"
                        + "[s1][s2][s3]amix=inputs=3,tremolo=f=0.25:d=0.4[c];"
                        + "[l][r][c]join=inputs=3:channel_layout=3.0,pan=stereo|c0=c0+0.8*c2|c1=c1+0.8*c2,tremolo=f=0.1:d=0.3")).join();
        // Normalised to -23 LUFS integrated, as a broadcaster delivers it.
        String log = Ffmpeg.run(List.of("-i", raw.toString(), "-af", "ebur128", "-f", "null", "-"));
        Matcher m = Pattern.compile("I:\\s+(-?[\\d.]+) LUFS").matcher(log.substring(log.lastIndexOf("Summary:")));
        assertThat(m.find()).isTrue();
        double gainDb = -23.0 - Double.parseDouble(m.group(1));
        Ffmpeg.run(List.of("-i", raw.toString(), "-af", "volume=" + gainDb + "dB", "-c:a", "pcm_s16le", clean.toString()));
    }

    static CompletableFuture<Void> make(Path out, String graph) {
        return CompletableFuture.runAsync(() -> {
            try {
                Ffmpeg.run(List.of("-filter_complex", graph + "[a]", "-map", "[a]", "-c:a", "pcm_s16le", out.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static List<Event> analyze(Path clip, VigilConfig config) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "l", config, events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events;
    }

    static List<Event.Alarm> loudness(List<Event> events) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("loudness"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void aStretchTenLuTooLoudIsOneAlarm() {
        List<Event> events = analyze(loudStretch, VigilConfig.defaults());
        List<Event.Alarm> alarms = loudness(events);
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        Event.Alarm resolved = alarms.getLast();
        assertThat(firing.severity()).isEqualTo("warning");
        assertThat(firing.start()).isCloseTo(12.72, offset(STEP_TOLERANCE));
        assertThat(resolved.end()).isCloseTo(30.28, offset(STEP_TOLERANCE));
        assertThat(firing.summary()).startsWith("short-term loudness -13.0 LUFS for 10.0 s, more than 5.0 LU above");
        assertThat(firing.metrics().get("shortTermLufs")).isCloseTo(-13.0, offset(0.1));
        assertThat(firing.metrics().get("truePeakDbtp")).isCloseTo(-13.0, offset(0.2));
        assertThat(firing.metrics()).containsKey("integratedLufs");

        Event.Summary summary = (Event.Summary) events.getLast();
        // 16 s at -13 LUFS and 24 s at -23: the relative gate (-10 LU under their mean, about -25 LUFS) keeps both.
        double expected = 10 * Math.log10((16 * 10 + 24) / 40.0) - 23.0;
        assertThat(summary.loudness().get("integrated")).isCloseTo(expected, offset(0.15));
        assertThat(summary.loudness().get("range")).isCloseTo(10.0, offset(1.0));
        assertThat(summary.loudness().get("truePeak")).isCloseTo(-13.0, offset(0.2));
        assertThat(summary.alarms()).containsEntry("loudness", 1);
    }

    @Test
    void aCleanProgrammeAtTheTargetStaysQuiet() throws Exception {
        List<Event> events = analyze(clean, VigilConfig.defaults());
        assertThat(loudness(events)).isEmpty();
        Event.Summary summary = (Event.Summary) events.getLast();
        assertThat(summary.loudness().get("integrated")).isCloseTo(-23.0, offset(0.2));
        assertThat(summary.loudness().get("truePeak")).isLessThan(-1.0);
        // The contract's summary object, and the line for people.
        JsonNode json = new ObjectMapper().readTree(JsonLinesSink.toJson(summary));
        assertThat(json.get("loudness").fieldNames()).toIterable().containsExactly("integrated", "range", "truePeak");
        assertThat(json.get("loudness").get("integrated").asDouble()).isCloseTo(-23.0, offset(0.2));
        assertThat(TextSink.format(summary)).contains("; loudness I -23.");
    }

    @Test
    void silenceIsNotTooQuiet() {
        // 15 s of digital silence: the silence detector's (and its alarm is there), not loudness's.
        List<Event> events = analyze(silentStretch, VigilConfig.defaults());
        assertThat(loudness(events)).isEmpty();
        assertThat(events).filteredOn(e -> e instanceof Event.Alarm a && a.detector().equals("silence")).isNotEmpty();
        Event.Summary summary = (Event.Summary) events.getLast();
        // Silence is gated out: the integrated loudness is the tone's.
        assertThat(summary.loudness().get("integrated")).isCloseTo(-23.0, offset(0.1));
    }

    @Test
    void aTruePeakOverTheCeilingRaisesAtOnce() {
        List<Event.Alarm> alarms = loudness(analyze(over, VigilConfig.defaults()));
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        assertThat(firing.start()).isCloseTo(20.0, offset(STEP_TOLERANCE));
        assertThat(alarms.getLast().end()).isCloseTo(20.3, offset(STEP_TOLERANCE));
        // -0.5 dBFS, and a little more where the level switches.
        assertThat(firing.summary()).matches("true peak -0\\.[3-5] dBTP over the -1\\.0 dBTP ceiling");
        assertThat(firing.metrics().get("truePeakDbtp")).isCloseTo(-0.5, offset(0.2));
    }

    @Test
    void atscTargetAndANarrowBandAreConfigurable() {
        // A/85's -24 LKFS with +-0.5 LU: the -23 LUFS tone is 1 LU too loud from the start.
        VigilConfig atsc = ConfigLoader.parse("atsc.yaml", """
                detectors:
                  loudness:
                    target: -24
                    tolerance: 0.5
                    duration: 5
                    severity: error
                """);
        List<Event.Alarm> alarms = loudness(analyze(silentStretch, atsc));
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved", "firing", "resolved");
        assertThat(alarms.getFirst().severity()).isEqualTo("error");
        assertThat(alarms.getFirst().start()).isCloseTo(0.0, offset(STEP_TOLERANCE));
        // Until the short-term value falls into the band (-23.5 LUFS) as the silence comes in, 3 s * (1 - 10^-0.05)
        // into it; then too quiet for less than 5 s, until the silence fills the window and is gated out.
        assertThat(alarms.get(1).end()).isCloseTo(10.0 + 3 * (1 - Math.pow(10, -0.05)), offset(STEP_TOLERANCE));
        // The tone again from 25 s: above -23.5 LUFS once 3 s * 10^-0.05 of it fills the window, to the end.
        assertThat(alarms.get(2).start()).isCloseTo(25.0 + 3 * Math.pow(10, -0.05), offset(STEP_TOLERANCE));
        assertThat(alarms.get(3).end()).isCloseTo(40.0, offset(0.01));
    }
}
