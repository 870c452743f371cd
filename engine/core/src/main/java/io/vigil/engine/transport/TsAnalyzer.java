package io.vigil.engine.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * ETSI TR 101 290 priority 1 and 2 checks over the bytes of a transport stream, in whatever chunks they come, each
 * occurrence told to a {@link TsListener} with its check and PID; SCTE-35 cues on the PIDs the PMTs declare. Only
 * PSI and SCTE-35 sections are copied (to check their CRC and parse them); every other packet is read in place.
 *
 * <p>Time is the multiplex's own: the timed checks (PAT, PMT, PID silence, PTS intervals) time each packet by its
 * place between the two reference PCRs (the first program's PCR PID) around it, as an analyser at line rate would
 * see it arrive; so a file is judged at any read speed, and a variable-rate multiplex (an I-frame's burst after a
 * black picture's trickle) is timed by its own PCRs, not by a bit rate measured elsewhere. A packet's time is known
 * at the next reference PCR, where the checks run. Across a PCR discontinuity the clock goes on by the bytes at the
 * bit rate measured before it (over windows of {@value #RATE_WINDOW_SECONDS} s). A PCR that went back, or moved far
 * more than the bytes since the previous one say, without its
 * discontinuity_indicator, is a PCR_discontinuity_indicator_error; one that came late (a gap) is a
 * PCR_repetition_error. The timed checks start at the first reference PCR.
 *
 * <p>On an input that loses datagrams on this host before vigil reads them (a UDP socket's receive buffer, FFmpeg's
 * circular buffer: see {@link #ingestChecked}), the gaps those losses leave are not the stream's fault: errors are
 * held until the next check of the host's drop counters, dropped if the counters moved, and forgiven (continuity
 * resynchronised) in the bytes that were still buffered when they moved.
 *
 * <p>Not thread-safe: one feeding thread.
 */
public final class TsAnalyzer {
    static final int PACKET = 188;
    private static final byte SYNC = 0x47;
    private static final int PIDS = 8192;
    private static final int NULL_PID = 0x1FFF;
    /** Packets in a row with a sync byte that acquire sync, and bad ones in a row that lose it (TR 101 290 1.1). */
    private static final int SYNC_ACQUIRE = 5;
    private static final int SYNC_LOSE = 2;
    /** Bytes without sync after which the input is taken not to be a transport stream. */
    private static final int GIVE_UP_BYTES = 64 * 1024;
    static final double RATE_WINDOW_SECONDS = 0.3;
    /** 2^33 ticks of 90 kHz: where PCR and PTS bases wrap. */
    private static final double WRAP_SECONDS = (double) (1L << 33) / 90_000;
    private static final int MAX_SECTION = 4096 + 3;

    private static final byte KIND_OTHER = 0;
    /** SI tables whose sections carry a CRC (CAT, NIT, SDT/BAT, EIT, TOT). */
    private static final byte KIND_SI = 1;
    private static final byte KIND_PAT = 2;
    private static final byte KIND_PMT = 3;
    private static final byte KIND_PES = 4;
    private static final byte KIND_SCTE35 = 5;

    private final TsLimits limits;
    private final TsListener listener;

    // Framing.
    private final byte[] carry = new byte[PACKET * (SYNC_ACQUIRE + 1)];
    private final MemorySegment carrySegment = MemorySegment.ofArray(carry);
    private int carryLength;
    private boolean synced;
    private boolean everSynced;
    private boolean notTransport;
    private long huntedBytes;
    private int badSyncRun;
    /** Stream position of the first byte not yet analysed (see {@link #accept(long, MemorySegment)}). */
    private long analysedUpTo;
    private long packets;

    // Per PID.
    private final byte[] kind = new byte[PIDS];
    /** Last continuity counter, or -1 before the PID's first packet with payload. */
    private final byte[] lastCc = new byte[PIDS];
    private final byte[] repeats = new byte[PIDS];
    /** Packet count at the PID's latest packet (PID_error), table (PAT/PMT_error) and PTS (PTS_error); -1: none yet. */
    private final long[] lastSeenPacket = new long[PIDS];
    private final long[] lastTablePacket = new long[PIDS];
    private final long[] lastPtsPacket = new long[PIDS];
    /** The same on the multiplex clock (see {@link #clock}), known from the next reference PCR on; NaN before. */
    private final double[] lastSeenTime = new double[PIDS];
    private final double[] lastTableTime = new double[PIDS];
    private final double[] lastPtsTime = new double[PIDS];
    /** The first PES with a PTS since the last reference PCR, -1: none; the time of the one before it. */
    private final long[] firstPtsPacketSinceClock = new long[PIDS];
    private final double[] ptsGapFrom = new double[PIDS];
    /** PIDs with a packet since the last reference PCR, whose times that PCR's successor tells. */
    private final int[] untimed = new int[PIDS];
    private int untimedCount;
    private final BitSet untimedSet = new BitSet(PIDS);
    private final SectionBuffer[] sections = new SectionBuffer[PIDS];

    // Tables.
    private final BitSet pmtPids = new BitSet();
    private final Map<Integer, BitSet> referencedByPmt = new HashMap<>();
    /** PIDs a PMT names that send only now and then (see {@link #continuous}): no PID_error, no PTS_error. */
    private final BitSet sporadic = new BitSet();
    private final Map<Integer, Integer> pmtCrc = new HashMap<>();
    private int patCrc;
    private boolean patSeen;

    // Clock.
    private final Map<Integer, PcrState> pcrs = new HashMap<>();
    private int referencePcrPid = -1;
    private double referencePcr = Double.NaN;
    private long referencePcrPacket;
    private double windowPcr = Double.NaN;
    private long windowPacket;
    private double bitsPerSecond = Double.NaN;
    /**
     * The multiplex clock at the last reference PCR: seconds that go on with the reference PCR's steps, and across
     * a discontinuity (flagged, a jump, an HLS break) by the bytes at the last bit rate; NaN before the first.
     */
    private double clock = Double.NaN;
    private long clockPacket;
    /** Whether the reference PCR does not continue the last one the clock took (see {@link #discontinuity}). */
    private boolean clockBroken;

    // Ingest drops (see ingestChecked).
    /** Held errors at most: beyond, the oldest is told as it stands. */
    private static final int MAX_HELD = 4096;
    private boolean holding;
    /** Whether the last {@link #ingestChecked} found drops (see there). */
    private boolean dropsAtLastCheck;
    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();
    /** Up to this packet, continuity errors use up their PID's credit and others are forgiven; -1: none. */
    private long forgiveUntilPacket = -1;
    private final int[] continuityCredit = new int[PIDS];

    private record Held(TsCheck check, int pid, double clockSeconds) {
    }

    public TsAnalyzer(TsLimits limits, TsListener listener) {
        this.limits = limits;
        this.listener = listener;
        reset();
    }

    /** Forgets the stream (a new input begins): framing, tables, counters and clock start over. */
    public void reset() {
        carryLength = 0;
        synced = false;
        everSynced = false;
        notTransport = false;
        huntedBytes = 0;
        badSyncRun = 0;
        analysedUpTo = 0;
        packets = 0;
        Arrays.fill(kind, KIND_OTHER);
        kind[0] = KIND_PAT;
        kind[1] = KIND_SI;
        for (int pid = 0x10; pid <= 0x14; pid++) {
            kind[pid] = KIND_SI;
        }
        Arrays.fill(lastCc, (byte) -1);
        Arrays.fill(repeats, (byte) 0);
        Arrays.fill(lastSeenPacket, -1);
        Arrays.fill(lastTablePacket, -1);
        Arrays.fill(lastPtsPacket, -1);
        Arrays.fill(lastSeenTime, Double.NaN);
        Arrays.fill(lastTableTime, Double.NaN);
        Arrays.fill(lastPtsTime, Double.NaN);
        Arrays.fill(firstPtsPacketSinceClock, -1);
        Arrays.fill(ptsGapFrom, Double.NaN);
        untimedCount = 0;
        untimedSet.clear();
        Arrays.fill(sections, null);
        pmtPids.clear();
        referencedByPmt.clear();
        sporadic.clear();
        pmtCrc.clear();
        patSeen = false;
        pcrs.clear();
        referencePcrPid = -1;
        referencePcr = Double.NaN;
        windowPcr = Double.NaN;
        bitsPerSecond = Double.NaN;
        clock = Double.NaN;
        clockPacket = 0;
        clockBroken = false;
        holding = false;
        dropsAtLastCheck = false;
        held.clear();
        forgiveUntilPacket = -1;
        Arrays.fill(continuityCredit, 0);
    }

    /**
     * The host's drop counters were read (an input that loses datagrams before vigil sees them, as UDP can): from
     * the first call on, errors are held until the next. {@code droppedDatagrams} 0: what was held is told.
     * Otherwise the gaps the drops left lie among the bytes seen since the last call, or among the next
     * {@code bufferedBytes}: what was held is dropped; continuity and PCR state are forgotten; in those next bytes a
     * continuity error on a PID is forgiven (resynchronised) up to one per datagram dropped, the other checks are
     * forgiven, and the bit rate (measured before the drop) is measured anew only after them. What is held at the
     * check after one that found drops is dropped too: a datagram that came after the gap may have been queued only
     * once the reader made room, after the counters were read (a real error in that window is forgiven with it).
     */
    public void ingestChecked(long droppedDatagrams, long bufferedBytes) {
        holding = true;
        if (droppedDatagrams <= 0) {
            if (dropsAtLastCheck) {
                held.clear();
            } else {
                release();
            }
            dropsAtLastCheck = false;
            return;
        }
        dropsAtLastCheck = true;
        held.clear();
        // A datagram's worth more: the one being read when the counters were read.
        forgiveUntilPacket = packets + bufferedBytes / PACKET + 7;
        Arrays.fill(continuityCredit, (int) Math.min(droppedDatagrams, Integer.MAX_VALUE));
        Arrays.fill(lastCc, (byte) -1);
        for (PcrState state : pcrs.values()) {
            state.value = Double.NaN;
        }
        // The rate measured before the drop stands; the next is measured on bytes after those it may have torn.
        windowPcr = Double.NaN;
    }

    /**
     * The next bytes do not continue the ones before (an HLS segment after a discontinuity or a gap): continuity and
     * PCR state are forgotten, and a packet cut short at the break is dropped.
     */
    public void discontinuity() {
        Arrays.fill(lastCc, (byte) -1);
        for (PcrState state : pcrs.values()) {
            state.value = Double.NaN;
        }
        windowPcr = Double.NaN;
        clockBroken = true;
        if (synced) {
            carryLength = 0;
        }
    }

    private void release() {
        for (Held h = held.poll(); h != null; h = held.poll()) {
            listener.error(h.check, h.pid, h.clockSeconds);
        }
    }

    /** Packets analysed since the start (or the last {@link #reset}). */
    public long packets() {
        return packets;
    }

    /** Whether the bytes so far were a transport stream: false once {@value #GIVE_UP_BYTES} bytes gave no sync. */
    public boolean transportStream() {
        return !notTransport;
    }

    /** The multiplex's bit rate as its PCRs give it, or NaN before it is known. */
    public double bitsPerSecond() {
        return bitsPerSecond;
    }

    /**
     * The next bytes of the stream, at stream position {@code position}: bytes before the analysed end (a demuxer
     * that seeked back after probing) are skipped, and bytes after a gap (one that probed the file's end) are not
     * analysed, so that every byte is analysed once, in order.
     */
    public void accept(long position, MemorySegment data) {
        long end = position + data.byteSize();
        if (end <= analysedUpTo || position > analysedUpTo) {
            return;
        }
        long from = analysedUpTo - position;
        analysedUpTo = end;
        feed(data, from, data.byteSize());
    }

    /** The next bytes of the stream. */
    public void accept(MemorySegment data) {
        accept(analysedUpTo, data);
    }

    /** The next {@code length} bytes of the stream, from {@code bytes[offset]}. */
    public void accept(byte[] bytes, int offset, int length) {
        accept(MemorySegment.ofArray(bytes).asSlice(offset, length));
    }

    private void feed(MemorySegment s, long from, long to) {
        if (notTransport) {
            return;
        }
        long i = from;
        while (i < to) {
            if (!synced) {
                int n = (int) Math.min(to - i, carry.length - carryLength);
                MemorySegment.copy(s, JAVA_BYTE, i, carry, carryLength, n);
                carryLength += n;
                i += n;
                hunt();
                if (notTransport) {
                    return;
                }
            } else if (carryLength > 0) {
                int n = (int) Math.min(to - i, PACKET - carryLength);
                MemorySegment.copy(s, JAVA_BYTE, i, carry, carryLength, n);
                carryLength += n;
                i += n;
                if (carryLength == PACKET) {
                    carryLength = 0;
                    if (!packet(carrySegment, 0)) {
                        // Hunt again from the byte after the bad packet's start.
                        System.arraycopy(carry, 1, carry, 0, PACKET - 1);
                        carryLength = PACKET - 1;
                    }
                }
            } else {
                while (i + PACKET <= to) {
                    if (!packet(s, i)) {
                        i++;
                        break;
                    }
                    i += PACKET;
                }
                if (synced && i < to) {
                    int n = (int) (to - i);
                    MemorySegment.copy(s, JAVA_BYTE, i, carry, 0, n);
                    carryLength = n;
                    i = to;
                }
            }
        }
    }

    /** Looks for {@value #SYNC_ACQUIRE} sync bytes a packet apart in the carry; analyses from there once found. */
    private void hunt() {
        int last = carryLength - (SYNC_ACQUIRE - 1) * PACKET;
        for (int k = 0; k < last; k++) {
            if (carry[k] != SYNC) {
                continue;
            }
            boolean found = true;
            for (int j = 1; j < SYNC_ACQUIRE && found; j++) {
                found = carry[k + j * PACKET] == SYNC;
            }
            if (found) {
                synced = true;
                everSynced = true;
                badSyncRun = 0;
                int at = k;
                while (synced && at + PACKET <= carryLength) {
                    if (!packet(carrySegment, at)) {
                        at++;
                        break;
                    }
                    at += PACKET;
                }
                System.arraycopy(carry, at, carry, 0, carryLength - at);
                carryLength -= at;
                if (!synced) {
                    hunt();
                }
                return;
            }
        }
        int dropped = Math.max(0, last);
        if (dropped > 0) {
            System.arraycopy(carry, dropped, carry, 0, carryLength - dropped);
            carryLength -= dropped;
            huntedBytes += dropped;
            if (!everSynced && huntedBytes > GIVE_UP_BYTES) {
                notTransport = true;
                carryLength = 0;
            }
        }
    }

    /** One packet at {@code o}; false when its sync byte is the second bad one in a row (sync lost). */
    private boolean packet(MemorySegment s, long o) {
        int b1 = s.get(JAVA_BYTE, o + 1) & 0xFF;
        int b2 = s.get(JAVA_BYTE, o + 2) & 0xFF;
        int b3 = s.get(JAVA_BYTE, o + 3) & 0xFF;
        int pid = ((b1 & 0x1F) << 8) | b2;
        if (s.get(JAVA_BYTE, o) != SYNC) {
            error(TsCheck.SYNC_BYTE_ERROR, -1);
            if (++badSyncRun >= SYNC_LOSE) {
                synced = false;
                error(TsCheck.TS_SYNC_LOSS, -1);
                return false;
            }
            // One bad sync byte alone: the rest of the packet is read as usual.
        } else {
            badSyncRun = 0;
        }
        packets++;
        if (pid == NULL_PID) {
            return true;
        }
        seen(pid);
        boolean transportError = (b1 & 0x80) != 0;
        if (transportError) {
            error(TsCheck.TRANSPORT_ERROR, pid);
        }
        int scrambling = b3 >>> 6;
        int adaptation = (b3 >>> 4) & 3;
        int cc = b3 & 0x0F;
        boolean discontinuity = false;
        long payload = o + 4;
        if ((adaptation & 2) != 0) {
            int length = s.get(JAVA_BYTE, o + 4) & 0xFF;
            payload = o + 5 + length;
            if (length > 0) {
                int flags = s.get(JAVA_BYTE, o + 5) & 0xFF;
                discontinuity = (flags & 0x80) != 0;
                if ((flags & 0x10) != 0 && length >= 7 && !transportError) {
                    long base = ((s.get(JAVA_BYTE, o + 6) & 0xFFL) << 25) | ((s.get(JAVA_BYTE, o + 7) & 0xFFL) << 17)
                            | ((s.get(JAVA_BYTE, o + 8) & 0xFFL) << 9) | ((s.get(JAVA_BYTE, o + 9) & 0xFFL) << 1)
                            | ((s.get(JAVA_BYTE, o + 10) & 0xFFL) >>> 7);
                    int extension = ((s.get(JAVA_BYTE, o + 10) & 1) << 8) | (s.get(JAVA_BYTE, o + 11) & 0xFF);
                    pcr(pid, base / 90_000.0 + extension / 27_000_000.0, discontinuity);
                }
            }
        }
        boolean hasPayload = (adaptation & 1) != 0;
        boolean ccOk = !hasPayload || continuity(pid, cc, discontinuity);
        byte k = kind[pid];
        if (scrambling != 0 && (k == KIND_PAT || k == KIND_PMT)) {
            error(k == KIND_PAT ? TsCheck.PAT_ERROR : TsCheck.PMT_ERROR, pid);
            return true;
        }
        if (!hasPayload || transportError || payload >= o + PACKET || k == KIND_OTHER) {
            return true;
        }
        boolean start = (b1 & 0x40) != 0;
        if (k == KIND_PES) {
            if (start) {
                pes(pid, s, payload, o + PACKET);
            }
        } else {
            SectionBuffer buffer = sections[pid];
            if (buffer == null) {
                buffer = sections[pid] = new SectionBuffer();
            }
            if (!ccOk) {
                buffer.length = -1;
            }
            sectionPayload(pid, buffer, s, payload, o + PACKET, start);
        }
        return true;
    }

    /** TR 101 290 1.4: false (and an error) when a packet is missing, out of order or repeated more than once. */
    private boolean continuity(int pid, int cc, boolean discontinuity) {
        int last = lastCc[pid];
        lastCc[pid] = (byte) cc;
        if (last < 0 || discontinuity) {
            repeats[pid] = 0;
            return true;
        }
        if (cc == last) {
            if (++repeats[pid] == 1) {
                return true;
            }
        } else {
            repeats[pid] = 0;
            if (cc == ((last + 1) & 0x0F)) {
                return true;
            }
        }
        error(TsCheck.CONTINUITY_COUNT_ERROR, pid);
        return false;
    }

    private void pcr(int pid, double raw, boolean discontinuity) {
        PcrState state = pcrs.computeIfAbsent(pid, p -> new PcrState());
        double value = raw + state.wrapSeconds;
        if (!Double.isNaN(state.value) && value - state.value < -WRAP_SECONDS / 2) {
            state.wrapSeconds += WRAP_SECONDS;
            value += WRAP_SECONDS;
        }
        boolean broken = discontinuity;
        if (!Double.isNaN(state.value) && !discontinuity) {
            double moved = value - state.value;
            double elapsed = secondsSince(state.packet);
            // Only a PCR far ahead of what the bytes say is a jump: a variable-rate multiplex sends bursts (an
            // I-frame) whose bytes overstate the time between two PCRs, never much understate it.
            boolean jumped = moved < 0 || (!Double.isNaN(elapsed)
                    && moved > limits.pcrJumpSeconds() + 3 * elapsed);
            if (jumped) {
                error(TsCheck.PCR_DISCONTINUITY_INDICATOR_ERROR, pid);
                broken = true;
            } else if (moved > limits.pcrIntervalSeconds()) {
                error(TsCheck.PCR_REPETITION_ERROR, pid);
            }
        }
        state.value = value;
        state.packet = packets;
        if (referencePcrPid < 0) {
            referencePcrPid = pid;
        }
        if (pid == referencePcrPid) {
            referenceClock(value, broken);
        }
    }

    private void referenceClock(double value, boolean broken) {
        advanceClock(Double.isNaN(referencePcr) || broken || clockBroken ? Double.NaN : value - referencePcr);
        clockBroken = false;
        referencePcr = value;
        referencePcrPacket = packets;
        if (Double.isNaN(windowPcr) || broken || packets <= forgiveUntilPacket) {
            windowPcr = value;
            windowPacket = packets;
        } else if (value - windowPcr >= RATE_WINDOW_SECONDS) {
            bitsPerSecond = (packets - windowPacket) * PACKET * 8.0 / (value - windowPcr);
            windowPcr = value;
            windowPacket = packets;
        }
        timedChecks();
    }

    /** Seconds at the multiplex's bit rate since packet number {@code packet}; NaN before the rate is known. */
    private double secondsSince(long packet) {
        return (packets - packet) * PACKET * 8.0 / bitsPerSecond;
    }

    /**
     * A reference PCR came: the clock moves on by {@code pcrSeconds} (NaN: the PCR does not continue the last one,
     * so by the bytes since at the last bit rate), and each packet since the last reference PCR that the checks
     * remember gets its time by its place between the two.
     */
    private void advanceClock(double pcrSeconds) {
        double before = clock;
        long from = clockPacket;
        double step = !Double.isNaN(pcrSeconds) ? pcrSeconds
                : Double.isNaN(bitsPerSecond) || Double.isNaN(before) ? 0 : secondsSince(from);
        clock = Double.isNaN(before) ? 0 : before + Math.max(0, step);
        clockPacket = packets;
        for (int i = 0; i < untimedCount; i++) {
            int pid = untimed[i];
            untimedSet.clear(pid);
            if (lastSeenPacket[pid] > from) {
                lastSeenTime[pid] = timeOf(lastSeenPacket[pid], before, from);
            }
            if (lastTablePacket[pid] > from) {
                lastTableTime[pid] = timeOf(lastTablePacket[pid], before, from);
            }
            if (firstPtsPacketSinceClock[pid] >= 0) {
                double first = timeOf(firstPtsPacketSinceClock[pid], before, from);
                if (first - ptsGapFrom[pid] > limits.ptsIntervalSeconds()) {
                    error(TsCheck.PTS_ERROR, pid);
                }
                lastPtsTime[pid] = timeOf(lastPtsPacket[pid], before, from);
                firstPtsPacketSinceClock[pid] = -1;
            }
        }
        untimedCount = 0;
    }

    /** The clock at {@code packet}, a packet since the reference PCR at {@code from} whose clock was {@code before}. */
    private double timeOf(long packet, double before, long from) {
        if (Double.isNaN(before) || clockPacket <= from) {
            return clock; // before the first reference PCR: as if at it
        }
        return before + (clock - before) * (packet - from) / (clockPacket - from);
    }

    /** PAT, PMT and PID silence, checked at each reference PCR on the times of their last packets. */
    private void timedChecks() {
        if (Double.isNaN(lastTableTime[0])) {
            lastTableTime[0] = clock; // no PAT yet: counted from the first reference PCR
        }
        if (clock - lastTableTime[0] > limits.patIntervalSeconds()) {
            error(TsCheck.PAT_ERROR, 0);
            lastTableTime[0] = clock;
        }
        for (int pid = pmtPids.nextSetBit(0); pid >= 0; pid = pmtPids.nextSetBit(pid + 1)) {
            if (clock - lastTableTime[pid] > limits.pmtIntervalSeconds()) {
                error(TsCheck.PMT_ERROR, pid);
                lastTableTime[pid] = clock;
            }
        }
        for (BitSet referenced : referencedByPmt.values()) {
            for (int pid = referenced.nextSetBit(0); pid >= 0; pid = referenced.nextSetBit(pid + 1)) {
                if (clock - lastSeenTime[pid] > limits.pidSilenceSeconds()) {
                    error(TsCheck.PID_ERROR, pid);
                    lastSeenTime[pid] = clock;
                }
            }
        }
    }

    /** A packet of {@code pid} now. */
    private void seen(int pid) {
        lastSeenPacket[pid] = packets;
        untimed(pid);
    }

    /** A PAT or PMT on {@code pid} (or a PMT PID newly named) now. */
    private void table(int pid) {
        lastTablePacket[pid] = packets;
        untimed(pid);
    }

    private void untimed(int pid) {
        if (!untimedSet.get(pid)) {
            untimedSet.set(pid);
            untimed[untimedCount++] = pid;
        }
    }

    /** A PES packet starts at {@code p}: TR 101 290 2.5 on the gap since its PID's previous PTS. */
    private void pes(int pid, MemorySegment s, long p, long end) {
        if (end - p < 14 || s.get(JAVA_BYTE, p) != 0 || s.get(JAVA_BYTE, p + 1) != 0
                || s.get(JAVA_BYTE, p + 2) != 1) {
            return;
        }
        int streamId = s.get(JAVA_BYTE, p + 3) & 0xFF;
        // padding, private_stream_2, ECM, EMM, DSM-CC, H.222.1 type E, program stream directory: no PES header.
        if (streamId == 0xBE || streamId == 0xBF || streamId == 0xF0 || streamId == 0xF1 || streamId == 0xF2
                || streamId == 0xF8 || streamId == 0xFF || streamId == 0xBC) {
            return;
        }
        if ((s.get(JAVA_BYTE, p + 7) & 0x80) == 0) {
            return;
        }
        // A subtitle page comes when the text changes: PTS_error is for streams that send all the time. The gap is
        // judged at the next reference PCR, which times this packet; a later PES before it is closer still.
        if (firstPtsPacketSinceClock[pid] < 0 && !sporadic.get(pid)) {
            firstPtsPacketSinceClock[pid] = packets;
            ptsGapFrom[pid] = lastPtsTime[pid];
            untimed(pid);
        }
        lastPtsPacket[pid] = packets;
    }

    private void sectionPayload(int pid, SectionBuffer b, MemorySegment s, long p, long end, boolean start) {
        if (start) {
            int pointer = s.get(JAVA_BYTE, p) & 0xFF;
            p++;
            if (b.length > 0) {
                long tail = Math.min(end, p + pointer);
                if (b.append(s, p, tail)) {
                    section(pid, b);
                }
            }
            p += pointer;
            b.length = 0;
            while (p < end) {
                if (b.length == 0 && (s.get(JAVA_BYTE, p) & 0xFF) == 0xFF) {
                    break; // stuffing after the last section
                }
                long before = b.length;
                boolean complete = b.append(s, p, end);
                if (!complete) {
                    break;
                }
                p += b.total - before;
                section(pid, b);
                b.length = 0;
            }
        } else if (b.length > 0) {
            if (b.append(s, p, end)) {
                section(pid, b);
                b.length = -1;
            }
        }
    }

    private void section(int pid, SectionBuffer b) {
        byte[] d = b.data;
        int total = b.total;
        int tableId = d[0] & 0xFF;
        boolean syntax = (d[1] & 0x80) != 0;
        int crc = 0;
        if (syntax || tableId == SpliceInfo.TABLE_ID) {
            if (total < 7 || Crc32Mpeg.of(d, 0, total) != 0) {
                error(TsCheck.CRC_ERROR, pid);
                return;
            }
            crc = ((d[total - 4] & 0xFF) << 24) | ((d[total - 3] & 0xFF) << 16) | ((d[total - 2] & 0xFF) << 8)
                    | (d[total - 1] & 0xFF);
        }
        switch (kind[pid]) {
            case KIND_PAT -> {
                if (tableId != 0x00) {
                    error(TsCheck.PAT_ERROR, pid);
                    return;
                }
                table(0);
                if (!patSeen || crc != patCrc) {
                    patSeen = true;
                    patCrc = crc;
                    pat(d, total);
                }
            }
            case KIND_PMT -> {
                if (tableId == 0x02) {
                    table(pid);
                    Integer known = pmtCrc.put(pid, crc);
                    if (known == null || known != crc) {
                        pmt(pid, d, total);
                    }
                }
            }
            case KIND_SCTE35 -> {
                if (tableId == SpliceInfo.TABLE_ID) {
                    SpliceInfo cue = SpliceInfo.parse(d, 0, total);
                    if (cue != null) {
                        listener.splice(cue, pid, clockSeconds());
                    }
                }
            }
            default -> {
            }
        }
    }

    private void pat(byte[] d, int total) {
        BitSet named = new BitSet();
        for (int i = 8; i + 4 <= total - 4; i += 4) {
            int program = ((d[i] & 0xFF) << 8) | (d[i + 1] & 0xFF);
            int pid = ((d[i + 2] & 0x1F) << 8) | (d[i + 3] & 0xFF);
            if (program == 0) {
                kind[pid] = KIND_SI;
            } else if (pid > 0x1F && pid < NULL_PID) {
                named.set(pid);
            }
        }
        for (int pid = pmtPids.nextSetBit(0); pid >= 0; pid = pmtPids.nextSetBit(pid + 1)) {
            if (!named.get(pid)) {
                kind[pid] = KIND_OTHER;
                referencedByPmt.remove(pid);
                pmtCrc.remove(pid);
            }
        }
        for (int pid = named.nextSetBit(0); pid >= 0; pid = named.nextSetBit(pid + 1)) {
            if (!pmtPids.get(pid)) {
                kind[pid] = KIND_PMT;
                table(pid);
            }
        }
        pmtPids.clear();
        pmtPids.or(named);
    }

    /**
     * Whether a PID of {@code streamType} (its ES descriptors at {@code d[from..from+length)}) sends all the time, so
     * that a silence is PID_error: video and audio do. What sends only now and then does not: SCTE-35 cues (often only
     * at breaks), other private sections, DSM-CC, metadata, and private PES carrying DVB subtitles or teletext (a page
     * when the text changes); private PES with an AC-3, E-AC-3, DTS or AAC descriptor is audio and is watched.
     */
    static boolean continuous(int streamType, byte[] d, int from, int length) {
        return switch (streamType) {
            case 0x05, 0x0A, 0x0B, 0x0C, 0x0D, 0x13, 0x14, 0x15, 0x16, 0x17, 0x86 -> false;
            case 0x06 -> {
                // Bounded by the array too: an ES_info_length that runs past the section reads no further.
                int end = Math.min(from + length, d.length);
                for (int j = from; j + 2 <= end; j += 2 + (d[j + 1] & 0xFF)) {
                    int tag = d[j] & 0xFF;
                    if (tag == 0x6A || tag == 0x7A || tag == 0x7B || tag == 0x7C || tag == 0x05 && isAudioRegistration(d, j)) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> true;
        };
    }

    /** A registration descriptor naming an audio format carried in private PES (AC-3, E-AC-3, DTS, Opus). */
    private static boolean isAudioRegistration(byte[] d, int j) {
        if ((d[j + 1] & 0xFF) < 4 || j + 6 > d.length) {
            return false;
        }
        String id = new String(d, j + 2, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return id.equals("AC-3") || id.equals("EAC3") || id.equals("DTS1") || id.equals("DTS2") || id.equals("DTS3")
                || id.equals("Opus");
    }

    private void pmt(int pmtPid, byte[] d, int total) {
        if (total < 16) {
            return;
        }
        int pcrPid = ((d[8] & 0x1F) << 8) | (d[9] & 0xFF);
        int programInfo = ((d[10] & 0x0F) << 8) | (d[11] & 0xFF);
        BitSet referenced = new BitSet();
        if (pcrPid != NULL_PID) {
            referenced.set(pcrPid);
        }
        for (int i = 12 + programInfo; i + 5 <= total - 4; ) {
            int streamType = d[i] & 0xFF;
            int pid = ((d[i + 1] & 0x1F) << 8) | (d[i + 2] & 0xFF);
            int esInfo = ((d[i + 3] & 0x0F) << 8) | (d[i + 4] & 0xFF);
            i += 5 + esInfo;
            if (pid <= 0x1F || pid == NULL_PID) {
                continue;
            }
            if (continuous(streamType, d, i - esInfo, esInfo)) {
                referenced.set(pid);
                sporadic.clear(pid);
            } else {
                sporadic.set(pid);
            }
            kind[pid] = switch (streamType) {
                case 0x86 -> KIND_SCTE35;
                case 0x05 -> KIND_OTHER; // private sections other than SCTE-35: nothing to check
                default -> KIND_PES;
            };
        }
        BitSet before = referencedByPmt.put(pmtPid, referenced);
        for (int pid = referenced.nextSetBit(0); pid >= 0; pid = referenced.nextSetBit(pid + 1)) {
            if ((before == null || !before.get(pid)) && lastSeenPacket[pid] < 0) {
                seen(pid);
            }
        }
        if (referencePcrPid < 0 && pcrPid != NULL_PID) {
            referencePcrPid = pcrPid;
        }
    }

    /** The multiplex's clock at the current packet: the reference PCR moved on by the bytes since; NaN before it. */
    private double clockSeconds() {
        if (Double.isNaN(referencePcr)) {
            return Double.NaN;
        }
        return Double.isNaN(bitsPerSecond) ? referencePcr : referencePcr + secondsSince(referencePcrPacket);
    }

    private void error(TsCheck check, int pid) {
        if (!holding) {
            listener.error(check, pid, clockSeconds());
            return;
        }
        if (packets <= forgiveUntilPacket) {
            // Among the bytes a drop may have torn: a continuity gap per datagram dropped, and whatever else.
            if (check != TsCheck.CONTINUITY_COUNT_ERROR || pid < 0 || continuityCredit[pid] > 0) {
                if (pid >= 0) {
                    continuityCredit[pid] = Math.max(0, continuityCredit[pid] - 1);
                }
                return;
            }
        }
        if (held.size() == MAX_HELD) {
            Held oldest = held.poll();
            listener.error(oldest.check, oldest.pid, oldest.clockSeconds);
        }
        held.add(new Held(check, pid, clockSeconds()));
    }

    /** One PCR PID's last PCR, unwrapped. */
    private static final class PcrState {
        double value = Double.NaN;
        double wrapSeconds;
        long packet;
    }

    /** A section being gathered from the packets of one PID; length -1 or 0: none in progress. */
    private static final class SectionBuffer {
        final byte[] data = new byte[MAX_SECTION];
        int length = -1;
        int total;

        /** Appends from {@code [p, end)} up to the section's end; true once the section is whole. */
        boolean append(MemorySegment s, long p, long end) {
            if (length < 0) {
                return false;
            }
            if (length < 3) {
                int n = (int) Math.min(3 - length, end - p);
                MemorySegment.copy(s, JAVA_BYTE, p, data, length, n);
                length += n;
                p += n;
                if (length < 3) {
                    return false;
                }
                total = 3 + (((data[1] & 0x0F) << 8) | (data[2] & 0xFF));
                if (total > data.length) {
                    length = -1;
                    return false;
                }
            }
            int n = (int) Math.min(total - length, end - p);
            if (n > 0) {
                MemorySegment.copy(s, JAVA_BYTE, p, data, length, n);
                length += n;
            }
            return length == total;
        }
    }
}
