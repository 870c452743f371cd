package io.vigil.engine.transport;

import static io.vigil.engine.transport.TsPackets.VIDEO_PID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tr101290} through {@code vigil analyze}'s run: the input's bytes reach the analyser through the byte tap
 * before FFmpeg's demuxer, alarms come one per check and PID at the damaged packet's media time, the summary counts,
 * and SCTE-35 cues are marker events.
 */
class Tr101290ClipTest {
    @TempDir
    static Path dir;
    static byte[] clean;

    @BeforeAll
    static void clip() throws Exception {
        clean = TsPackets.make(dir, 10);
    }

    static List<Event> analyse(String name, byte[] ts) throws Exception {
        return analyse(dir.resolve(name), ts, VigilConfig.defaults());
    }

    /** {@code ts} written to {@code file}, analysed to its end with {@code config}; its events, checked. */
    static List<Event> analyse(Path file, byte[] ts, VigilConfig config) throws Exception {
        Files.write(file, ts);
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(file.toString(), "ts", config, events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        EventInvariants.assertComplete(events);
        return events;
    }

    /** The checks of the tr101290 alarms that fired, in order. */
    static List<String> checksRaised(List<Event> events) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("tr101290")
                && a.status().equals("firing")).map(e -> ((Event.Alarm) e).check()).toList();
    }

    static List<Event.Alarm> transportAlarms(List<Event> events) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("tr101290"))
                .map(e -> (Event.Alarm) e).toList();
    }

    static Event.Summary summary(List<Event> events) {
        return (Event.Summary) events.stream().filter(e -> e instanceof Event.Summary).findFirst().orElseThrow();
    }

    static Event.Transport transport(List<Event> events) {
        return summary(events).transport();
    }

    @Test
    void aCleanMultiplexIsQuietAndCounted() throws Exception {
        List<Event> events = analyse("clean.ts", clean);
        assertThat(transportAlarms(events)).isEmpty();
        Event.Transport figures = summary(events).transport();
        assertThat(figures.packets()).isEqualTo(clean.length / 188);
        assertThat(figures.errors()).isEmpty();
    }

    /**
     * A variable-rate multiplex as ffmpeg writes it by default (no -muxrate): MPEG-2 at a fixed quantiser whose rate
     * falls ~20x during 3 s of black and bursts at each keyframe. Timing packets by bytes at a bit rate measured over
     * a window raised 1 PTS_error on video and 2 on audio here (3 PAT_error and 3 PMT_error on a 720p version), none
     * of them in the stream: a packet's time is its place between the PCRs around it.
     */
    static byte[] variableRate() throws Exception {
        Path clip = dir.resolve("vbr.ts");
        if (!Files.exists(clip)) {
            io.vigil.engine.Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=8", "-f", "lavfi",
                    "-i", "sine=f=440:r=48000:d=8", "-vf", "drawbox=enable='between(t,2,5)':c=black:t=fill",
                    "-c:v", "mpeg2video", "-q:v", "2", "-g", "12", "-c:a", "mp2", "-b:a", "64k", clip.toString()));
        }
        return Files.readAllBytes(clip);
    }

    @Test
    void aVariableRateMultiplexIsTimedByItsOwnPcrs() throws Exception {
        List<Event> events = analyse("vbr-clean.ts", variableRate());
        assertThat(transportAlarms(events)).isEmpty();
        assertThat(transport(events).errors()).isEmpty();
    }

    @Test
    void aPatMissingForOneSecondOfAVariableRateMultiplexIsStillPatError() throws Exception {
        TsPackets ts = new TsPackets(variableRate());
        int from = ts.packetAt(2.5);
        int to = ts.packetAt(3.7);
        int removed = 0;
        for (int i = to; i >= from; i--) {
            if (TsPackets.pid(ts.packets.get(i)) == 0) {
                ts.packets.remove(i);
                removed++;
            }
        }
        assertThat(removed).isGreaterThan(5);
        List<String> checks = checksRaised(analyse("vbr-nopat.ts", ts.bytes()));
        assertThat(checks).contains("PAT_error").doesNotContain("PMT_error", "PTS_error", "PID_error");
    }

    /** Audio gone for good at 3 s of 16: PID_error told at about 8 s and 13 s is one alarm, resolved at the end. */
    @Test
    void aPidSilentForGoodIsOneAlarm() throws Exception {
        TsPackets ts = new TsPackets(TsPackets.make(dir, 16));
        int from = ts.packetAt(3.0);
        for (int i = ts.packets.size() - 1; i >= from; i--) {
            if (TsPackets.pid(ts.packets.get(i)) == TsPackets.AUDIO_PID) {
                ts.packets.remove(i);
            }
        }
        List<Event.Alarm> pidErrors = transportAlarms(analyse("audio-gone.ts", ts.bytes())).stream()
                .filter(a -> a.check().equals("PID_error")).toList();
        assertThat(pidErrors).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        assertThat(pidErrors.getFirst().pid()).isEqualTo(TsPackets.AUDIO_PID);
        assertThat(pidErrors.getLast().metrics().get("errors")).isEqualTo(2.0);
    }

    @Test
    void aBurstOfContinuityErrorsIsOneAlarmAtItsMediaTime() throws Exception {
        TsPackets ts = new TsPackets(clean);
        int first = ts.packetAt(4.0);
        List<Integer> dropped = new ArrayList<>();
        for (int i = first; dropped.size() < 5; i++) {
            if (TsPackets.pid(ts.packets.get(i)) == VIDEO_PID && i % 7 == 0) {
                dropped.add(i);
            }
        }
        double expected = ts.clockAt(dropped.getFirst()) - firstPtsSeconds(ts);
        for (int k = dropped.size() - 1; k >= 0; k--) {
            ts.packets.remove((int) dropped.get(k));
        }
        List<Event> events = analyse("cc.ts", ts.bytes());
        List<Event.Alarm> alarms = transportAlarms(events);
        assertThat(alarms).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = alarms.getFirst();
        assertThat(firing.check()).isEqualTo("Continuity_count_error");
        assertThat(firing.priority()).isEqualTo(1);
        assertThat(firing.pid()).isEqualTo(VIDEO_PID);
        assertThat(firing.dedupKey()).isEqualTo("ts/tr101290/Continuity_count_error/256");
        assertThat(firing.start()).isCloseTo(expected, within(0.05));
        assertThat(alarms.getLast().metrics().get("errors")).isEqualTo(5.0);
        assertThat(summary(events).transport().errors())
                .containsEntry("Continuity_count_error", java.util.Map.of("256", 5L));
    }

    @Test
    void scte35CuesAreMarkersAtTheirSplicePointsAndABadCrcIsDropped() throws Exception {
        TsPackets ts = new TsPackets(clean);
        int pid = 0x1F0;
        ts.declareScte35(pid);
        double origin = firstPtsSeconds(ts);
        long outPts = Math.round((origin + 3.0) * 90_000);
        ts.insertSection(ts.packetAt(2.0), pid, 0, Scte35Sections.spliceInsert(42, true, outPts, 30 * 90_000));
        ts.insertSection(ts.packetAt(5.0), pid, 1, Scte35Sections.timeSignal(Math.round((origin + 6.0) * 90_000),
                0x34, 0x0C, "vigil-break-1", 60 * 90_000));
        byte[] bad = Scte35Sections.spliceInsert(43, false, Math.round((origin + 8.0) * 90_000), -1);
        bad[bad.length - 1] ^= 1;
        int badAt = ts.insertSection(ts.packetAt(7.0), pid, 2, bad);

        List<Event> events = analyse("scte35.ts", ts.bytes());
        List<Event.Marker> markers = events.stream().filter(e -> e instanceof Event.Marker)
                .map(e -> (Event.Marker) e).toList();
        assertThat(markers).hasSize(2);
        Event.Marker out = markers.getFirst();
        assertThat(out.command()).isEqualTo("splice_insert");
        assertThat(out.kind()).isEqualTo("out");
        assertThat(out.pid()).isEqualTo(pid);
        assertThat(out.pts()).isEqualTo(outPts);
        assertThat(out.start()).isCloseTo(3.0, within(0.002));
        assertThat(out.duration()).isEqualTo(30.0);
        assertThat(out.eventId()).isEqualTo(42L);
        Event.Marker signal = markers.getLast();
        assertThat(signal.command()).isEqualTo("time_signal");
        assertThat(signal.kind()).isEqualTo("out");
        assertThat(signal.segmentationType()).isEqualTo(0x34);
        assertThat(signal.upidType()).isEqualTo(0x0C);
        assertThat(signal.upid()).isEqualTo("vigil-break-1");
        assertThat(signal.duration()).isEqualTo(60.0);
        assertThat(signal.start()).isCloseTo(6.0, within(0.002));
        // The section with the bad CRC: no marker, one CRC_error on its PID.
        List<Event.Alarm> alarms = transportAlarms(events);
        assertThat(alarms).extracting(Event.Alarm::check).containsOnly("CRC_error");
        assertThat(alarms.getFirst().pid()).isEqualTo(pid);
        assertThat(alarms.getFirst().start()).isCloseTo(ts.clockAt(badAt) - origin, within(0.05));
        assertThat(io.vigil.engine.sink.JsonLinesSink.toJson(out)).startsWith("{\"type\":\"marker\"");
    }

    /** The first PTS of the multiplex, seconds: media time 0. */
    static double firstPtsSeconds(TsPackets ts) {
        double first = Double.MAX_VALUE;
        int seen = 0;
        for (byte[] p : ts.packets) {
            int pid = TsPackets.pid(p);
            if ((pid == VIDEO_PID || pid == TsPackets.AUDIO_PID) && (p[1] & 0x40) != 0) {
                int o = 4 + ((p[3] & 0x20) != 0 ? 1 + (p[4] & 0xFF) : 0);
                if ((p[o + 7] & 0x80) != 0) {
                    long pts = ((p[o + 9] & 0x0EL) << 29) | ((p[o + 10] & 0xFFL) << 22) | ((p[o + 11] & 0xFEL) << 14)
                            | ((p[o + 12] & 0xFFL) << 7) | ((p[o + 13] & 0xFEL) >>> 1);
                    first = Math.min(first, pts / 90_000.0);
                    if (++seen > 20) {
                        break;
                    }
                }
            }
        }
        return first;
    }
}
