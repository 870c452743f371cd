package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.cuda.CudaThumbnails;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The thumbnail kernel (vigil_thumbnail, through CudaThumbnails) against a CPU reference written here from the
 * definition in vigil_stats.h: the box filter to 320 px wide 8-bit yuv420p gives exactly the same bytes, for NV12,
 * P010 (random low bits below the shift) and planar frames of broadcast sizes and odd ones, with padded pitches.
 */
abstract class ThumbnailDownscaleContract {
    /** The driver to run on; skips when there is none. */
    abstract CudaDriver driver();

    /** Called after each CudaThumbnails is closed. */
    void afterClose() {
    }

    @Test
    void nv12MatchesTheReference() {
        check(HostPlanes.Format.NV12, 1920, 1080, 180);
        check(HostPlanes.Format.NV12, 1280, 720, 180);
        check(HostPlanes.Format.NV12, 720, 576, 256);
    }

    @Test
    void p010MatchesTheReference() {
        check(HostPlanes.Format.P010, 1920, 1080, 180);
        check(HostPlanes.Format.P010, 1280, 720, 180);
        check(HostPlanes.Format.P010, 720, 576, 256);
    }

    @Test
    void planarOddAndSmallFramesMatchTheReference() {
        check(HostPlanes.Format.YUV420P, 721, 483, 214);
        check(HostPlanes.Format.YUV420P10, 333, 201, 194);
        check(HostPlanes.Format.NV12, 160, 90, 180); // smaller than the thumbnail: samples repeat
    }

    @Test
    void badHeightsAndPlanesAreRefusedInOneSentence() {
        CudaThumbnails t = CudaThumbnails.open(driver(), 0);
        try {
            long[] planes = {1, 1, 0};
            int[] pitches = {64, 64, 0};
            int[] widths = {64, 64, 0};
            int[] heights = {64, 32, 0};
            assertThatThrownBy(() -> t.downscale(planes, pitches, widths, heights, 2, 1, 0, 8, true, 181))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even");
            assertThatThrownBy(() -> t.downscale(planes, pitches, widths, heights, 2, 1, 0, 8, false, 180))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interleaved");
            assertThatThrownBy(() -> t.downscale(planes, new int[] {32, 64, 0}, widths, heights, 2, 1, 0, 8, true, 180))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a picture");
        } finally {
            t.close();
            t.close();
            afterClose();
        }
    }

    private void check(HostPlanes.Format format, int width, int height, int outHeight) {
        CudaDriver driver = driver();
        Random random = new Random(width * 31L + height + format.ordinal());
        try (Arena arena = Arena.ofConfined()) {
            HostPlanes f = HostPlanes.random(arena, format, width, height, HostPlanes.Fill.NOISE, random);
            byte[] expected = reference(f, outHeight);
            long[] device = new long[3];
            CudaThumbnails t = CudaThumbnails.open(driver, 0);
            int ordinal = driver.device(0);
            MemorySegment context = driver.devicePrimaryCtxRetain(ordinal);
            driver.ctxPushCurrent(context); // the test's own uploads; downscale pushes it again
            try {
                for (int p = 0; p < format.planes; p++) {
                    long bytes = f.planes[p].byteSize();
                    device[p] = driver.memAlloc(bytes);
                    driver.memcpyHtoD(device[p], f.planes[p], bytes);
                }
                MemorySegment picture = t.downscale(device, f.pitches, f.planeWidths, f.planeHeights, format.planes,
                        format.bytesPerSample, format.shift, format.bitDepth, format.interleaved, outHeight);
                assertThat(picture.byteSize()).isEqualTo(expected.length);
                assertThat(t.lastBytesCopiedToHost()).isEqualTo(expected.length);
                byte[] actual = picture.toArray(JAVA_BYTE);
                for (int i = 0; i < expected.length; i++) {
                    if (actual[i] != expected[i]) {
                        throw new AssertionError(f.description + " -> 320x" + outHeight + ": byte " + i + " is "
                                + (actual[i] & 0xFF) + ", the reference " + (expected[i] & 0xFF));
                    }
                }
                // a second thumbnail from the same buffers: nothing carried over
                picture = t.downscale(device, f.pitches, f.planeWidths, f.planeHeights, format.planes,
                        format.bytesPerSample, format.shift, format.bitDepth, format.interleaved, outHeight);
                assertThat(picture.toArray(JAVA_BYTE)).isEqualTo(expected);
            } finally {
                for (long d : device) {
                    if (d != 0) {
                        driver.memFree(d);
                    }
                }
                driver.ctxPopCurrent();
                driver.devicePrimaryCtxRelease(ordinal);
                t.close();
                afterClose();
            }
        }
    }

    /** vigil_stats.h's definition, sample by sample. */
    static byte[] reference(HostPlanes f, int outHeight) {
        int w = CudaThumbnails.WIDTH;
        byte[] out = new byte[(int) CudaThumbnails.bytes(outHeight)];
        int at = 0;
        for (int comp = 0; comp < 3; comp++) {
            int ow = comp == 0 ? w : w / 2;
            int oh = comp == 0 ? outHeight : outHeight / 2;
            int p = comp == 0 ? 0 : f.format.interleaved ? 1 : comp;
            int step = comp != 0 && f.format.interleaved ? 2 : 1;
            int first = comp == 2 && f.format.interleaved ? 1 : 0;
            long iw = f.planeWidths[p] / step;
            long ih = f.planeHeights[p];
            for (int oy = 0; oy < oh; oy++) {
                long y0 = oy * ih / oh;
                long y1 = Math.max((oy + 1) * ih / oh, y0 + 1);
                for (int ox = 0; ox < ow; ox++) {
                    long x0 = ox * iw / ow;
                    long x1 = Math.max((ox + 1) * iw / ow, x0 + 1);
                    long sum = 0;
                    for (long y = y0; y < y1; y++) {
                        for (long x = x0; x < x1; x++) {
                            sum += sample(f, p, x * step + first, y);
                        }
                    }
                    long n = (x1 - x0) * (y1 - y0) << (f.format.bitDepth - 8);
                    out[at++] = (byte) Math.min(255, (sum + n / 2) / n);
                }
            }
        }
        return out;
    }

    private static int sample(HostPlanes f, int p, long x, long y) {
        long at = y * f.pitches[p] + x * f.format.bytesPerSample;
        if (f.format.bytesPerSample == 1) {
            return f.planes[p].get(JAVA_BYTE, at) & 0xFF;
        }
        int stored = (f.planes[p].get(JAVA_BYTE, at) & 0xFF) | (f.planes[p].get(JAVA_BYTE, at + 1) & 0xFF) << 8;
        return stored >>> f.format.shift;
    }
}
