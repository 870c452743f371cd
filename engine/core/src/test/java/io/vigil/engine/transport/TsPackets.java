package io.vigil.engine.transport;

import io.vigil.engine.Ffmpeg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A transport stream as a list of 188-byte packets, for tests that damage chosen packets. */
final class TsPackets {
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    static final int PMT_PID = 0x1000;

    final List<byte[]> packets = new ArrayList<>();

    TsPackets(byte[] ts) {
        for (int i = 0; i + 188 <= ts.length; i += 188) {
            byte[] p = new byte[188];
            System.arraycopy(ts, i, p, 0, 188);
            packets.add(p);
        }
    }

    /** A constant-rate multiplex ffmpeg makes: MPEG-2 video on 0x100, MP2 audio on 0x101, PMT on 0x1000. */
    static byte[] make(Path dir, double seconds) throws IOException, InterruptedException {
        Path clip = dir.resolve("clean-" + seconds + ".ts");
        if (!Files.exists(clip)) {
            Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                    "sine=frequency=440", "-t", Double.toString(seconds), "-c:v", "mpeg2video", "-g", "25", "-b:v", "1M",
                    "-c:a", "mp2", "-f", "mpegts", "-muxrate", "2000000", clip.toString()));
        }
        return Files.readAllBytes(clip);
    }

    byte[] bytes() {
        byte[] out = new byte[packets.size() * 188];
        for (int i = 0; i < packets.size(); i++) {
            System.arraycopy(packets.get(i), 0, out, i * 188, 188);
        }
        return out;
    }

    static int pid(byte[] p) {
        return ((p[1] & 0x1F) << 8) | (p[2] & 0xFF);
    }

    static boolean hasPcr(byte[] p) {
        return (p[3] & 0x20) != 0 && (p[4] & 0xFF) >= 7 && (p[5] & 0x10) != 0;
    }

    /** The packet's PCR in seconds; the packet must carry one. */
    static double pcr(byte[] p) {
        long base = ((p[6] & 0xFFL) << 25) | ((p[7] & 0xFFL) << 17) | ((p[8] & 0xFFL) << 9) | ((p[9] & 0xFFL) << 1)
                | ((p[10] & 0xFFL) >>> 7);
        int ext = ((p[10] & 1) << 8) | (p[11] & 0xFF);
        return base / 90_000.0 + ext / 27_000_000.0;
    }

    static void setPcr(byte[] p, double seconds) {
        long ticks = Math.round(seconds * 27_000_000);
        long base = ticks / 300;
        int ext = (int) (ticks % 300);
        p[6] = (byte) (base >>> 25);
        p[7] = (byte) (base >>> 17);
        p[8] = (byte) (base >>> 9);
        p[9] = (byte) (base >>> 1);
        p[10] = (byte) (((base & 1) << 7) | 0x7E | (ext >>> 8));
        p[11] = (byte) ext;
    }

    /** The first packet index whose PCR (on the video PID) is at least {@code seconds} after the first PCR. */
    int packetAt(double seconds) {
        double first = Double.NaN;
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            if (pid(p) == VIDEO_PID && hasPcr(p)) {
                if (Double.isNaN(first)) {
                    first = pcr(p);
                } else if (pcr(p) - first >= seconds) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException("no PCR " + seconds + " s in");
    }

    /** The PCR clock (seconds) at packet {@code index}: the last PCR before it, moved on at 2 Mbit/s. */
    double clockAt(int index) {
        for (int i = index; i >= 0; i--) {
            byte[] p = packets.get(i);
            if (pid(p) == VIDEO_PID && hasPcr(p)) {
                return pcr(p) + (index - i) * 188 * 8 / 2_000_000.0;
            }
        }
        throw new IllegalArgumentException("no PCR before " + index);
    }

    double firstPcr() {
        return clockAt(packetAt(0));
    }

    /** Declares {@code pid} in every PMT as an SCTE-35 stream (stream_type 0x86), with the PMT's CRC made anew. */
    void declareScte35(int pid) {
        for (byte[] p : packets) {
            if (pid(p) != PMT_PID || (p[1] & 0x40) == 0) {
                continue;
            }
            int start = 5 + (p[4] & 0xFF); // after the pointer_field
            int length = ((p[start + 1] & 0x0F) << 8) | (p[start + 2] & 0xFF);
            int crcAt = start + 3 + length - 4;
            byte[] entry = {(byte) 0x86, (byte) (0xE0 | (pid >>> 8)), (byte) pid, (byte) 0xF0, 0};
            System.arraycopy(entry, 0, p, crcAt, entry.length);
            length += entry.length;
            p[start + 1] = (byte) ((p[start + 1] & 0xF0) | (length >>> 8));
            p[start + 2] = (byte) length;
            int crc = Crc32Mpeg.of(p, start, 3 + length - 4);
            int at = start + 3 + length - 4;
            p[at] = (byte) (crc >>> 24);
            p[at + 1] = (byte) (crc >>> 16);
            p[at + 2] = (byte) (crc >>> 8);
            p[at + 3] = (byte) crc;
        }
    }

    /** Puts {@code section} (up to 183 bytes) on {@code pid} in the first null packet from {@code from}; its index. */
    int insertSection(int from, int pid, int cc, byte[] section) {
        for (int i = from; ; i++) {
            if (pid(packets.get(i)) == 0x1FFF) {
                byte[] p = new byte[188];
                java.util.Arrays.fill(p, (byte) 0xFF);
                p[0] = 0x47;
                p[1] = (byte) (0x40 | (pid >>> 8));
                p[2] = (byte) pid;
                p[3] = (byte) (0x10 | (cc & 0x0F));
                p[4] = 0;
                System.arraycopy(section, 0, p, 5, section.length);
                packets.set(i, p);
                return i;
            }
        }
    }

    /** Replaces packet {@code index} by a null packet (the multiplex keeps its rate). */
    void nullOut(int index) {
        byte[] p = new byte[188];
        p[0] = 0x47;
        p[1] = 0x1F;
        p[2] = (byte) 0xFF;
        p[3] = 0x10;
        java.util.Arrays.fill(p, 4, 188, (byte) 0xFF);
        packets.set(index, p);
    }

    /** Renumbers the continuity counters of {@code pid}'s packets with payload, as a muxer that sent fewer would. */
    void renumber(int pid) {
        int cc = -1;
        for (byte[] p : packets) {
            if (pid(p) == pid && (p[3] & 0x10) != 0) {
                cc = cc < 0 ? p[3] & 0x0F : (cc + 1) & 0x0F;
                p[3] = (byte) ((p[3] & 0xF0) | cc);
            }
        }
    }
}
