/*
 * vigil's per-plane statistics passes in C, called from Java through Panama downcalls (io.vigil.ffi.VigilPixels).
 * Each gives exactly the integers of its Java twin in io.vigil.kernels (LumaStats, BroadcastRange, Blockiness,
 * Letterbox, Blur, ColorBars, FrameDifference's block peaks), which stays the reference and the fallback. Samples: bytes_per_sample 1 (8-bit) or 2 (16-bit little
 * endian words, each stored >> shift: P010 keeps its 10 bits at the top). Strides in bytes, any alignment.
 */
#ifndef VIGIL_PIXELS_H
#define VIGIL_PIXELS_H

#include <stdint.h>

/* The ABI version: VigilPixels refuses a library whose version differs. */
#define VIGIL_PIXELS_VERSION 3
int32_t vigil_pixels_version(void);

/* LumaStats: out[0] dark count (sample <= threshold), out[1] sum, out[2] min, out[3] max (min starts at 255 for
 * 8-bit, INT32_MAX for 16-bit, max at 0, as in Java). */
void vigil_luma(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                int32_t shift, int32_t threshold, int64_t *out);

/* BroadcastRange: the out-of-range pixel count. chroma 0: luma only; interleaved: u holds UV pairs, v unused. */
int64_t vigil_brng(const void *y, int64_t y_stride, const void *u, int64_t u_stride, const void *v,
                   int64_t v_stride, int32_t width, int32_t height, int32_t bytes_per_sample, int32_t shift,
                   int32_t bit_depth, int32_t log2_chroma_w, int32_t log2_chroma_h, int32_t chroma,
                   int32_t interleaved);

/* Blockiness: adds boundary step sum, boundary count, inner step sum, inner count to out[0..3]. */
void vigil_blockiness(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                      int32_t shift, int32_t bit_depth, int64_t *out);

/* Letterbox: the four bars packed 16 bits each (top, bottom, left, right from the high end); width and height
 * 1..65535; limit_value is cropdetect's integer limit. */
int64_t vigil_letterbox(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                        int32_t shift, int64_t limit_value);

/* Blur: adds width sum, edge count, lines to out[0..2]; scratch: vigil_blur_scratch_bytes(width, height) bytes, any
 * alignment, owned by the caller (reused from frame to frame). */
int64_t vigil_blur_scratch_bytes(int32_t width, int32_t height);
void vigil_blur(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                int32_t shift, int32_t bit_depth, void *scratch, int64_t *out);

/* ColorBars' cells (width >= 128, height >= 40, with chroma): out[0..511] the row sums (cell * 8 + row), then 64
 * each of left-half sums, right-half sums, U sums, V sums, chroma sample counts (832 in all, overwritten). */
void vigil_colorbars_cells(const void *y, int64_t y_stride, const void *u, int64_t u_stride, const void *v,
                           int64_t v_stride, int32_t width, int32_t height, int32_t bytes_per_sample, int32_t shift,
                           int32_t log2_chroma_w, int32_t log2_chroma_h, int32_t interleaved, int64_t *out);

/* ColorBars' flatness: adds flat steps, edge steps, all steps of the sampled rows to out[0..2]. */
void vigil_flatness(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                    int32_t shift, int32_t bit_depth, int64_t *out);

/* FrameDifference's re-coding test on one plane of two frames: 16x16 blocks, the right and bottom ones by what is
 * left. out[0], out[1]: SAD and samples of the block with the largest mean (the first of equal ones; 0 and 1 for an
 * empty plane); out[2]: the plane's SAD. width 0..65535. */
void vigil_block_difference(const void *a, int64_t stride_a, const void *b, int64_t stride_b, int32_t width,
                            int32_t height, int32_t bytes_per_sample, int32_t shift, int64_t *out);

#endif
