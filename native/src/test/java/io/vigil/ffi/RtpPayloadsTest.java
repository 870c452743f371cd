package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RTP packets built by hand: the MPEG-TS payload is found past the CSRCs, the header extension and before the
 * padding; sequence gaps (across the wrap at 65535) are counted as lost, late and duplicate packets are left out.
 */
class RtpPayloadsTest {
    private static final byte[] PAYLOAD = payload();

    private static byte[] payload() {
        byte[] ts = new byte[7 * 188];
        for (int i = 0; i < 7; i++) {
            ts[i * 188] = 0x47;
            Arrays.fill(ts, i * 188 + 1, i * 188 + 188, (byte) i);
        }
        return ts;
    }

    /** An RTP packet: version 2, {@code csrcs} CSRC entries, an extension of {@code extensionWords}, padding. */
    static MemorySegment packet(int payloadType, int sequence, int csrcs, int extensionWords, int padding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | (padding > 0 ? 0x20 : 0) | (extensionWords >= 0 ? 0x10 : 0) | csrcs);
        out.write(payloadType);
        out.write(sequence >> 8 & 0xFF);
        out.write(sequence & 0xFF);
        out.writeBytes(new byte[] {0, 0, 0x12, 0x34, 0x0A, 0x0B, 0x0C, 0x0D}); // timestamp, SSRC
        out.writeBytes(new byte[4 * csrcs]);
        if (extensionWords >= 0) {
            out.writeBytes(new byte[] {(byte) 0xBE, (byte) 0xDE, 0, (byte) extensionWords});
            out.writeBytes(new byte[4 * extensionWords]);
        }
        out.writeBytes(PAYLOAD);
        if (padding > 0) {
            out.writeBytes(new byte[padding - 1]);
            out.write(padding);
        }
        return MemorySegment.ofArray(out.toByteArray());
    }

    static MemorySegment packet(int sequence) {
        return packet(RtpPayloads.MPEG_TS, sequence, 0, -1, 0);
    }

    private static byte[] payloadOf(RtpPayloads rtp, MemorySegment packet) {
        return packet.asSlice(rtp.payloadOffset(), rtp.payloadLength()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Test
    void thePayloadLiesPastCsrcsAndExtensionAndBeforeThePadding() {
        RtpPayloads rtp = new RtpPayloads();
        int sequence = 100;
        for (int csrcs : new int[] {0, 1, 15}) {
            for (int extension : new int[] {-1, 0, 3}) {
                for (int padding : new int[] {0, 1, 4}) {
                    MemorySegment p = packet(RtpPayloads.MPEG_TS, sequence++, csrcs, extension, padding);
                    assertThat(rtp.accept(p)).isEqualTo(RtpPayloads.Kind.PAYLOAD);
                    assertThat(rtp.payloadOffset()).isEqualTo(12 + 4 * csrcs + (extension < 0 ? 0 : 4 + 4 * extension));
                    assertThat(payloadOf(rtp, p)).isEqualTo(PAYLOAD);
                    assertThat(rtp.lostBefore()).isZero();
                }
            }
        }
        assertThat(rtp.lost()).isZero();
    }

    @Test
    void otherPayloadTypesRtcpAndBrokenPacketsAreNotFed() {
        RtpPayloads rtp = new RtpPayloads();
        assertThat(RtpPayloads.payloadType(packet(96, 1, 0, -1, 0))).isEqualTo(96);
        assertThat(rtp.accept(packet(96, 1, 0, -1, 0))).isEqualTo(RtpPayloads.Kind.OTHER);
        MemorySegment senderReport = MemorySegment.ofArray(new byte[] {(byte) 0x80, (byte) 200, 0, 6, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(RtpPayloads.payloadType(senderReport)).isEqualTo(-1);
        assertThat(rtp.accept(senderReport)).isEqualTo(RtpPayloads.Kind.CONTROL);
        assertThat(rtp.accept(MemorySegment.ofArray(new byte[] {(byte) 0x80, 33, 0}))).isEqualTo(RtpPayloads.Kind.OTHER);
        // Version 1, and an extension that runs past the end.
        assertThat(rtp.accept(MemorySegment.ofArray(new byte[] {0x40, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})))
                .isEqualTo(RtpPayloads.Kind.OTHER);
        assertThat(rtp.accept(MemorySegment.ofArray(new byte[] {(byte) 0x90, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 9}))).isEqualTo(RtpPayloads.Kind.OTHER);
        // Padding longer than the packet.
        byte[] padded = Arrays.copyOf(packet(RtpPayloads.MPEG_TS, 2, 0, -1, 0).toArray(
                java.lang.foreign.ValueLayout.JAVA_BYTE), 200);
        padded[0] |= 0x20;
        padded[padded.length - 1] = (byte) 255;
        assertThat(rtp.accept(MemorySegment.ofArray(padded))).isEqualTo(RtpPayloads.Kind.OTHER);
        assertThat(rtp.lost()).isZero();
    }

    @Test
    void gapsAreLostAcrossTheWrapAndLateOrDuplicatePacketsAreLeftOut() {
        RtpPayloads rtp = new RtpPayloads();
        assertThat(rtp.accept(packet(65533))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.accept(packet(65534))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lostBefore()).isZero();
        // 65535 and 0 lost: the next is 1, across the wrap.
        assertThat(rtp.accept(packet(1))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lostBefore()).isEqualTo(2);
        // 0 comes late, 1 again: neither is fed.
        assertThat(rtp.accept(packet(0))).isEqualTo(RtpPayloads.Kind.LATE);
        assertThat(rtp.accept(packet(1))).isEqualTo(RtpPayloads.Kind.LATE);
        assertThat(rtp.accept(packet(2))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lostBefore()).isZero();
        assertThat(rtp.accept(packet(5))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lostBefore()).isEqualTo(2);
        assertThat(rtp.lost()).isEqualTo(4);
        assertThat(rtp.lateOrDuplicate()).isEqualTo(2);
        // A sender that starts over far off is followed from there, nothing counted lost.
        assertThat(rtp.accept(packet(40_000))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lostBefore()).isZero();
        assertThat(rtp.accept(packet(40_001))).isEqualTo(RtpPayloads.Kind.PAYLOAD);
        assertThat(rtp.lost()).isEqualTo(4);
    }
}
