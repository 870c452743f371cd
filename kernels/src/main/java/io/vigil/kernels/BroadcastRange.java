package io.vigil.kernels;

import static io.vigil.ffi.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;

/**
 * signalstats' BRNG: the share of pixels outside broadcast range. Exactly FFmpeg's definition (vf_signalstats.c,
 * filter8_brng / filter16_brng): for every luma sample (x, y) of the picture, with the chroma samples at
 * {@code (x >> log2ChromaW, y >> log2ChromaH)} (the chroma-subsampled grid, no interpolation), the pixel is out of
 * range when {@code Y < 16m || Y > 235m || U < 16m || U > 240m || V < 16m || V > 240m}, {@code m = 2^(bitDepth-8)};
 * BRNG = out-of-range pixels / (width * height). The limits are the same for full-range frames (signalstats does
 * not look at the range either). Gray formats (no chroma) test Y only. Samples are read as everywhere in the
 * statistics: 8-bit bytes, or 16-bit little-endian words shifted right by the layout's shift (P010). When
 * libvigilpixels is loaded ({@link VigilPixels}) its C pass counts the same pixels faster; this is the reference.
 */
public final class BroadcastRange {
    /** The out-of-range pixel count of {@code frame}; BRNG is this over {@code width * height}. */
    public static long count(VideoFrame frame) {
        PixelLayout layout = frame.layout();
        boolean chroma = layout.planes() >= 2;
        return (VigilPixels.loaded() ? NATIVE : JAVA).count(frame.planeAddress(0), frame.linesize(0),
                chroma ? frame.planeAddress(1) : 0, chroma ? frame.linesize(1) : 0,
                chroma && !layout.chromaInterleaved() ? frame.planeAddress(2) : 0,
                chroma && !layout.chromaInterleaved() ? frame.linesize(2) : 0,
                frame.width(), frame.height(), layout.bytesPerSample(), layout.shift(), layout.bitDepth(),
                layout.log2ChromaW(), layout.log2ChromaH(), chroma, layout.chromaInterleaved());
    }

    public void compute(VideoFrame frame, FrameStats out) {
        long pixels = (long) frame.width() * frame.height();
        out.brngFraction = pixels == 0 ? 0 : (double) count(frame) / pixels;
    }

    /**
     * The count from the parts: plane 0 (luma), plane 1 (U, or interleaved UV when {@code interleaved}) and
     * plane 2 (V; unused when interleaved). {@code chroma} false: luma only.
     */
    /** The count's parameters, so that {@link #count(VideoFrame)} picks the pass once. */
    @FunctionalInterface
    interface Pass {
        long count(long y, int yStride, long u, int uStride, long v, int vStride, int width, int height,
                   int bytesPerSample, int shift, int bitDepth, int log2ChromaW, int log2ChromaH, boolean chroma,
                   boolean interleaved);
    }

    static final Pass JAVA = BroadcastRange::count;
    /** libvigilpixels' C pass (only when it is loaded). */
    static final Pass NATIVE = VigilPixels::brng;

    static long count(long y, int yStride, long u, int uStride, long v, int vStride, int width, int height,
                      int bytesPerSample, int shift, int bitDepth, int log2ChromaW, int log2ChromaH, boolean chroma,
                      boolean interleaved) {
        final int m = 1 << (bitDepth - 8);
        final int lo = 16 * m;
        final int yHi = 235 * m;
        final int cHi = 240 * m;
        long out = 0;
        for (int j = 0; j < height; j++) {
            long yRow = y + (long) j * yStride;
            int jc = j >> log2ChromaH;
            long uRow = u + (long) jc * uStride;
            long vRow = interleaved ? uRow : v + (long) jc * vStride;
            for (int i = 0; i < width; i++) {
                int luma = sample(yRow, i, bytesPerSample, shift);
                boolean bad = luma < lo || luma > yHi;
                if (!bad && chroma) {
                    int ic = i >> log2ChromaW;
                    int cu;
                    int cv;
                    if (interleaved) {
                        cu = sample(uRow, 2 * ic, bytesPerSample, shift);
                        cv = sample(uRow, 2 * ic + 1, bytesPerSample, shift);
                    } else {
                        cu = sample(uRow, ic, bytesPerSample, shift);
                        cv = sample(vRow, ic, bytesPerSample, shift);
                    }
                    bad = cu < lo || cu > cHi || cv < lo || cv > cHi;
                }
                out += bad ? 1 : 0;
            }
        }
        return out;
    }

    private static int sample(long row, int s, int bytesPerSample, int shift) {
        return bytesPerSample == 1
                ? ALL.get(JAVA_BYTE, row + s) & 0xFF
                : (ALL.get(JAVA_SHORT_UNALIGNED, row + 2L * s) & 0xFFFF) >>> shift;
    }
}
