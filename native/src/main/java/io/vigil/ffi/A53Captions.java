package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_A53_CC;

import java.lang.foreign.MemorySegment;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVFrameSideData;
import org.bytedeco.javacpp.Loader;

/**
 * Counts the closed captions in a decoded frame's ATSC A/53 side data ({@code AV_FRAME_DATA_A53_CC}, which FFmpeg's
 * H.264, HEVC and MPEG-2 decoders attach from the picture's user data, whether the picture lands in host or device
 * memory). The side data is a run of cc_data triplets: {@code 11111 cc_valid cc_type}, then two data bytes. A triplet
 * counts when it is valid and carries data: CEA-608 byte pairs that are not both null once their parity bit is
 * dropped (0x80 0x80 is the padding encoders send while captions are off), CEA-708 (DTVCC) pairs that are not both
 * 0. DTVCC packets are put together across frames to name the services whose blocks they carry.
 *
 * <p>Reads through Panama at offsets the bindings give: nothing is allocated per frame. One per decoder (the DTVCC
 * packet in progress is the stream's).
 */
final class A53Captions {
    private static final int MAX_PACKET_BYTES = 128;

    private final long sideDataOffset;
    private final long nbSideDataOffset;
    private final long typeOffset;
    private final long dataOffset;
    private final long sizeOffset;

    /** The DTVCC packet being put together: its bytes after the header, how many it will have, -1 when none. */
    private final byte[] packet = new byte[MAX_PACKET_BYTES];
    private int packetExpected = -1;
    private int packetFilled;

    A53Captions() {
        sideDataOffset = offset(AVFrame.class, "side_data");
        nbSideDataOffset = offset(AVFrame.class, "nb_side_data");
        typeOffset = offset(AVFrameSideData.class, "type");
        dataOffset = offset(AVFrameSideData.class, "data");
        sizeOffset = offset(AVFrameSideData.class, "size");
    }

    private static long offset(Class<? extends org.bytedeco.javacpp.Pointer> type, String member) {
        long offset = Loader.offsetof(type, member);
        if (offset < 0) {
            throw new IllegalStateException("the FFmpeg bindings do not know " + type.getSimpleName() + "." + member);
        }
        return offset;
    }

    /** Sets {@code out}'s per-frame counts from the A/53 side data of the frame at {@code frameAddress}. */
    void read(long frameAddress, CaptionCounts out) {
        out.clearFrame();
        int count = NativeMemory.at(frameAddress + nbSideDataOffset, Integer.BYTES).get(JAVA_INT, 0);
        if (count <= 0) {
            return;
        }
        long array = NativeMemory.pointerAt(frameAddress + sideDataOffset);
        for (int i = 0; i < count; i++) {
            long entry = NativeMemory.pointerAt(array + (long) i * NativeMemory.POINTER_BYTES);
            if (NativeMemory.at(entry + typeOffset, Integer.BYTES).get(JAVA_INT, 0) != AV_FRAME_DATA_A53_CC) {
                continue;
            }
            long data = NativeMemory.pointerAt(entry + dataOffset);
            long size = NativeMemory.at(entry + sizeOffset, Long.BYTES).get(JAVA_LONG, 0);
            if (data != 0 && size >= 3) {
                count(NativeMemory.at(data, size - size % 3), out);
            }
        }
    }

    /** Adds the triplets of {@code ccData} (a whole number of them) to {@code out}. */
    void count(MemorySegment ccData, CaptionCounts out) {
        for (long at = 0; at + 3 <= ccData.byteSize(); at += 3) {
            int head = ccData.get(JAVA_BYTE, at) & 0xff;
            int first = ccData.get(JAVA_BYTE, at + 1) & 0xff;
            int second = ccData.get(JAVA_BYTE, at + 2) & 0xff;
            if ((head & 0x04) == 0) {
                continue;
            }
            switch (head & 0x03) {
                case 0 -> out.cea608Field1 += carries608(first, second) ? 1 : 0;
                case 1 -> out.cea608Field2 += carries608(first, second) ? 1 : 0;
                case 2 -> {
                    if ((first | second) != 0) {
                        out.dtvcc++;
                    }
                    append(first, out);
                    append(second, out);
                }
                default -> {
                    // DTVCC_PACKET_START: sequence number (2 bits) and size code (6 bits), then its first byte.
                    out.dtvcc++;
                    int sizeCode = first & 0x3f;
                    packetExpected = (sizeCode == 0 ? MAX_PACKET_BYTES : sizeCode * 2) - 1;
                    packetFilled = 0;
                    append(second, out);
                }
            }
        }
    }

    private static boolean carries608(int first, int second) {
        return ((first | second) & 0x7f) != 0;
    }

    private void append(int value, CaptionCounts out) {
        if (packetExpected < 0) {
            return;
        }
        packet[packetFilled++] = (byte) value;
        if (packetFilled >= packetExpected) {
            services(out);
            packetExpected = -1;
        }
    }

    /** Marks the services whose blocks the completed packet carries (CEA-708 service block headers). */
    private void services(CaptionCounts out) {
        int at = 0;
        while (at < packetFilled) {
            int header = packet[at++] & 0xff;
            int service = header >>> 5;
            int blockSize = header & 0x1f;
            if (service == 0 && blockSize == 0) {
                return;
            }
            if (service == 7 && at < packetFilled) {
                service = packet[at++] & 0x3f;
            }
            if (service > 0 && blockSize > 0) {
                out.dtvccServices |= 1L << service;
            }
            at += blockSize;
        }
    }
}
