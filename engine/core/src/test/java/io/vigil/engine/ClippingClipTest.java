package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The clipping alarm on programme made the way gain errors happen (FFmpeg's volume filter, +18 dB for half a second,
 * into 16-bit PCM, which saturates), on music-like content that ffmpeg makes alone and on real music (asc-music),
 * with astats as the oracle for where the full-scale samples are. Half a second of clipping is one alarm over it
 * (the old rule, clip events in every second for 2 s, raised nothing); single overs seconds apart raise nothing; a
 * steady stream of them is one alarm that stays up while they keep coming; clean music and speech raise nothing.
 */
class ClippingClipTest {
    /** astats' frames: 5 ms at 48 kHz. */
    static final int ORACLE_FRAME = 240;
    static final double ORACLE_TOLERANCE = 0.006;
    static final String GAIN_ERROR = "volume=enable='between(t,12,12.5)':volume=8";
    /** A 3-sample over (+1.0, full scale in 16 bits) every 3 s from 1.5 s, in both channels. */
    static final String SPARSE_OVERS = "aeval='if(between(mod(n\\,144000)\\,72000\\,72002)\\,1\\,val(ch))':c=same";
    /** The same every 0.3 s from 10.2 s to 29.7 s. */
    static final String STEADY_OVERS = "aeval='if(lt(mod(n\\,14400)\\,3)*between(t\\,10\\,30)\\,1\\,val(ch))':c=same";

    @TempDir
    static Path dir;

    static List<Event.Alarm> clipping(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "c", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("clipping")
                && !a.firing()).map(e -> (Event.Alarm) e).toList();
    }

    /**
     * astats over 5 ms frames: from the start of the first frame to the end of the last one whose peak is at full
     * scale (within 0.01 dB) on at least 3 samples (its Peak_count: samples at the frame's peak, both channels and
     * both signs), or null when none is.
     */
    static double[] astatsFullScale(Path clip) throws Exception {
        Path printed = dir.resolve(clip.getFileName() + ".astats.txt");
        Ffmpeg.run(List.of("-i", clip.toString(), "-af", "asetnsamples=n=" + ORACLE_FRAME
                + ",astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=Peak_level+Peak_count,"
                + "ametadata=mode=print:file=" + printed, "-f", "null", "-"));
        String log = Files.readString(printed);
        double first = Double.NaN;
        double last = Double.NaN;
        double frameTime = Double.NaN;
        double peakDb = Double.NEGATIVE_INFINITY;
        for (String line : log.split("\n")) {
            if (line.startsWith("frame:")) {
                frameTime = Double.parseDouble(line.substring(line.indexOf("pts_time:") + 9).trim());
            } else if (line.startsWith("lavfi.astats.Overall.Peak_level=")) {
                String v = line.substring(line.indexOf('=') + 1).trim();
                peakDb = v.equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
            } else if (line.startsWith("lavfi.astats.Overall.Peak_count=")
                    && Double.parseDouble(line.substring(line.indexOf('=') + 1).trim()) >= 3 && peakDb >= -0.01) {
                first = Double.isNaN(first) ? frameTime : first;
                last = frameTime + ORACLE_FRAME / 48000.0;
            }
        }
        return Double.isNaN(first) ? null : new double[] {first, last};
    }

    static void assertOneAlarmWhereAstatsSeesFullScale(Path clip, double from, double to) throws Exception {
        double[] oracle = astatsFullScale(clip);
        assertThat(oracle).as("astats on %s", clip).isNotNull();
        // within the gain error, from one of its first loud peaks to one of its last
        assertThat(oracle[0]).isBetween(from, from + 0.15);
        assertThat(oracle[1]).isBetween(to - 0.15, to + ORACLE_FRAME / 48000.0);
        assertThat(clipping(clip)).as("clipping on %s", clip).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(oracle[0], offset(ORACLE_TOLERANCE));
            assertThat(a.end()).isCloseTo(oracle[1], offset(ORACLE_TOLERANCE));
            assertThat(a.metrics().get("clippedChannels")).isEqualTo(2.0);
            assertThat(a.metrics().get("peakDbfs")).isCloseTo(0.0, offset(0.01));
        });
    }

    @Test
    void halfASecondOfGainErrorOnMusicLikeContentIsOneAlarmOverIt() throws Exception {
        assertOneAlarmWhereAstatsSeesFullScale(NaturalAudio.musicLike(dir, "gain", 30, GAIN_ERROR), 12, 12.5);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void halfASecondOfGainErrorOnMusicIsOneAlarmOverIt(int track) throws Exception {
        assertOneAlarmWhereAstatsSeesFullScale(NaturalAudio.music(dir, "gain" + track, track, 60, 30, GAIN_ERROR),
                12, 12.5);
    }

    @Test
    void singleOversSecondsApartAreNotClipping() throws Exception {
        Path clip = NaturalAudio.musicLike(dir, "sparse", 30, SPARSE_OVERS);
        // astats sees them: full-scale runs from 1.5 s to 28.5 s
        assertThat(astatsFullScale(clip)).satisfies(o -> {
            assertThat(o[0]).isCloseTo(1.5, offset(0.01));
            assertThat(o[1]).isCloseTo(28.5, offset(0.01));
        });
        assertThat(clipping(clip)).isEmpty();
        assertThat(clipping(NaturalAudio.music(dir, "sparse-music", 1, 30, 30, SPARSE_OVERS))).isEmpty();
    }

    @Test
    void aSteadyStreamOfSingleOversIsOneAlarmThatStaysUp() throws Exception {
        List<Event.Alarm> alarms = clipping(NaturalAudio.musicLike(dir, "steady", 40, STEADY_OVERS));
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(10.2, offset(0.01));
            assertThat(a.end()).isCloseTo(29.7, offset(0.01));
        });
    }

    @Test
    void cleanMusicLikeContentIsNotClipping() throws Exception {
        assertThat(clipping(NaturalAudio.musicLike(dir, "clean", 30, null))).isEmpty();
    }
}
