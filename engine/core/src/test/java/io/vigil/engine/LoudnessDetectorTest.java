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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loudness alarm on clips made with FFmpeg (stereo, 48 kHz, 16-bit PCM), with the default settings: R 128's
 * -23 LUFS +-5 LU (too loud on the short-term value, too quiet on the programme loudness of the last 30 s), 10 s to
 * raise, 3 s to clear, a -1 dBTP ceiling.
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
        silentStretch = dir.resolve("silent.wav");
        over = dir.resolve("over.wav");
        CompletableFuture.allOf(
                make(loudStretch, TONE + ",volume=enable='between(t,12,28)':volume=10dB,pan=stereo|c0=c0|c1=c0"),
                make(silentStretch, TONE + ",volume=enable='between(t,10,25)':volume=0,pan=stereo|c0=c0|c1=c0"),
                // 0.3 s at -0.5 dBFS from 20 s: a true peak over the ceiling, far too short for the band.
                make(over, TONE + ",volume=enable='between(t,20,20.3)':volume=22.5dB,pan=stereo|c0=c0|c1=c0")).join();
        // Music-like, normalised to -23 LUFS integrated, as a broadcaster delivers it.
        clean = NaturalAudio.musicLike(dir, "clean", 40, null);
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
        // into it; the short-term value under the band as the silence comes in is not too quiet (the programme, the
        // tone with the silence gated out, is not), and the silence is gated out.
        assertThat(alarms.get(1).end()).isCloseTo(10.0 + 3 * (1 - Math.pow(10, -0.05)), offset(STEP_TOLERANCE));
        // The tone again from 25 s: above -23.5 LUFS once 3 s * 10^-0.05 of it fills the window, to the end.
        assertThat(alarms.get(2).start()).isCloseTo(25.0 + 3 * Math.pow(10, -0.05), offset(STEP_TOLERANCE));
        assertThat(alarms.get(3).end()).isCloseTo(40.0, offset(0.01));
    }

    // Too quiet judges the programme (the last 30 s, gated); too loud the short-term loudness.

    static List<Event.Alarm> resolvedLoudness(Path clip) {
        return loudness(analyze(clip, VigilConfig.defaults())).stream().filter(a -> !a.firing()).toList();
    }

    @Test
    void aPianissimoPassageInsideNormalProgrammeIsNotTooQuiet() throws Exception {
        // 11 s and 20 s passages 25 LU under the programme (short-term about -48 LUFS, where the old short-term floor
        // raised "too quiet" after 10 s): the relative gate leaves them out of every 30 s window that holds programme.
        String passages = "volume=enable='between(t,12,23)+between(t,40,60)':volume=-25dB";
        assertThat(resolvedLoudness(NaturalAudio.musicLike(dir, "pianissimo", 80, passages))).isEmpty();
        // A pianissimo opening: 15 s, then the programme.
        assertThat(resolvedLoudness(NaturalAudio.musicLike(dir, "opening", 60,
                "volume=enable='lt(t,15)':volume=-25dB"))).isEmpty();
        // And 20 s only 10 LU under (-33 LUFS): in the gate, but never most of a window for 10 s.
        assertThat(resolvedLoudness(NaturalAudio.musicLike(dir, "softer", 80,
                "volume=enable='between(t,30,50)':volume=-10dB"))).isEmpty();
    }

    @Test
    void programmeTenLuTooQuietThroughoutIsTooQuiet() throws Exception {
        List<Event.Alarm> alarms = loudness(analyze(NaturalAudio.musicLike(dir, "quiet", 70, "volume=-10dB"),
                VigilConfig.defaults()));
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        // judged once the 30 s window is full, raised 10 s later, to the end
        assertThat(firing.start()).isCloseTo(30.0, offset(STEP_TOLERANCE));
        assertThat(firing.summary()).matches("programme loudness -33\\.\\d LUFS over the last 30 s, for 10\\.0 s, more"
                + " than 5\\.0 LU below the -23\\.0 LUFS target");
        assertThat(firing.metrics().get("programmeLufs")).isCloseTo(-33.0, offset(0.5));
        assertThat(alarms.getLast().end()).isCloseTo(70.0, offset(0.01));
    }

    @Test
    void programmeThatDropsTenLuIsTooQuietOnceItFillsMostOfTheWindow() throws Exception {
        // -23 until 40 s, -33 after: the window's gated loudness falls under -28 LUFS once a share f of it is after
        // the drop, (1 - f) + f / 10 = 10^-0.5: f = 0.76, 22.8 s after the drop.
        double f = (1 - Math.pow(10, -0.5)) / 0.9;
        List<Event.Alarm> alarms = loudness(analyze(NaturalAudio.musicLike(dir, "drop", 90,
                "volume=enable='gte(t,40)':volume=-10dB"), VigilConfig.defaults()));
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        // music-like content swells and ebbs: to within 2 s
        assertThat(alarms.getFirst().start()).isCloseTo(40 + 30 * f, offset(2.0));
    }

    @Test
    void anAdvertBreakTenLuHotIsRaisedWithinAboutTenSeconds() throws Exception {
        List<Event.Alarm> alarms = loudness(analyze(NaturalAudio.musicLike(dir, "advert", 60,
                "volume=enable='between(t,20,35)':volume=10dB"), VigilConfig.defaults()));
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        // out of the band within a second of the break; raised 10 s later (the firing's held time)
        assertThat(firing.start()).isBetween(20.0, 21.0);
        assertThat(firing.summary()).startsWith("short-term loudness").contains("for 10.0 s").contains("above");
        assertThat(alarms.getLast().end()).isBetween(35.0, 38.0);
    }

    @Test
    void aPianissimoPassageInRealMusicIsNotTooQuiet() throws Exception {
        for (int track = 0; track < 3; track++) {
            assertThat(resolvedLoudness(NaturalAudio.music(dir, "pp" + track, track, 60, 70,
                    "volume=enable='between(t,20,31)+between(t,45,65)':volume=-25dB"))).as("track %d", track).isEmpty();
        }
    }

    @Test
    void realMusicTenLuTooQuietIsTooQuietAndTenLuHotIsTooLoud() throws Exception {
        assertThat(loudness(analyze(NaturalAudio.music(dir, "mquiet", 1, 60, 60, "volume=-10dB"),
                VigilConfig.defaults()))).first().satisfies(a -> assertThat(a.summary()).startsWith("programme"));
        assertThat(loudness(analyze(NaturalAudio.music(dir, "madvert", 1, 60, 40,
                "volume=enable='between(t,10,25)':volume=10dB"), VigilConfig.defaults()))).first()
                .satisfies(a -> assertThat(a.start()).isBetween(10.0, 11.5));
    }
}
