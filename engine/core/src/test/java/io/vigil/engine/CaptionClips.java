package io.vigil.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * H.264 clips with CEA-608/708 captions in their pictures' A/53 user data, made for tests. Debian's ffmpeg 5.1 has
 * no way to write captions from nothing (libx264's {@code a53cc} only passes on what decoded input frames carried),
 * so x264 codes the pictures (no B-frames: decode order is display order, one access unit delimiter each) and this
 * class puts an SEI (user_data_registered_itu_t_t35, "GA94", cc_data) after each delimiter, as a caption inserter
 * does; ffmpeg then muxes the stream without re-coding it.
 */
public final class CaptionClips {
    /** A CEA-608 field 1 triplet carrying two characters ("Hi" with odd parity). */
    public static final byte[] CEA608_TEXT = {(byte) 0xfc, (byte) 0xc8, (byte) 0xe9};
    /** What encoders send while captions are off: field 1, valid, both bytes null with their parity bit. */
    public static final byte[] CEA608_PADDING = {(byte) 0xfc, (byte) 0x80, (byte) 0x80};
    /** A DTVCC packet start (sequence 0, size code 2: 3 bytes after the header) and its data: service 1, one byte. */
    public static final byte[] DTVCC_SERVICE_1 = {(byte) 0xff, 0x02, 0x21, (byte) 0xfe, 0x41, 0x00};

    private CaptionClips() {
    }

    /**
     * Writes {@code out} (its container from the name): {@code seconds} of 25 fps video whose frame {@code n} carries
     * the cc_data triplets {@code triplets.apply(n)} (empty: no side data at all).
     */
    public static Path write(Path out, double seconds, IntFunction<byte[]> triplets)
            throws IOException, InterruptedException {
        return write(out, seconds, false, triplets);
    }

    /** As {@link #write(Path, double, IntFunction)}, coded with x265 when {@code hevc}. */
    public static Path write(Path out, double seconds, boolean hevc, IntFunction<byte[]> triplets)
            throws IOException, InterruptedException {
        String format = hevc ? "hevc" : "h264";
        Path raw = out.resolveSibling(out.getFileName() + "." + format);
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=" + seconds, "-c:v", hevc ? "libx265" : "libx264",
                "-preset", "ultrafast", "-bf", "0", hevc ? "-x265-params" : "-x264-params",
                hevc ? "aud=1:log-level=error" : "aud=1", "-pix_fmt", "yuv420p", "-f", format, raw.toString()));
        Path captioned = out.resolveSibling(out.getFileName() + ".cc." + format);
        Files.write(captioned, insertSei(Files.readAllBytes(raw), hevc, triplets));
        Ffmpeg.run(List.of("-fflags", "+genpts", "-framerate", "25", "-f", format, "-i", captioned.toString(),
                "-c", "copy", out.toString()));
        Files.delete(raw);
        Files.delete(captioned);
        return out;
    }

    /**
     * Writes {@code out} (a transport stream): {@code seconds} of 25 fps video with a DVB subtitle stream showing a
     * small bitmap from every whole second for half a second and clearing it, the last one cleared at
     * {@code untilSeconds} - 0.5 (times from the first frame). ffmpeg cannot make DVB subtitles from text, so a PGS
     * (.sup) file written here is its bitmap source.
     */
    public static Path writeDvbSubtitles(Path out, double seconds, int untilSeconds)
            throws IOException, InterruptedException {
        Path sup = out.resolveSibling(out.getFileName() + ".sup");
        ByteArrayOutputStream pgs = new ByteArrayOutputStream();
        int composition = 0;
        for (int second = 0; second < untilSeconds; second++) {
            pgsDisplay(pgs, (long) (second * 90_000L), composition++, true);
            pgsDisplay(pgs, (long) ((second + 0.5) * 90_000L), composition++, false);
        }
        Files.write(sup, pgs.toByteArray());
        // fix_sub_duration: each PGS display lasts until the next, so ffmpeg times the DVB packets as they were.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=" + seconds, "-fix_sub_duration", "-i",
                sup.toString(), "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "dvbsub",
                out.toString()));
        Files.delete(sup);
        return out;
    }

    /** One PGS display set: an 8x2 bitmap of palette entry 1 shown at (40, 60), or the screen cleared. */
    private static void pgsDisplay(ByteArrayOutputStream out, long pts, int composition, boolean show) {
        java.nio.ByteBuffer pcs = java.nio.ByteBuffer.allocate(19);
        pcs.putShort((short) 160).putShort((short) 90).put((byte) 0x10).putShort((short) composition)
                .put((byte) (show ? 0x80 : 0x00)).put((byte) 0).put((byte) 0).put((byte) (show ? 1 : 0));
        if (show) {
            pcs.putShort((short) 0).put((byte) 0).put((byte) 0).putShort((short) 40).putShort((short) 60);
        }
        pgsSegment(out, pts, 0x16, java.util.Arrays.copyOf(pcs.array(), pcs.position()));
        pgsSegment(out, pts, 0x17, new byte[] {1, 0, 0, 40, 0, 60, 0, 8, 0, 2});
        if (show) {
            pgsSegment(out, pts, 0x14, new byte[] {0, 0, 1, (byte) 235, (byte) 128, (byte) 128, (byte) 255});
            // Two rows, each 8 pixels of entry 1 (0x88: run of 8 with a colour) and an end of line.
            byte[] rle = {0, (byte) 0x88, 1, 0, 0, 0, (byte) 0x88, 1, 0, 0};
            byte[] ods = new byte[11 + rle.length];
            ods[3] = (byte) 0xc0; // first and last fragment
            ods[6] = (byte) (rle.length + 4);
            ods[8] = 8;
            ods[10] = 2;
            System.arraycopy(rle, 0, ods, 11, rle.length);
            pgsSegment(out, pts, 0x15, ods);
        }
        pgsSegment(out, pts, 0x80, new byte[0]);
    }

    private static void pgsSegment(ByteArrayOutputStream out, long pts, int type, byte[] data) {
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(13);
        head.put((byte) 'P').put((byte) 'G').putInt((int) pts).putInt((int) pts).put((byte) type)
                .putShort((short) data.length);
        out.writeBytes(head.array());
        out.writeBytes(data);
    }

    /** Triplets repeated {@code times} times: what a frame carries at 29.97/25 fps is a few of them. */
    public static byte[] repeat(byte[] triplet, int times) {
        byte[] out = new byte[triplet.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(triplet, 0, out, i * triplet.length, triplet.length);
        }
        return out;
    }

    /** An Annex B stream with an A/53 SEI after each access unit delimiter (H.264 NAL type 9, HEVC 35). */
    static byte[] insertSei(byte[] annexB, boolean hevc, IntFunction<byte[]> triplets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(annexB.length + annexB.length / 4);
        int frame = 0;
        int i = 0;
        while (i < annexB.length) {
            int next = nextStartCode(annexB, i + 3);
            out.write(annexB, i, next - i);
            int header = i + (annexB[i + 2] == 1 ? 3 : 4);
            int type = header >= annexB.length ? -1 : hevc ? (annexB[header] >> 1) & 0x3f : annexB[header] & 0x1f;
            if (type == (hevc ? 35 : 9)) {
                byte[] cc = triplets.apply(frame++);
                if (cc.length > 0) {
                    out.writeBytes(new byte[] {0, 0, 0, 1});
                    out.writeBytes(seiNal(cc, hevc));
                }
            }
            i = next;
        }
        return out.toByteArray();
    }

    private static int nextStartCode(byte[] b, int from) {
        for (int i = from; i + 3 <= b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && (b[i + 2] == 1 || (b[i + 2] == 0 && i + 3 < b.length && b[i + 3] == 1))) {
                return i;
            }
        }
        return b.length;
    }

    /**
     * SEI NAL (H.264 type 6, HEVC prefix SEI 39), payload 4: ITU-T T.35 USA, ATSC, "GA94", cc_data() (A/53 Part 4),
     * with emulation prevention.
     */
    private static byte[] seiNal(byte[] cc, boolean hevc) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(new byte[] {(byte) 0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03});
        payload.write(0x40 | (cc.length / 3)); // process_cc_data_flag, cc_count
        payload.write(0xff); // em_data
        payload.writeBytes(cc);
        payload.write(0xff); // marker_bits
        byte[] p = payload.toByteArray();
        ByteArrayOutputStream rbsp = new ByteArrayOutputStream();
        rbsp.write(4);
        int size = p.length;
        while (size >= 255) {
            rbsp.write(255);
            size -= 255;
        }
        rbsp.write(size);
        rbsp.writeBytes(p);
        rbsp.write(0x80); // rbsp_trailing_bits
        ByteArrayOutputStream nal = new ByteArrayOutputStream();
        if (hevc) {
            nal.writeBytes(new byte[] {39 << 1, 1});
        } else {
            nal.write(0x06);
        }
        int zeros = 0;
        for (byte b : rbsp.toByteArray()) {
            if (zeros == 2 && (b & 0xff) <= 3) {
                nal.write(3);
                zeros = 0;
            }
            nal.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return nal.toByteArray();
    }
}
