package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * Takes the MPEG-TS payload out of RTP packets (RFC 3550 headers, payload type 33 as RFC 2250 sends it) and follows
 * their sequence numbers: a gap is packets lost before this host; a packet behind the one expected (reordered or
 * duplicated) is counted and left out, so that no bytes are fed twice. One instance per input, on its reading thread.
 */
final class RtpPayloads {
    /** RFC 3551's static payload type for MPEG-2 transport streams (MP2T). */
    static final int MPEG_TS = 33;
    private static final int HEADER_BYTES = 12;
    /** A packet further behind than this is a sender that started over, not a late one: followed from there on. */
    private static final int MAX_LATE = 512;
    /** A jump further ahead than this is a sender that started over too, not a loss (4096 packets: ~3 s at 15 Mbit/s). */
    private static final int MAX_GAP = 4096;

    private int expectedSequence = -1;
    private long lost;
    private long lateOrDuplicate;
    private int payloadOffset;
    private int payloadLength;
    private long lostBefore;

    /** What {@link #accept} made of a packet. */
    enum Kind {
        /** MPEG-TS payload at {@link #payloadOffset()}, {@link #payloadLength()} bytes. */
        PAYLOAD,
        /** An RTCP packet (the rtp protocol reads both ports): nothing to feed. */
        CONTROL,
        /** Behind the packet expected (reordered or duplicated): counted, not fed. */
        LATE,
        /** Not RTP version 2, cut short, or another payload type: nothing to feed. */
        OTHER
    }

    /** The payload type of an RTP packet (not RTCP), or -1 when {@code packet} is none. */
    static int payloadType(MemorySegment packet) {
        if (packet.byteSize() < HEADER_BYTES || (packet.get(JAVA_BYTE, 0) & 0xC0) != 0x80 || control(packet)) {
            return -1;
        }
        return packet.get(JAVA_BYTE, 1) & 0x7F;
    }

    private static boolean control(MemorySegment packet) {
        // RTCP's packet types 200 to 204 sit where RTP has its marker bit and payload type (RFC 5761).
        int type = packet.get(JAVA_BYTE, 1) & 0xFF;
        return type >= 200 && type <= 204;
    }

    /** Reads one packet; with {@link Kind#PAYLOAD}, where its payload lies and how many packets were lost before it. */
    Kind accept(MemorySegment packet) {
        int length = (int) packet.byteSize();
        lostBefore = 0;
        if (length >= 2 && control(packet)) {
            return Kind.CONTROL;
        }
        if (payloadType(packet) != MPEG_TS) {
            return Kind.OTHER;
        }
        int first = packet.get(JAVA_BYTE, 0) & 0xFF;
        int offset = HEADER_BYTES + 4 * (first & 0x0F);
        if ((first & 0x10) != 0) {
            // Extension: 16 bits of profile data, then its length in 32-bit words, not counting its own 4 bytes.
            if (length < offset + 4) {
                return Kind.OTHER;
            }
            offset += 4 + 4 * u16(packet, offset + 2);
        }
        int end = length;
        if ((first & 0x20) != 0) {
            // Padding: its last byte says how many bytes at the end (itself included) are padding.
            end -= packet.get(JAVA_BYTE, length - 1) & 0xFF;
        }
        if (end < offset) {
            return Kind.OTHER;
        }
        int sequence = u16(packet, 2);
        if (expectedSequence >= 0) {
            int ahead = (sequence - expectedSequence) & 0xFFFF;
            if (ahead >= 0x10000 - MAX_LATE) {
                lateOrDuplicate++;
                return Kind.LATE;
            }
            if (ahead <= MAX_GAP) {
                lostBefore = ahead;
                lost += ahead;
            }
            // Else far off in either direction: the sender started over; followed from here, nothing counted lost.
        }
        expectedSequence = (sequence + 1) & 0xFFFF;
        payloadOffset = offset;
        payloadLength = end - offset;
        return Kind.PAYLOAD;
    }

    private static int u16(MemorySegment packet, int at) {
        return (packet.get(JAVA_BYTE, at) & 0xFF) << 8 | packet.get(JAVA_BYTE, at + 1) & 0xFF;
    }

    /** Where the last payload starts in its packet. */
    int payloadOffset() {
        return payloadOffset;
    }

    /** The last payload's length in bytes. */
    int payloadLength() {
        return payloadLength;
    }

    /** Packets lost just before the last payload (0: it followed the one before). */
    long lostBefore() {
        return lostBefore;
    }

    /** Packets lost so far (gaps in the sequence numbers). */
    long lost() {
        return lost;
    }

    /** Packets that came behind the one expected (reordered or duplicated) and were left out, so far. */
    long lateOrDuplicate() {
        return lateOrDuplicate;
    }
}
