package io.vigil.engine.transport;

import java.util.HexFormat;

/**
 * One SCTE-35 cue: a splice_info_section's splice_insert or time_signal, with its first segmentation_descriptor.
 * Times are 90 kHz ticks with pts_adjustment applied (33 bits); -1 where the section gives none (an immediate
 * splice).
 *
 * @param command "splice_insert" or "time_signal"
 * @param eventId splice_event_id, or the segmentation_event_id of a time_signal; -1 when there is none
 * @param cancel whether the cue cancels an earlier one
 * @param out true: out of the network (a break starts); false: back in; null when the cue does not say
 * @param ptsTicks the splice time, or -1
 * @param durationTicks break_duration or segmentation_duration, or -1
 * @param segmentationType segmentation_type_id, or -1
 * @param upidType segmentation_upid_type, or -1
 * @param upid the UPID: its text when printable ASCII, else hex; null when there is none
 */
public record SpliceInfo(String command, long eventId, boolean cancel, Boolean out, long ptsTicks,
                         long durationTicks, int segmentationType, int upidType, String upid) {
    static final int TABLE_ID = 0xFC;
    private static final long PTS_MASK = (1L << 33) - 1;

    /**
     * Parses a whole section ({@code length} bytes from {@code offset}, CRC included and already checked); null for
     * a command vigil does not report (splice_null, bandwidth_reservation, private), an encrypted one, or one cut
     * short.
     */
    static SpliceInfo parse(byte[] s, int offset, int length) {
        try {
            return parseOrThrow(new Bits(s, offset, offset + length - 4));
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static SpliceInfo parseOrThrow(Bits b) {
        if (b.bits(8) != TABLE_ID) {
            return null;
        }
        b.skip(16); // section_syntax_indicator, private_indicator, sap_type, section_length
        b.skip(8); // protocol_version
        if (b.bits(1) != 0) {
            return null; // encrypted_packet
        }
        b.skip(6);
        long adjustment = b.bits(33);
        b.skip(8 + 12); // cw_index, tier
        int commandLength = (int) b.bits(12);
        int type = (int) b.bits(8);
        int commandStart = b.bytePosition();
        SpliceInfo cue = switch (type) {
            case 0x05 -> spliceInsert(b, adjustment);
            case 0x06 -> new SpliceInfo("time_signal", -1, false, null, spliceTime(b, adjustment), -1, -1, -1, null);
            default -> null;
        };
        if (cue == null) {
            return null;
        }
        if (commandLength != 0xFFF) {
            b.seekByte(commandStart + commandLength);
        }
        int loopLength = (int) b.bits(16);
        int loopEnd = b.bytePosition() + loopLength;
        while (b.bytePosition() + 2 <= loopEnd) {
            int tag = (int) b.bits(8);
            int length = (int) b.bits(8);
            int next = b.bytePosition() + length;
            if (tag == 0x02 && length >= 9) {
                SpliceInfo segmented = segmentation(b, cue, adjustment);
                if (segmented != null) {
                    return segmented;
                }
            }
            b.seekByte(next);
        }
        return cue;
    }

    private static SpliceInfo spliceInsert(Bits b, long adjustment) {
        long eventId = b.bits(32);
        boolean cancel = b.bits(1) == 1;
        b.skip(7);
        if (cancel) {
            return new SpliceInfo("splice_insert", eventId, true, null, -1, -1, -1, -1, null);
        }
        boolean out = b.bits(1) == 1;
        boolean programSplice = b.bits(1) == 1;
        boolean hasDuration = b.bits(1) == 1;
        boolean immediate = b.bits(1) == 1;
        b.skip(4);
        long pts = -1;
        if (programSplice && !immediate) {
            pts = spliceTime(b, adjustment);
        }
        if (!programSplice) {
            int components = (int) b.bits(8);
            for (int i = 0; i < components; i++) {
                b.skip(8);
                if (!immediate) {
                    long t = spliceTime(b, adjustment);
                    pts = pts < 0 ? t : pts;
                }
            }
        }
        long duration = -1;
        if (hasDuration) {
            b.skip(7); // auto_return, reserved
            duration = b.bits(33);
        }
        return new SpliceInfo("splice_insert", eventId, false, out, pts, duration, -1, -1, null);
    }

    /** splice_time(): the adjusted PTS, or -1 when time_specified_flag is 0. */
    private static long spliceTime(Bits b, long adjustment) {
        if (b.bits(1) == 0) {
            b.skip(7);
            return -1;
        }
        b.skip(6);
        return (b.bits(33) + adjustment) & PTS_MASK;
    }

    /** A segmentation_descriptor (identifier "CUEI") read into {@code cue}; null when it is not one. */
    private static SpliceInfo segmentation(Bits b, SpliceInfo cue, long adjustment) {
        if (b.bits(32) != 0x43554549L) {
            return null;
        }
        long eventId = b.bits(32);
        boolean cancel = b.bits(1) == 1;
        b.skip(7);
        if (cancel) {
            return new SpliceInfo(cue.command, eventId, true, cue.out, cue.ptsTicks, cue.durationTicks, -1, -1, null);
        }
        boolean program = b.bits(1) == 1;
        boolean hasDuration = b.bits(1) == 1;
        b.skip(6); // delivery_not_restricted_flag and its flags or reserved bits
        if (!program) {
            int components = (int) b.bits(8);
            b.skip(components * 48);
        }
        long duration = hasDuration ? b.bits(40) : cue.durationTicks;
        int upidType = (int) b.bits(8);
        int upidLength = (int) b.bits(8);
        byte[] upid = b.bytes(upidLength);
        int segmentationType = (int) b.bits(8);
        return new SpliceInfo(cue.command, eventId, false, outOf(segmentationType, cue.out), cue.ptsTicks, duration,
                segmentationType, upidType, upidLength == 0 ? null : text(upid));
    }

    /**
     * Out or in by segmentation_type_id: the starts (programme, chapter, break, provider and distributor
     * advertisement and placement opportunities: even ids from 0x10) are out, their ends (odd) in, as far as
     * SCTE-35's table 22 pairs them; what a splice_insert said otherwise.
     */
    private static Boolean outOf(int segmentationType, Boolean given) {
        return switch (segmentationType) {
            case 0x10, 0x14, 0x17, 0x20, 0x22, 0x30, 0x32, 0x34, 0x36, 0x38, 0x3A, 0x3C, 0x3E -> true;
            case 0x11, 0x15, 0x18, 0x21, 0x23, 0x31, 0x33, 0x35, 0x37, 0x39, 0x3B, 0x3D, 0x3F -> false;
            default -> given;
        };
    }

    private static String text(byte[] upid) {
        for (byte c : upid) {
            if (c < 0x20 || c > 0x7E) {
                return HexFormat.of().formatHex(upid);
            }
        }
        return new String(upid, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A big-endian bit reader over a section. */
    private static final class Bits {
        private final byte[] data;
        private final int end;
        private long bit;

        Bits(byte[] data, int offset, int end) {
            this.data = data;
            this.end = end;
            this.bit = (long) offset * 8;
        }

        long bits(int n) {
            long v = 0;
            for (int i = 0; i < n; i++, bit++) {
                int at = (int) (bit >>> 3);
                if (at >= end) {
                    throw new IndexOutOfBoundsException("section cut short");
                }
                v = (v << 1) | ((data[at] >>> (7 - (bit & 7))) & 1);
            }
            return v;
        }

        void skip(int n) {
            bit += n;
        }

        int bytePosition() {
            return (int) ((bit + 7) >>> 3);
        }

        void seekByte(int position) {
            bit = (long) position * 8;
        }

        byte[] bytes(int n) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) bits(8);
            }
            return out;
        }
    }
}
