package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_BITSTREAM;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_HWACCEL;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_PAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ411P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ440P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;

import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;

/**
 * How a pixel format's planes are laid out, for formats the statistics read in place: planar or semi-planar
 * (NV12, P010) YUV and gray, little-endian, 8 to 16 bits per sample. Anything else is converted once by the
 * decoder. Plane widths follow freezedetect: samples per row, both components counted for interleaved chroma.
 *
 * @param format FFmpeg's AVPixelFormat
 * @param name FFmpeg's name for it
 * @param planes number of planes
 * @param bitDepth bits per luma sample
 * @param bytesPerSample 1 for 8-bit formats, 2 for deeper ones
 * @param log2ChromaW horizontal chroma subsampling
 * @param log2ChromaH vertical chroma subsampling
 * @param chromaInterleaved whether U and V share plane 1 (NV12, P010)
 * @param fullRangeFormat whether the format itself is full range (the deprecated yuvj formats)
 * @param shift how far samples sit above bit 0 in their 16-bit word (6 for P010, NVDEC's 10-bit output; else 0):
 *     statistics read {@code stored >> shift}, so that values are in the bit depth's own range
 */
public record PixelLayout(int format, String name, int planes, int bitDepth, int bytesPerSample, int log2ChromaW,
                          int log2ChromaH, boolean chromaInterleaved, boolean fullRangeFormat, int shift) {

    public static final int MAX_PLANES = 4;

    /** The layout of {@code format}, or null when the statistics cannot read it in place. */
    public static PixelLayout of(int format) {
        AVPixFmtDescriptor d = av_pix_fmt_desc_get(format);
        if (d == null) {
            return null;
        }
        long flags = d.flags();
        long unsupported = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BE
                | AV_PIX_FMT_FLAG_BITSTREAM;
        if ((flags & unsupported) != 0 || d.nb_components() == 0) {
            return null;
        }
        int depth = d.comp(0).depth();
        int bytes = depth > 8 ? 2 : 1;
        int planes = 0;
        for (int c = 0; c < d.nb_components(); c++) {
            var comp = d.comp(c);
            // Packed formats (YUYV) put several components in one sample step: not readable in place.
            if (comp.depth() != depth || comp.shift() != d.comp(0).shift() || comp.shift() != 0 && bytes == 1) {
                return null;
            }
            planes = Math.max(planes, comp.plane() + 1);
        }
        boolean interleaved = d.nb_components() >= 3 && d.comp(1).plane() == d.comp(2).plane();
        if (interleaved && d.comp(1).step() != 2 * bytes) {
            return null;
        }
        if (!interleaved && d.comp(0).step() != bytes) {
            return null;
        }
        String name = av_get_pix_fmt_name(format).getString();
        boolean jpeg = format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUVJ444P
                || format == AV_PIX_FMT_YUVJ440P || format == AV_PIX_FMT_YUVJ411P;
        return new PixelLayout(format, name, planes, depth, bytes, d.log2_chroma_w(), d.log2_chroma_h(), interleaved, jpeg,
                d.comp(0).shift());
    }

    /** Samples per row of {@code plane} for a picture {@code width} pixels wide. */
    public int planeWidth(int plane, int width) {
        if (plane == 0 || plane == 3) {
            return width;
        }
        int chroma = -((-width) >> log2ChromaW);
        return chromaInterleaved ? 2 * chroma : chroma;
    }

    /** Rows of {@code plane} for a picture {@code height} pixels high. */
    public int planeHeight(int plane, int height) {
        if (plane == 0 || plane == 3) {
            return height;
        }
        return -((-height) >> log2ChromaH);
    }
}
