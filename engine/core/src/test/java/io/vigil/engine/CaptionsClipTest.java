package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * captions: H.264 clips (25 fps) with CEA-608/708 in their A/53 user data ({@link CaptionClips}) that stop, pause,
 * run throughout, are padding only or absent, under a 2 s raise delay; one frame is 0.04 s.
 */
class CaptionsClipTest {
    static final double FRAME = 0.04;
    static final VigilConfig TWO_SECONDS = ConfigLoader.parse("c.yaml", "detectors:\n  captions: {duration: 2}\n");
    static final VigilConfig REQUIRED = ConfigLoader.parse("c.yaml",
            "detectors:\n  captions: {duration: 2, required: true}\n");

    @TempDir
    static Path dir;
    static Path stopsAt4;
    static Path pausesFrom2To5;
    static Path throughout;
    static Path popOn;
    static Path paddingOnly;
    static Path none;
    static Path dtvccStopsAt3;
    static Path dvbSubtitlesStopAt3;
    /** stopsAt4 coded again by ffmpeg's MPEG-2 encoder, which carries A/53 side data over ({@code a53cc}); HEVC. */
    static Path mpeg2StopsAt4;
    static Path hevcStopsAt4;

    @BeforeAll
    static void makeClips() throws Exception {
        byte[] text = CaptionClips.repeat(CaptionClips.CEA608_TEXT, 2);
        stopsAt4 = CaptionClips.write(dir.resolve("stops.ts"), 8, n -> n < 100 ? text : CaptionClips.CEA608_PADDING);
        pausesFrom2To5 = CaptionClips.write(dir.resolve("pauses.mkv"), 8,
                n -> n < 50 || n >= 125 ? text : CaptionClips.CEA608_PADDING);
        throughout = CaptionClips.write(dir.resolve("throughout.ts"), 6, n -> text);
        // Pop-on style: a caption's codes once every 1.2 s, padding between.
        popOn = CaptionClips.write(dir.resolve("pop-on.mkv"), 6,
                n -> n % 30 == 0 ? text : CaptionClips.CEA608_PADDING);
        paddingOnly = CaptionClips.write(dir.resolve("padding.mkv"), 4, n -> CaptionClips.CEA608_PADDING);
        none = CaptionClips.write(dir.resolve("none.mkv"), 4, n -> new byte[0]);
        dtvccStopsAt3 = CaptionClips.write(dir.resolve("dtvcc.mkv"), 6,
                n -> n < 75 ? CaptionClips.DTVCC_SERVICE_1 : new byte[0]);
        dvbSubtitlesStopAt3 = CaptionClips.writeDvbSubtitles(dir.resolve("dvbsub.ts"), 7, 4);
        mpeg2StopsAt4 = dir.resolve("stops-mpeg2.ts");
        Ffmpeg.run(List.of("-i", stopsAt4.toString(), "-c:v", "mpeg2video", "-a53cc", "1", mpeg2StopsAt4.toString()));
        // Debian's libx265 wrapper drops the side data (ffprobe shows none): the SEI is put in as for H.264.
        hevcStopsAt4 = CaptionClips.write(dir.resolve("stops-hevc.mkv"), 8, true,
                n -> n < 100 ? text : CaptionClips.CEA608_PADDING);
    }

    @Test
    void dvbSubtitlePacketsThatStopRaiseIt() {
        List<Event.Alarm> alarms = alarms(dvbSubtitlesStopAt3, TWO_SECONDS);
        assertThat(alarms).hasSize(1);
        // The last subtitle packet (clearing the display at 3.5 s) counts with the frame demuxed after it: the muxer
        // interleaves by decoding time, a few frames either way (here 0.14 s ahead).
        Event.Alarm a = alarms.getFirst();
        assertThat(a.start()).isBetween(3.5 - 0.2, 3.5 + 0.2);
        assertThat(a.metrics().get("lastDvbSubtitle")).isBetween(3.5 - 0.2 - FRAME, 3.5 + 0.2);
        assertThat(a.end()).isCloseTo(7.0 - FRAME, offset(FRAME / 2));
    }

    static List<Event.Alarm> alarms(Path clip, VigilConfig config) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "cc", config, events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals("captions"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void captionsThatStopRaiseItWhereTheyStopped() {
        List<Event.Alarm> alarms = alarms(stopsAt4, TWO_SECONDS);
        assertThat(alarms).hasSize(1);
        Event.Alarm a = alarms.getFirst();
        assertThat(a.start()).isCloseTo(4.0, offset(FRAME / 2));
        assertThat(a.end()).isCloseTo(8.0 - FRAME, offset(FRAME / 2));
        assertThat(a.metrics().get("lastCea608Field1")).isCloseTo(4.0 - FRAME, offset(FRAME / 2));
        assertThat(a.metrics()).doesNotContainKey("lastDtvcc");
    }

    @Test
    void mpeg2AndHevcCarryThemAsH264Does() {
        for (Path clip : List.of(mpeg2StopsAt4, hevcStopsAt4)) {
            List<Event.Alarm> alarms = alarms(clip, TWO_SECONDS);
            assertThat(alarms).as(clip.getFileName().toString()).hasSize(1);
            assertThat(alarms.getFirst().start()).as(clip.getFileName().toString()).isCloseTo(4.0, offset(FRAME / 2));
        }
    }

    @Test
    void aPauseLongerThanTheDelayIsOneAlarmThatResolvesWhenCaptionsReturn() {
        List<Event.Alarm> alarms = alarms(pausesFrom2To5, TWO_SECONDS);
        assertThat(alarms).hasSize(1);
        assertThat(alarms.getFirst().start()).isCloseTo(2.0, offset(FRAME / 2));
        assertThat(alarms.getFirst().end()).isCloseTo(5.0, offset(FRAME / 2));
        assertThat(alarms.getFirst().metrics().get("silentSeconds")).isCloseTo(3.0, offset(FRAME / 2));
    }

    @Test
    void captionsThroughoutOrWithPausesShorterThanTheDelayAreQuiet() {
        assertThat(alarms(throughout, REQUIRED)).isEmpty();
        assertThat(alarms(popOn, REQUIRED)).isEmpty();
    }

    @Test
    void paddingIsNoCaptions() {
        assertThat(alarms(paddingOnly, TWO_SECONDS)).isEmpty();
        List<Event.Alarm> alarms = alarms(paddingOnly, REQUIRED);
        assertThat(alarms).hasSize(1);
        assertThat(alarms.getFirst().start()).isCloseTo(0.0, offset(FRAME / 2));
    }

    @Test
    void aChannelWithoutCaptionsIsQuietUnlessTheyAreRequired() {
        assertThat(alarms(none, VigilConfig.defaults())).isEmpty();
        assertThat(alarms(none, TWO_SECONDS)).isEmpty();
        List<Event.Alarm> alarms = alarms(none, REQUIRED);
        assertThat(alarms).hasSize(1);
        assertThat(alarms.getFirst().start()).isCloseTo(0.0, offset(FRAME / 2));
        assertThat(alarms.getFirst().end()).isCloseTo(4.0 - FRAME, offset(FRAME / 2));
    }

    @Test
    void cea708StopsAndNamesItsService() {
        List<Event.Alarm> alarms = alarms(dtvccStopsAt3, TWO_SECONDS);
        assertThat(alarms).hasSize(1);
        assertThat(alarms.getFirst().start()).isCloseTo(3.0, offset(FRAME / 2));
        assertThat(alarms.getFirst().metrics().get("lastDtvcc")).isCloseTo(3.0 - FRAME, offset(FRAME / 2));
        assertThat(alarms.getFirst().metrics().get("dtvccServices")).isEqualTo(2.0);
    }
}
