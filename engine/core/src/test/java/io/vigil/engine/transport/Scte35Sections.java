package io.vigil.engine.transport;

import java.io.ByteArrayOutputStream;

/** SCTE-35 splice_info_sections built bit by bit, for tests. */
final class Scte35Sections {
    private Scte35Sections() {
    }

    /** A splice_insert: out of (or back into) the network at {@code ptsTicks}, for {@code durationTicks} (or -1). */
    static byte[] spliceInsert(long eventId, boolean out, long ptsTicks, long durationTicks) {
        Bits c = new Bits();
        c.put(eventId, 32).put(0, 1).put(0x7F, 7);
        c.put(out ? 1 : 0, 1).put(1, 1).put(durationTicks >= 0 ? 1 : 0, 1).put(0, 1).put(0xF, 4);
        c.put(1, 1).put(0x3F, 6).put(ptsTicks, 33);
        if (durationTicks >= 0) {
            c.put(1, 1).put(0x3F, 6).put(durationTicks, 33);
        }
        c.put(1, 16).put(0, 8).put(0, 8);
        return section(0x05, c.bytes(), new byte[0]);
    }

    /** A time_signal at {@code ptsTicks} with a segmentation_descriptor of {@code type}, a UPID and a duration. */
    static byte[] timeSignal(long ptsTicks, int type, int upidType, String upid, long durationTicks) {
        Bits c = new Bits();
        c.put(1, 1).put(0x3F, 6).put(ptsTicks, 33);
        Bits d = new Bits();
        d.put(0x43554549L, 32).put(77, 32).put(0, 1).put(0x7F, 7);
        d.put(1, 1).put(1, 1).put(1, 1).put(0x1F, 5);
        d.put(durationTicks, 40);
        d.put(upidType, 8).put(upid.length(), 8);
        for (char ch : upid.toCharArray()) {
            d.put(ch, 8);
        }
        d.put(type, 8).put(1, 8).put(1, 8);
        byte[] body = d.bytes();
        byte[] descriptor = new byte[body.length + 2];
        descriptor[0] = 0x02;
        descriptor[1] = (byte) body.length;
        System.arraycopy(body, 0, descriptor, 2, body.length);
        return section(0x06, c.bytes(), descriptor);
    }

    private static byte[] section(int commandType, byte[] command, byte[] descriptors) {
        Bits s = new Bits();
        int length = 11 + command.length + 2 + descriptors.length + 4;
        s.put(0xFC, 8).put(0, 1).put(0, 1).put(3, 2).put(length, 12);
        s.put(0, 8).put(0, 1).put(0, 6).put(0, 33).put(0xFF, 8).put(0xFFF, 12).put(command.length, 12);
        s.put(commandType, 8);
        for (byte b : command) {
            s.put(b & 0xFF, 8);
        }
        s.put(descriptors.length, 16);
        for (byte b : descriptors) {
            s.put(b & 0xFF, 8);
        }
        byte[] body = s.bytes();
        int crc = Crc32Mpeg.of(body, 0, body.length);
        byte[] out = new byte[body.length + 4];
        System.arraycopy(body, 0, out, 0, body.length);
        out[body.length] = (byte) (crc >>> 24);
        out[body.length + 1] = (byte) (crc >>> 16);
        out[body.length + 2] = (byte) (crc >>> 8);
        out[body.length + 3] = (byte) crc;
        return out;
    }

    /** A big-endian bit writer. */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int filled;

        Bits put(long value, int bits) {
            for (int i = bits - 1; i >= 0; i--) {
                current = (current << 1) | (int) ((value >>> i) & 1);
                if (++filled == 8) {
                    out.write(current);
                    current = 0;
                    filled = 0;
                }
            }
            return this;
        }

        byte[] bytes() {
            if (filled != 0) {
                throw new IllegalStateException("not a whole number of bytes");
            }
            return out.toByteArray();
        }
    }
}
