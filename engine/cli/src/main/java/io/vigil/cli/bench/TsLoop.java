package io.vigil.cli.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An MPEG-TS clip that plays as a never-ending live channel: loop after loop, each moved on in time so that the
 * timestamps go on as a live source's do (PTS, DTS and PCR advance by the clip's length each loop; the continuity
 * counters go on counting), with every packet due at the time its PCR says. Immutable after {@link #parse}; one loop
 * is shared by every stream that plays it, each filling its own datagrams ({@link #datagram}).
 *
 * <p>The clip must hold whole seconds of content (every stream's frames ending where the next loop's begin: a
 * 12 s clip of 30 fps video and 48 kHz MP2 audio does) and carry PCRs; a constant mux rate makes the pacing smooth.
 */
final class TsLoop {
    static final int PACKET_BYTES = 188;
    /** Seven packets a datagram, 1316 bytes: what every IPTV sender puts in one UDP payload. */
    static final int PACKETS_PER_DATAGRAM = 7;
    static final int DATAGRAM_BYTES = PACKET_BYTES * PACKETS_PER_DATAGRAM;
    private static final long TS_MASK = (1L << 33) - 1;
    private static final int NONE = -1;
    /** A null packet: PID 0x1FFF, payload only, stuffing. */
    static final byte[] NULL_PACKET = nullPacket();

    private final byte[] ts;
    private final int packets;
    private final long loopTicks;
    private final long loopNanos;
    /** Per packet: when it is due within a loop, from the PCRs; non-decreasing. */
    private final long[] dueNanos;
    /** Per packet: where its PCR base, PTS and DTS start, or NONE. */
    private final int[] pcrAt;
    private final int[] ptsAt;
    private final int[] dtsAt;
    /** Per PID: how far its continuity counter moves per loop (its packets with payload in one loop, mod 16). */
    private final int[] ccStepPerLoop = new int[8192];
    /** Where a receiver can join cleanly: the PAT just before a video keyframe's first packet, in order. */
    private final int[] joinPoints;
    /**
     * Per join point: the first packet from which the sound goes with the pictures, the start of the first audio
     * frame timed at or after the keyframe. The muxer sends sound a little behind the pictures of its time, so a
     * receiver joining at a keyframe would otherwise hear a fraction of a second before it sees anything.
     */
    private final int[] soundFrom;
    /** Per PID: carries a video PES (stream id 0xE0..0xEF), or another PES (sound). */
    private final boolean[] videoPid = new boolean[8192];
    private final boolean[] otherPesPid = new boolean[8192];

    private TsLoop(byte[] ts, double loopSeconds) {
        if (ts.length == 0 || ts.length % PACKET_BYTES != 0) {
            throw new IllegalArgumentException("not an MPEG-TS clip: " + ts.length + " bytes is not a whole number of"
                    + " 188-byte packets");
        }
        this.ts = ts;
        this.packets = ts.length / PACKET_BYTES;
        this.loopTicks = Math.round(loopSeconds * 90_000);
        this.loopNanos = Math.round(loopSeconds * 1e9);
        this.pcrAt = new int[packets];
        this.ptsAt = new int[packets];
        this.dtsAt = new int[packets];
        this.dueNanos = new long[packets];
        List<Integer> pcrPackets = new ArrayList<>();
        List<Long> pcrValues = new ArrayList<>();
        int pcrPid = NONE;
        int lastPat = NONE;
        List<Integer> joins = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            int p = i * PACKET_BYTES;
            if (ts[p] != 0x47) {
                throw new IllegalArgumentException("not an MPEG-TS clip: no sync byte at packet " + i);
            }
            int pid = ((ts[p + 1] & 0x1F) << 8) | (ts[p + 2] & 0xFF);
            boolean payloadStart = (ts[p + 1] & 0x40) != 0;
            int control = (ts[p + 3] >> 4) & 0x3;
            boolean adaptation = (control & 0x2) != 0;
            boolean payload = (control & 0x1) != 0;
            if (payload) {
                ccStepPerLoop[pid] = (ccStepPerLoop[pid] + 1) & 0xF;
            }
            int payloadAt = p + 4;
            pcrAt[i] = NONE;
            if (pid == 0) {
                lastPat = i;
            }
            if (adaptation) {
                int length = ts[p + 4] & 0xFF;
                payloadAt = p + 5 + length;
                // random_access_indicator on the first packet of a video PES (0xE0..0xEF; every audio frame is
                // marked too): a keyframe begins here.
                int pes = p + 5 + length;
                if (length > 0 && (ts[p + 5] & 0x40) != 0 && payloadStart && lastPat != NONE
                        && pes + 3 < p + PACKET_BYTES && (ts[pes + 3] & 0xF0) == 0xE0
                        && (joins.isEmpty() || joins.getLast() != lastPat)) {
                    joins.add(lastPat);
                }
                if (length > 0 && (ts[p + 5] & 0x10) != 0 && length >= 7) {
                    if (pcrPid == NONE) {
                        pcrPid = pid;
                    }
                    if (pid == pcrPid) {
                        pcrAt[i] = p + 6;
                        pcrPackets.add(i);
                        pcrValues.add(pcr(ts, p + 6));
                    }
                }
            }
            ptsAt[i] = NONE;
            dtsAt[i] = NONE;
            if (payload && payloadStart && pid != 0 && payloadAt + 19 <= p + PACKET_BYTES
                    && ts[payloadAt] == 0 && ts[payloadAt + 1] == 0 && ts[payloadAt + 2] == 1
                    && hasPesHeader(ts[payloadAt + 3] & 0xFF)) {
                boolean video = (ts[payloadAt + 3] & 0xF0) == 0xE0;
                videoPid[pid] |= video;
                otherPesPid[pid] |= !video;
                int flags = (ts[payloadAt + 7] >> 6) & 0x3;
                if ((flags & 0x2) != 0) {
                    ptsAt[i] = payloadAt + 9;
                }
                if (flags == 0x3) {
                    dtsAt[i] = payloadAt + 14;
                }
            }
        }
        if (joins.isEmpty()) {
            throw new IllegalArgumentException("the clip marks no keyframe (random_access_indicator), so no stream"
                    + " can join it cleanly");
        }
        joinPoints = joins.stream().mapToInt(Integer::intValue).toArray();
        soundFrom = new int[joinPoints.length];
        for (int j = 0; j < joinPoints.length; j++) {
            soundFrom[j] = soundFrom(joinPoints[j]);
        }
        if (pcrPackets.size() < 2) {
            throw new IllegalArgumentException("the clip carries fewer than two PCRs, so it cannot be paced");
        }
        pace(pcrPackets, pcrValues);
    }

    /** Reads a clip (a whole number of 188-byte packets) that holds {@code loopSeconds} of content. */
    static TsLoop parse(byte[] ts, double loopSeconds) {
        return new TsLoop(ts, loopSeconds);
    }

    /** Packets per loop. */
    int packets() {
        return packets;
    }

    long loopNanos() {
        return loopNanos;
    }

    /**
     * When packet {@code g} of the endless stream (loop {@code g / packets()}) is due, in nanoseconds from the start
     * of the first loop.
     */
    long dueNanos(long g) {
        return (g / packets) * loopNanos + dueNanos[(int) (g % packets)];
    }

    /**
     * Where a receiver joining about {@code seconds} into the clip begins: the first join point (the PAT before a
     * keyframe) due at or after it, else the clip's first. A live channel joined anywhere else gives the decoder
     * pictures whose references it never had, and sound before the first picture, which the detectors would rightly
     * report; the bench measures load, not joins.
     */
    int joinPointAt(double seconds) {
        long at = Math.round(seconds * 1e9);
        for (int j : joinPoints) {
            if (dueNanos[j] >= at) {
                return j;
            }
        }
        return joinPoints[0];
    }

    /** The first packet, after join point {@code join}, of an audio frame timed at or after the keyframe's picture. */
    private int soundFrom(int join) {
        long picture = -1;
        for (int i = join; i < packets; i++) {
            int pid = pid(i);
            if (picture < 0 && videoPid[pid] && ptsAt[i] != NONE) {
                picture = timestamp(ts, ptsAt[i]);
            } else if (picture >= 0 && otherPesPid[pid] && ptsAt[i] != NONE && timestamp(ts, ptsAt[i]) >= picture) {
                return i;
            }
        }
        return join;
    }

    private int pid(int i) {
        int p = i * PACKET_BYTES;
        return ((ts[p + 1] & 0x1F) << 8) | (ts[p + 2] & 0xFF);
    }

    /** For a receiver that joins at {@code joinPoint} ({@link #joinPointAt}): the packet its sound begins with. */
    int soundStart(int joinPoint) {
        for (int j = 0; j < joinPoints.length; j++) {
            if (joinPoints[j] == joinPoint) {
                return soundFrom[j];
            }
        }
        return joinPoint;
    }

    /**
     * Fills {@code out} (cleared first) with the datagram of packets {@code g .. g + 6} of the endless stream, their
     * timestamps and continuity counters moved on to their loop. Sound before packet {@code soundStart} (see
     * {@link #soundStart}) goes as null packets (PID 0x1FFF, which a demuxer discards), so that a receiver that
     * joined at a keyframe gets sound and picture together.
     */
    void datagram(long g, ByteBuffer out, int soundStart) {
        out.clear();
        for (long k = g; k < g + PACKETS_PER_DATAGRAM; k++) {
            int i = (int) (k % packets);
            long loop = k / packets;
            int start = out.position();
            if (k < soundStart && otherPesPid[pid(i)]) {
                out.put(NULL_PACKET);
                continue;
            }
            out.put(ts, i * PACKET_BYTES, PACKET_BYTES);
            if (loop == 0) {
                continue;
            }
            byte[] a = out.array();
            int base = out.arrayOffset() + start;
            int shift = i * PACKET_BYTES - base;
            long ticks = (loop * loopTicks) & TS_MASK;
            int pid = ((a[base + 1] & 0x1F) << 8) | (a[base + 2] & 0xFF);
            int cc = (int) ((a[base + 3] & 0xF) + loop * ccStepPerLoop[pid]) & 0xF;
            a[base + 3] = (byte) ((a[base + 3] & 0xF0) | cc);
            if (pcrAt[i] != NONE) {
                writePcrBase(a, pcrAt[i] - shift, (pcrBase(a, pcrAt[i] - shift) + ticks) & TS_MASK);
            }
            if (ptsAt[i] != NONE) {
                writeTimestamp(a, ptsAt[i] - shift, (timestamp(a, ptsAt[i] - shift) + ticks) & TS_MASK);
            }
            if (dtsAt[i] != NONE) {
                writeTimestamp(a, dtsAt[i] - shift, (timestamp(a, dtsAt[i] - shift) + ticks) & TS_MASK);
            }
        }
        out.flip();
    }

    /** Each packet's due time within a loop: linear between the PCRs, the first and last rate carried outwards. */
    private void pace(List<Integer> pcrPackets, List<Long> pcrValues) {
        int n = pcrPackets.size();
        long first = pcrValues.getFirst();
        for (int j = 0; j + 1 < n; j++) {
            int from = pcrPackets.get(j);
            int to = pcrPackets.get(j + 1);
            double fromNanos = (pcrValues.get(j) - first) / 27e6 * 1e9;
            double toNanos = (pcrValues.get(j + 1) - first) / 27e6 * 1e9;
            if (toNanos < fromNanos) {
                throw new IllegalArgumentException("the clip's PCRs go backwards at packet " + to);
            }
            double perPacket = (toNanos - fromNanos) / (to - from);
            int lo = j == 0 ? 0 : from;
            int hi = j + 2 == n ? packets : to;
            for (int i = lo; i < hi; i++) {
                dueNanos[i] = Math.max(0, Math.round(fromNanos + (i - from) * perPacket));
            }
        }
        for (int i = 1; i < packets; i++) {
            dueNanos[i] = Math.max(dueNanos[i], dueNanos[i - 1]);
        }
    }

    private static byte[] nullPacket() {
        byte[] packet = new byte[PACKET_BYTES];
        java.util.Arrays.fill(packet, (byte) 0xFF);
        packet[0] = 0x47;
        packet[1] = 0x1F;
        packet[2] = (byte) 0xFF;
        packet[3] = 0x10;
        return packet;
    }

    /** PES stream ids with the optional header that carries PTS and DTS (not padding, private_2, ECM and the like). */
    private static boolean hasPesHeader(int streamId) {
        return streamId >= 0xC0 && streamId <= 0xEF || streamId == 0xBD || streamId == 0xFD;
    }

    private static long pcr(byte[] a, int at) {
        return pcrBase(a, at) * 300 + (((a[at + 4] & 0x1) << 8) | (a[at + 5] & 0xFF));
    }

    private static long pcrBase(byte[] a, int at) {
        return ((a[at] & 0xFFL) << 25) | ((a[at + 1] & 0xFFL) << 17) | ((a[at + 2] & 0xFFL) << 9)
                | ((a[at + 3] & 0xFFL) << 1) | ((a[at + 4] & 0xFFL) >> 7);
    }

    private static void writePcrBase(byte[] a, int at, long base) {
        a[at] = (byte) (base >> 25);
        a[at + 1] = (byte) (base >> 17);
        a[at + 2] = (byte) (base >> 9);
        a[at + 3] = (byte) (base >> 1);
        a[at + 4] = (byte) ((a[at + 4] & 0x7F) | ((base & 1) << 7));
    }

    private static long timestamp(byte[] a, int at) {
        return (((a[at] >> 1) & 0x7L) << 30) | ((a[at + 1] & 0xFFL) << 22) | (((a[at + 2] & 0xFFL) >> 1) << 15)
                | ((a[at + 3] & 0xFFL) << 7) | ((a[at + 4] & 0xFFL) >> 1);
    }

    private static void writeTimestamp(byte[] a, int at, long t) {
        a[at] = (byte) ((a[at] & 0xF1) | ((t >> 29) & 0x0E));
        a[at + 1] = (byte) (t >> 22);
        a[at + 2] = (byte) (((t >> 14) & 0xFE) | 1);
        a[at + 3] = (byte) (t >> 7);
        a[at + 4] = (byte) (((t << 1) & 0xFE) | 1);
    }
}
