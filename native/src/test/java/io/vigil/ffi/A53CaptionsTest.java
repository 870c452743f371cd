package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_A53_CC;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_SEI_UNREGISTERED;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_new_side_data;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVFrameSideData;
import org.junit.jupiter.api.Test;

/** cc_data triplets counted by kind, padding and invalid ones left out, DTVCC services named; read off an AVFrame. */
class A53CaptionsTest {
    static {
        FfmpegLog.configure();
    }

    private static MemorySegment bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return MemorySegment.ofArray(b);
    }

    @Test
    void countsValidTripletsThatCarryDataByKind() {
        CaptionCounts out = new CaptionCounts();
        new A53Captions().count(bytes(
                0xfc, 0xc8, 0xe9, // field 1 "Hi"
                0xfc, 0x80, 0x80, // field 1 padding
                0xf8, 0xc8, 0xe9, // field 1, cc_valid clear
                0xfd, 0x94, 0x2c, // field 2 control code
                0xfa, 0x00, 0x00, // DTVCC, not valid (the usual 708 padding)
                0xfe, 0x00, 0x00), out); // DTVCC data, null
        assertThat(out.cea608Field1).isEqualTo(1);
        assertThat(out.cea608Field2).isEqualTo(1);
        assertThat(out.dtvcc).isZero();
        assertThat(out.anyInFrame()).isTrue();
    }

    @Test
    void dtvccPacketsAcrossFramesNameTheirServices() {
        A53Captions a53 = new A53Captions();
        CaptionCounts out = new CaptionCounts();
        // Packet of 5 bytes after its header (size code 3): service 2 with 1 byte, service 9 (extended) with 1 byte.
        a53.count(bytes(0xff, 0x03, 0x41, 0xfe, 0x41, 0xe1), out);
        assertThat(out.dtvcc).isEqualTo(2);
        assertThat(out.dtvccServices).isZero();
        out.clearFrame();
        a53.count(bytes(0xfe, 0x09, 0x42), out);
        assertThat(out.dtvccServices).isEqualTo((1L << 2) | (1L << 9));
    }

    @Test
    void readsTheSideDataOfADecodedFrameWithoutCopyingIt() {
        AVFrame frame = av_frame_alloc();
        try {
            av_frame_new_side_data(frame, AV_FRAME_DATA_SEI_UNREGISTERED, 20);
            AVFrameSideData cc = av_frame_new_side_data(frame, AV_FRAME_DATA_A53_CC, 9);
            cc.data().put(new byte[] {(byte) 0xfc, (byte) 0xc8, (byte) 0xe9, (byte) 0xfd, (byte) 0x80, (byte) 0x80,
                    (byte) 0xfc, (byte) 0x80, (byte) 0x80});
            A53Captions a53 = new A53Captions();
            CaptionCounts out = new CaptionCounts();
            a53.read(frame.address(), out);
            assertThat(out.cea608Field1).isEqualTo(1);
            assertThat(out.cea608Field2).isZero();

            // The cost per frame, for the record: a frame with two side data entries, one of them 3 triplets.
            int rounds = 2_000_000;
            for (int warm = 0; warm < 3; warm++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    a53.read(frame.address(), out);
                }
                long ns = System.nanoTime() - t0;
                if (warm == 2) {
                    System.out.printf(Locale.ROOT, "A53Captions.read: %.1f ns per frame%n", (double) ns / rounds);
                }
            }
        } finally {
            av_frame_free(frame);
        }
    }

    @Test
    void aFrameWithoutSideDataHasNoCaptions() {
        AVFrame frame = av_frame_alloc();
        try {
            CaptionCounts out = new CaptionCounts();
            out.cea608Field1 = 5;
            new A53Captions().read(frame.address(), out);
            assertThat(out.anyInFrame()).isFalse();
        } finally {
            av_frame_free(frame);
        }
    }
}
