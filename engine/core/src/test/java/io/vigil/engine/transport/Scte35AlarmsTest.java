package io.vigil.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scte35}: a channel required to carry markers that goes {@code missingMinutes} without one raises
 * {@code no_splice_info}, and an out whose in does not come within its duration and the grace raises
 * {@code out_without_in}; each resolves as the lifecycle says, and cues on time raise nothing.
 */
class Scte35AlarmsTest {
    private static final int PID = 0x1F0;
    @TempDir
    static Path dir;
    static byte[] clean;

    @BeforeAll
    static void clip() throws Exception {
        clean = TsPackets.make(dir, 10);
    }

    /** 0.1 min (6 s) without a cue, a 1 s grace. */
    static VigilConfig config(boolean required) {
        SequencedMap<String, DetectorSettings> detectors = VigilConfig.defaults().detectors();
        detectors.put("scte35", detectors.get("scte35").withEnabled(true).with("required", required)
                .with("missingMinutes", 0.1).with("graceSeconds", 1.0));
        return VigilConfig.defaults().withDetectors(detectors);
    }

    /** The clip with a cue at each of {@code atSeconds} ({@code sections}[k] at atSeconds[k] of the clock). */
    static List<Event> analyse(String name, VigilConfig config, double[] atSeconds, byte[]... sections)
            throws Exception {
        TsPackets ts = new TsPackets(clean);
        ts.declareScte35(PID);
        for (int k = 0; k < sections.length; k++) {
            ts.insertSection(ts.packetAt(atSeconds[k]), PID, k, sections[k]);
        }
        return Tr101290ClipTest.analyse(dir.resolve(name), ts.bytes(), config);
    }

    static List<Event.Alarm> scte35(List<Event> events) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("scte35"))
                .map(e -> (Event.Alarm) e).toList();
    }

    /** Media time 0 on the clip's clock (its first PTS). */
    static long ptsAt(double mediaSeconds) {
        return Math.round((Tr101290ClipTest.firstPtsSeconds(new TsPackets(clean)) + mediaSeconds) * 90_000);
    }

    @Test
    void aRequiredChannelWithoutACueForMissingMinutesRaisesNoSpliceInfo() throws Exception {
        List<Event> events = analyse("sparse.ts", config(true), new double[] {2.0},
                Scte35Sections.spliceInsert(1, false, ptsAt(2.0), -1));
        List<Event.Alarm> alarms = scte35(events);
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        assertThat(firing.check()).isEqualTo("no_splice_info");
        assertThat(firing.priority()).isNull();
        assertThat(firing.dedupKey()).isEqualTo("ts/scte35/no_splice_info");
        // From the cue, 2 s in (where the cue's packet lies, give or take the PCR's lead).
        assertThat(firing.start()).isCloseTo(2.0, within(0.8));
        assertThat(alarms.getLast().metrics().get("cues")).isEqualTo(1.0);
    }

    @Test
    void cuesOftenEnoughRaiseNothingAndWithoutRequiredNoneIsNeeded() throws Exception {
        List<Event> often = analyse("often.ts", config(true), new double[] {2.0, 7.0},
                Scte35Sections.spliceInsert(1, false, ptsAt(2.0), -1),
                Scte35Sections.spliceInsert(2, false, ptsAt(7.0), -1));
        assertThat(scte35(often)).isEmpty();
        List<Event> none = analyse("none.ts", config(false), new double[0]);
        assertThat(scte35(none)).isEmpty();
    }

    @Test
    void anOutWhoseInNeverComesRaisesOutWithoutIn() throws Exception {
        // Out at 3 s for 2 s: its in is due by 6 s (1 s of grace); none comes.
        List<Event> events = analyse("no-in.ts", config(false), new double[] {2.5},
                Scte35Sections.spliceInsert(42, true, ptsAt(3.0), 2 * 90_000));
        List<Event.Alarm> alarms = scte35(events);
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        assertThat(firing.check()).isEqualTo("out_without_in");
        assertThat(firing.start()).isCloseTo(3.0, within(0.002));
        assertThat(firing.metrics().get("outDurationSeconds")).isEqualTo(2.0);
    }

    @Test
    void anOutWithItsInOrCancelledRaisesNothing() throws Exception {
        List<Event> withIn = analyse("in.ts", config(false), new double[] {2.5, 4.5},
                Scte35Sections.spliceInsert(42, true, ptsAt(3.0), 2 * 90_000),
                Scte35Sections.spliceInsert(42, false, ptsAt(5.0), -1));
        assertThat(scte35(withIn)).isEmpty();
        // A segmentation start and its end (0x34, 0x35) with the same segmentation event id.
        List<Event> segmented = analyse("segments.ts", config(false), new double[] {2.5, 4.5},
                Scte35Sections.timeSignal(ptsAt(3.0), 0x34, 0x0C, "vigil-break", 2 * 90_000),
                Scte35Sections.timeSignal(ptsAt(5.0), 0x35, 0x0C, "vigil-break", -1));
        assertThat(scte35(segmented)).isEmpty();
    }
}
