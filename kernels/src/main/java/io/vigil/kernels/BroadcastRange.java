package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.vigil.ffi.PixelLayout;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VigilPixels;
import java.lang.foreign.MemorySegment;

/**
 * signalstats' BRNG: the share of pixels outside broadcast range. Exactly FFmpeg's definition (vf_signalstats.c,
 * filter8_brng / filter16_brng): for every luma sample (x, y) of the picture, with the chroma samples at
 * {@code (x >> log2ChromaW, y >> log2ChromaH)} (the chroma-subsampled grid, no interpolation), the pixel is out of
 * range when {@code Y < 16m || Y > 235m || U < 16m || U > 240m || V < 16m || V > 240m}, {@code m = 2^(bitDepth-8)};
 * BRNG = out-of-range pixels / (width * height). The limits are the same for full-range frames (signalstats does
 * not look at the range either). Gray formats (no chroma) test Y only. Samples are read as everywhere in the
 * statistics: 8-bit bytes, or 16-bit little-endian words shifted right by the layout's shift (P010). With
 * {@link Loops#C}, libvigilpixels' C pass ({@link VigilPixels}) counts the same pixels faster; this is the reference.
 */
public final class BroadcastRange {
    private final Pass pass;

    /** @param loops the Java loops or libvigilpixels' C pass */
    public BroadcastRange(Loops loops) {
        pass = Loops.require(loops) == Loops.C ? NATIVE : JAVA;
    }

    /** The out-of-range pixel count of {@code frame}; BRNG is this over {@code width * height}. */
    public long count(VideoFrame frame) {
        PixelLayout layout = frame.layout();
        boolean chroma = layout.planes() >= 2;
        return pass.count(frame.plane(0), frame.linesize(0),
                chroma ? frame.plane(1) : MemorySegment.NULL, chroma ? frame.linesize(1) : 0,
                chroma && !layout.chromaInterleaved() ? frame.plane(2) : MemorySegment.NULL,
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
     * plane 2 (V; unused when interleaved), {@link MemorySegment#NULL} for a plane not read. {@code chroma} false:
     * luma only.
     */
    @FunctionalInterface
    interface Pass {
        long count(MemorySegment y, int yStride, MemorySegment u, int uStride, MemorySegment v, int vStride, int width,
                   int height, int bytesPerSample, int shift, int bitDepth, int log2ChromaW, int log2ChromaH,
                   boolean chroma, boolean interleaved);
    }

    static final Pass JAVA = BroadcastRange::count;
    /** libvigilpixels' C pass (only when it is loaded). */
    static final Pass NATIVE = (y, yStride, u, uStride, v, vStride, width, height, bytesPerSample, shift, bitDepth,
                                log2ChromaW, log2ChromaH, chroma, interleaved) ->
            VigilPixels.brng(y.address(), yStride, u.address(), uStride, v.address(), vStride, width, height,
                    bytesPerSample, shift, bitDepth, log2ChromaW, log2ChromaH, chroma, interleaved);

    static long count(MemorySegment y, int yStride, MemorySegment u, int uStride, MemorySegment v, int vStride,
                      int width, int height, int bytesPerSample, int shift, int bitDepth, int log2ChromaW,
                      int log2ChromaH, boolean chroma, boolean interleaved) {
        final int m = 1 << (bitDepth - 8);
        final int lo = 16 * m;
        final int yHi = 235 * m;
        final int cHi = 240 * m;
        long out = 0;
        for (int j = 0; j < height; j++) {
            long yRow = (long) j * yStride;
            int jc = j >> log2ChromaH;
            long uRow = (long) jc * uStride;
            long vRow = (long) jc * vStride;
            for (int i = 0; i < width; i++) {
                int luma = sample(y, yRow, i, bytesPerSample, shift);
                boolean bad = luma < lo || luma > yHi;
                if (!bad && chroma) {
                    int ic = i >> log2ChromaW;
                    int cu;
                    int cv;
                    if (interleaved) {
                        cu = sample(u, uRow, 2 * ic, bytesPerSample, shift);
                        cv = sample(u, uRow, 2 * ic + 1, bytesPerSample, shift);
                    } else {
                        cu = sample(u, uRow, ic, bytesPerSample, shift);
                        cv = sample(v, vRow, ic, bytesPerSample, shift);
                    }
                    bad = cu < lo || cu > cHi || cv < lo || cv > cHi;
                }
                out += bad ? 1 : 0;
            }
        }
        return out;
    }

    private static int sample(MemorySegment plane, long row, int s, int bytesPerSample, int shift) {
        return bytesPerSample == 1
                ? plane.get(JAVA_BYTE, row + s) & 0xFF
                : (plane.get(JAVA_SHORT_UNALIGNED, row + 2L * s) & 0xFFFF) >>> shift;
    }
}
