package io.vigil.engine.transport;

import static io.vigil.engine.transport.TsPackets.AUDIO_PID;
import static io.vigil.engine.transport.TsPackets.PMT_PID;
import static io.vigil.engine.transport.TsPackets.VIDEO_PID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.engine.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TR 101 290 checks on a clean ffmpeg multiplex and on copies damaged at known packets: each fault gives its check
 * on its PID at the multiplex time of the damaged packet, and nothing else.
 */
class TsAnalyzerTest {
    @TempDir
    static Path dir;
    static byte[] clean;

    record Found(TsCheck check, int pid, double clockSeconds) {
    }

    @BeforeAll
    static void clip() throws Exception {
        clean = TsPackets.make(dir, 10);
    }

    static List<Found> analyse(byte[] ts, long seed) {
        List<Found> found = new ArrayList<>();
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (check, pid, clock) -> found.add(new Found(check, pid, clock)));
        Random random = new Random(seed);
        for (int i = 0; i < ts.length; ) {
            int n = Math.min(ts.length - i, 1 + random.nextInt(seed == 0 ? 188 * 40 : 3000));
            analyzer.accept(ts, i, n);
            i += n;
        }
        return found;
    }

    @Test
    void aCleanMultiplexRaisesNothingInAnyChunking() {
        for (long seed = 0; seed < 4; seed++) {
            assertThat(analyse(clean, seed)).as("seed %d", seed).isEmpty();
        }
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> { });
        analyzer.accept(clean, 0, clean.length);
        assertThat(analyzer.bitsPerSecond()).isCloseTo(2_000_000, within(20_000.0));
        assertThat(analyzer.packets()).isEqualTo(clean.length / 188);
    }

    @Test
    void aDroppedPacketIsOneContinuityErrorAsFfmpegSeesIt() throws Exception {
        TsPackets ts = new TsPackets(clean);
        int at = nextOf(ts, ts.packetAt(4.0), VIDEO_PID);
        double expected = ts.clockAt(at);
        ts.packets.remove(at);
        byte[] damaged = ts.bytes();

        assertThat(analyse(damaged, 1)).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.CONTINUITY_COUNT_ERROR);
            assertThat(f.pid()).isEqualTo(VIDEO_PID);
            assertThat(f.clockSeconds()).isCloseTo(expected, within(0.01));
        });
        // FFmpeg's mpegts demuxer as the oracle: the same PID, once (it logs the fault again when it reads the
        // probed bytes a second time after seeking back, as vigil's analyser does not).
        Path file = dir.resolve("cc.ts");
        Files.write(file, damaged);
        String log = Ffmpeg.run(List.of("-v", "debug", "-i", file.toString(), "-f", "null", "-"));
        Matcher m = Pattern.compile("Continuity check failed for pid (\\d+) expected \\d+ got \\d+").matcher(log);
        java.util.Set<String> faults = new java.util.TreeSet<>();
        while (m.find()) {
            faults.add(m.group());
        }
        assertThat(faults).singleElement().asString().contains("pid " + VIDEO_PID + " ");
    }

    @Test
    void aPatMissingForOneSecondIsPatError() {
        TsPackets ts = new TsPackets(clean);
        int from = ts.packetAt(3.0);
        int to = ts.packetAt(4.0);
        for (int i = from; i < to; i++) {
            if (TsPackets.pid(ts.packets.get(i)) == 0) {
                ts.nullOut(i);
            }
        }
        ts.renumber(0);
        List<Found> found = analyse(ts.bytes(), 2);
        assertThat(found).isNotEmpty().allSatisfy(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.PAT_ERROR);
            assertThat(f.pid()).isZero();
        });
        // The last PAT came at most 0.1 s before the gap; the error is known 0.5 s after it.
        assertThat(found.getFirst().clockSeconds() - ts.firstPcr()).isBetween(3.35, 3.55);
        assertThat(found.getLast().clockSeconds() - ts.firstPcr()).isLessThan(4.1);
    }

    @Test
    void aPmtWithABadCrcIsCrcError() {
        TsPackets ts = new TsPackets(clean);
        int at = nextOf(ts, ts.packetAt(5.0), PMT_PID);
        byte[] p = ts.packets.get(at);
        int sectionLength = ((p[6] & 0x0F) << 8) | (p[7] & 0xFF);
        p[5 + 3 + sectionLength - 1] ^= 0x01; // the CRC's last byte
        List<Found> found = analyse(ts.bytes(), 3);
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.CRC_ERROR);
            assertThat(f.pid()).isEqualTo(PMT_PID);
            assertThat(f.clockSeconds()).isCloseTo(ts.clockAt(at), within(0.01));
        });
    }

    @Test
    void aSilencedPidIsPidErrorAndItsPtsGapWhenItReturns() {
        TsPackets ts = new TsPackets(clean);
        int from = ts.packetAt(2.0);
        int to = ts.packetAt(8.0);
        for (int i = from; i < to; i++) {
            if (TsPackets.pid(ts.packets.get(i)) == AUDIO_PID) {
                ts.nullOut(i);
            }
        }
        ts.renumber(AUDIO_PID);
        List<Found> found = analyse(ts.bytes(), 4);
        assertThat(found).extracting(Found::pid).containsOnly(AUDIO_PID);
        List<Found> silent = found.stream().filter(f -> f.check() == TsCheck.PID_ERROR).toList();
        assertThat(silent).hasSize(1);
        assertThat(silent.getFirst().clockSeconds() - ts.firstPcr()).isBetween(6.9, 7.2);
        assertThat(found).extracting(Found::check).containsOnly(TsCheck.PID_ERROR, TsCheck.PTS_ERROR);
    }

    /**
     * A PID that sends only now and then is not silent in TR 101 290's sense: an SCTE-35 PID with one cue in 10 s
     * raises no PID_error (real channels send cues at breaks only), while a silenced audio PID does (above).
     */
    @Test
    void anScte35PidQuietBetweenItsCuesIsNoPidError() {
        TsPackets ts = new TsPackets(clean);
        int pid = 0x1F0;
        ts.declareScte35(pid);
        ts.insertSection(ts.packetAt(1.0), pid, 0, Scte35Sections.spliceInsert(7, true, 90_000 * 3, 30 * 90_000));
        assertThat(analyse(ts.bytes(), 3)).isEmpty();
    }

    @Test
    void onlyPidsThatSendAllTheTimeAreWatchedForSilence() {
        byte[] none = new byte[0];
        assertThat(TsAnalyzer.continuous(0x1B, none, 0, 0)).as("H.264").isTrue();
        assertThat(TsAnalyzer.continuous(0x0F, none, 0, 0)).as("AAC").isTrue();
        assertThat(TsAnalyzer.continuous(0x86, none, 0, 0)).as("SCTE-35").isFalse();
        assertThat(TsAnalyzer.continuous(0x05, none, 0, 0)).as("private sections").isFalse();
        byte[] ac3 = {0x6A, 1, 0};
        byte[] subtitles = {0x59, 8, 'e', 'n', 'g', 0x10, 0, 1, 0, 1};
        byte[] registeredEac3 = {0x05, 4, 'E', 'A', 'C', '3'};
        assertThat(TsAnalyzer.continuous(0x06, ac3, 0, ac3.length)).as("DVB AC-3").isTrue();
        assertThat(TsAnalyzer.continuous(0x06, registeredEac3, 0, registeredEac3.length)).as("E-AC-3").isTrue();
        assertThat(TsAnalyzer.continuous(0x06, subtitles, 0, subtitles.length)).as("DVB subtitles").isFalse();
        assertThat(TsAnalyzer.continuous(0x06, ac3, 0, 200)).as("a length past the section").isTrue();
        assertThat(TsAnalyzer.continuous(0x06, subtitles, 0, 200)).as("a length past the section").isFalse();
    }

    @Test
    void aPacketWithItsTransportErrorIndicatorIsTransportError() {
        TsPackets ts = new TsPackets(clean);
        int at = nextOf(ts, ts.packetAt(6.0), AUDIO_PID);
        ts.packets.get(at)[1] |= (byte) 0x80;
        assertThat(analyse(ts.bytes(), 5)).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.TRANSPORT_ERROR);
            assertThat(f.pid()).isEqualTo(AUDIO_PID);
            assertThat(f.clockSeconds()).isCloseTo(ts.clockAt(at), within(0.01));
        });
    }

    @Test
    void pcrsMissingForHalfASecondArePcrRepetitionErrors() {
        TsPackets ts = new TsPackets(clean);
        int from = ts.packetAt(3.0);
        int to = ts.packetAt(3.5);
        for (int i = from; i < to; i++) {
            byte[] p = ts.packets.get(i);
            if (TsPackets.pid(p) == VIDEO_PID && TsPackets.hasPcr(p)) {
                p[5] &= (byte) ~0x10;
            }
        }
        List<Found> found = analyse(ts.bytes(), 6);
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.PCR_REPETITION_ERROR);
            assertThat(f.pid()).isEqualTo(VIDEO_PID);
            assertThat(f.clockSeconds() - ts.firstPcr()).isCloseTo(3.5, within(0.05));
        });
    }

    @Test
    void aPcrJumpWithoutItsFlagIsAnErrorAndWithItIsNot() {
        for (boolean flagged : new boolean[] {false, true}) {
            TsPackets ts = new TsPackets(clean);
            int from = ts.packetAt(5.0);
            // Told on the clock as it ran before the jump.
            double expected = ts.clockAt(from);
            for (int i = from; i < ts.packets.size(); i++) {
                byte[] p = ts.packets.get(i);
                if (TsPackets.pid(p) == VIDEO_PID && TsPackets.hasPcr(p)) {
                    TsPackets.setPcr(p, TsPackets.pcr(p) + 3.0);
                }
            }
            if (flagged) {
                ts.packets.get(from)[5] |= (byte) 0x80;
            }
            List<Found> found = analyse(ts.bytes(), 7);
            if (flagged) {
                assertThat(found).isEmpty();
            } else {
                assertThat(found).singleElement().satisfies(f -> {
                    assertThat(f.check()).isEqualTo(TsCheck.PCR_DISCONTINUITY_INDICATOR_ERROR);
                    assertThat(f.pid()).isEqualTo(VIDEO_PID);
                    assertThat(f.clockSeconds()).isCloseTo(expected, within(0.01));
                });
            }
        }
    }

    @Test
    void oneBadSyncByteIsSyncByteErrorAndThreeLoseSync() {
        TsPackets ts = new TsPackets(clean);
        int at = ts.packetAt(2.0);
        ts.packets.get(at)[0] = 0x46;
        assertThat(analyse(ts.bytes(), 8)).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo(TsCheck.SYNC_BYTE_ERROR);
            assertThat(f.pid()).isEqualTo(-1);
            assertThat(f.clockSeconds()).isCloseTo(ts.clockAt(at), within(0.01));
        });

        TsPackets lost = new TsPackets(clean);
        int from = lost.packetAt(6.0);
        for (int i = from; i < from + 3; i++) {
            lost.packets.get(i)[0] = 0;
        }
        List<Found> found = analyse(lost.bytes(), 9);
        assertThat(found).extracting(Found::check).contains(TsCheck.TS_SYNC_LOSS, TsCheck.SYNC_BYTE_ERROR)
                .containsOnly(TsCheck.TS_SYNC_LOSS, TsCheck.SYNC_BYTE_ERROR, TsCheck.CONTINUITY_COUNT_ERROR);
        assertThat(found.stream().filter(f -> f.check() == TsCheck.TS_SYNC_LOSS)).singleElement()
                .satisfies(f -> assertThat(f.clockSeconds()).isCloseTo(lost.clockAt(from + 1), within(0.01)));
    }

    @Test
    void bytesThatAreNotATransportStreamAreLeftAlone() {
        byte[] noise = new byte[200_000];
        new Random(1).nextBytes(noise);
        for (int i = 0; i < noise.length; i++) {
            if (noise[i] == 0x47) {
                noise[i] = 0;
            }
        }
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> {
            throw new AssertionError(c + " on noise");
        });
        analyzer.accept(noise, 0, noise.length);
        assertThat(analyzer.transportStream()).isFalse();
    }

    @Test
    void bytesSeenAgainAfterASeekBackAreAnalysedOnce() {
        List<Found> found = new ArrayList<>();
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> found.add(new Found(c, p, t)));
        var all = java.lang.foreign.MemorySegment.ofArray(clean);
        analyzer.accept(0, all.asSlice(0, 500_000));
        analyzer.accept(clean.length - 100_000, all.asSlice(clean.length - 100_000)); // a probe of the end
        analyzer.accept(0, all.asSlice(0, 600_000)); // back to the start
        analyzer.accept(600_000, all.asSlice(600_000));
        assertThat(found).isEmpty();
        assertThat(analyzer.packets()).isEqualTo(clean.length / 188);
    }

    private static int nextOf(TsPackets ts, int from, int pid) {
        for (int i = from; ; i++) {
            if (TsPackets.pid(ts.packets.get(i)) == pid) {
                return i;
            }
        }
    }

    /** The clean clip with one datagram (7 packets) cut out at each of {@code cuts} (packet indexes). */
    static byte[] withDatagramsLost(int... cuts) {
        TsPackets ts = new TsPackets(clean);
        for (int k = cuts.length - 1; k >= 0; k--) {
            for (int j = 0; j < 7; j++) {
                ts.packets.remove(cuts[k]);
            }
        }
        return ts.bytes();
    }

    @Test
    void aGapAfterTheHostsDropCountersMovedIsForgiven() {
        TsPackets ts = new TsPackets(clean);
        int cut = ts.packetAt(4.0);
        byte[] lossy = withDatagramsLost(cut);
        List<Found> found = new ArrayList<>();
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> found.add(new Found(c, p, t)));
        int notice = (cut - 50) * 188;
        analyzer.ingestChecked(0, 0);
        analyzer.accept(lossy, 0, notice);
        // The counters moved by one datagram; 100 packets were still buffered ahead of the reader.
        analyzer.ingestChecked(1, 100 * 188);
        analyzer.accept(lossy, notice, lossy.length - notice);
        analyzer.ingestChecked(0, 0);
        assertThat(found).isEmpty();
    }

    @Test
    void aGapSeenBeforeTheDropCountersMovedIsHeldAndDropped() {
        TsPackets ts = new TsPackets(clean);
        int cut = ts.packetAt(4.0);
        byte[] lossy = withDatagramsLost(cut);
        List<Found> found = new ArrayList<>();
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> found.add(new Found(c, p, t)));
        int notice = (cut + 50) * 188;
        analyzer.ingestChecked(0, 0);
        analyzer.accept(lossy, 0, notice);
        assertThat(found).as("held until the next check of the counters").isEmpty();
        analyzer.ingestChecked(1, 0);
        analyzer.accept(lossy, notice, lossy.length - notice);
        analyzer.ingestChecked(0, 0);
        assertThat(found).isEmpty();
    }

    @Test
    void aGapWhileTheDropCountersStandStillIsTheStreamsAndIsToldAtTheNextCheck() {
        TsPackets ts = new TsPackets(clean);
        int cut = ts.packetAt(4.0);
        int later = ts.packetAt(7.0);
        byte[] lossy = withDatagramsLost(cut, later);
        List<Found> found = new ArrayList<>();
        TsAnalyzer analyzer = new TsAnalyzer(TsLimits.STANDARD, (c, p, t) -> found.add(new Found(c, p, t)));
        int middle = ts.packetAt(5.5) * 188;
        analyzer.ingestChecked(0, 0);
        analyzer.accept(lossy, 0, middle);
        analyzer.ingestChecked(0, 0);
        List<Found> first = List.copyOf(found);
        // A drop whose window (its buffered bytes, then until the next check) ends long before the second gap does
        // not forgive it.
        analyzer.ingestChecked(1, 20 * 188);
        int windowEnd = middle + 40 * 188;
        analyzer.accept(lossy, middle, windowEnd - middle);
        analyzer.ingestChecked(0, 0);
        analyzer.accept(lossy, windowEnd, lossy.length - windowEnd);
        analyzer.ingestChecked(0, 0);
        assertThat(first).extracting(Found::check).contains(TsCheck.CONTINUITY_COUNT_ERROR);
        assertThat(found.subList(first.size(), found.size())).extracting(Found::check)
                .contains(TsCheck.CONTINUITY_COUNT_ERROR);
    }
}
