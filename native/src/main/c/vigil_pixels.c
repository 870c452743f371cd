/*
 * Per-plane statistics passes (see vigil_pixels.h). Plain loops that gcc -O3 vectorises, compiled three times
 * (AVX-512BW, AVX2, baseline x86-64) with the best picked at load time (target_clones), so one .so runs on any
 * x86-64. Sums are kept per row in 32 bits (a row of 65535 16-bit samples fits) and added up in 64.
 */
#include "vigil_pixels.h"

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIGIL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VIGIL_CLONES
#endif

/* Helpers are inlined into each clone, so that they are compiled for its instruction set too. */
#define ALWAYS_INLINE __attribute__((always_inline))

/* 16-bit samples at any alignment (a stride may be odd), read without strict-aliasing assumptions. */
typedef uint16_t u16u __attribute__((aligned(1), may_alias));

#define ROW8(p, stride, j) ((const uint8_t *) (p) + (ptrdiff_t) (j) * (stride))
#define ROW16(p, stride, j) ((const u16u *) ((const uint8_t *) (p) + (ptrdiff_t) (j) * (stride)))

int32_t vigil_pixels_version(void) {
    return VIGIL_PIXELS_VERSION;
}

/* ---------------------------------------------------------------- LumaStats */

static inline ALWAYS_INLINE void luma8(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t threshold,
                  int64_t *out) {
    uint64_t dark = 0, sum = 0;
    uint8_t min = 255, max = 0;
    /* s <= threshold on bytes: thresholds outside 0..254 make every sample dark or none. */
    int all = threshold >= 255, none = threshold < 0;
    uint8_t t = (uint8_t) (all || none ? 0 : threshold);
    for (int32_t j = 0; j < height; j++) {
        const uint8_t *r = ROW8(plane, stride, j);
        /* 256 samples at a time: their sum (at most 256 * 255) and dark count fit 16-bit lanes. */
        for (int32_t first = 0; first < width; first += 256) {
            int32_t end = width - first > 256 ? first + 256 : width;
            uint16_t rs = 0, rd = 0;
            uint8_t rmin = 255, rmax = 0;
            for (int32_t i = first; i < end; i++) {
                uint8_t s = r[i];
                rs += s;
                rd += s <= t;
                rmin = s < rmin ? s : rmin;
                rmax = s > rmax ? s : rmax;
            }
            sum += rs;
            dark += rd;
            min = rmin < min ? rmin : min;
            max = rmax > max ? rmax : max;
        }
    }
    if (all || none) {
        dark = all ? (uint64_t) width * (uint64_t) height : 0;
    }
    out[0] = (int64_t) dark;
    out[1] = (int64_t) sum;
    out[2] = min;
    out[3] = max;
}

static inline ALWAYS_INLINE void luma16(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t shift,
                   int32_t threshold, int64_t *out) {
    uint64_t dark = 0, sum = 0;
    int32_t min = INT32_MAX, max = 0;
    for (int32_t j = 0; j < height; j++) {
        const u16u *r = ROW16(plane, stride, j);
        uint32_t rs = 0, rd = 0;
        int32_t rmin = INT32_MAX, rmax = 0;
        for (int32_t i = 0; i < width; i++) {
            int32_t s = (uint16_t) r[i] >> shift;
            rs += (uint32_t) s;
            rd += s <= threshold;
            rmin = s < rmin ? s : rmin;
            rmax = s > rmax ? s : rmax;
        }
        sum += rs;
        dark += rd;
        min = rmin < min ? rmin : min;
        max = rmax > max ? rmax : max;
    }
    out[0] = (int64_t) dark;
    out[1] = (int64_t) sum;
    out[2] = min;
    out[3] = max;
}

VIGIL_CLONES
void vigil_luma(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                int32_t shift, int32_t threshold, int64_t *out) {
    if (bytes_per_sample == 1) {
        luma8(plane, stride, width, height, threshold, out);
    } else {
        luma16(plane, stride, width, height, shift, threshold, out);
    }
}

/* ---------------------------------------------------------------- BroadcastRange */

/* Out of lo..hi, as one unsigned comparison. */
#define OUT(s, lo, hi) ((uint32_t) ((int32_t) (s) - (int32_t) (lo)) > (uint32_t) ((hi) - (lo)))

static inline uint32_t sample_at(const uint8_t *row, int32_t i, int bps, int shift) {
    return bps == 1 ? row[i] : (uint32_t) ((uint16_t) ((const u16u *) row)[i] >> shift);
}

/* Any layout, one pixel at a time: the shapes the fast rows below do not cover. */
static int64_t brng_generic(const void *y, int64_t ys, const void *u, int64_t us, const void *v, int64_t vs,
                            int32_t width, int32_t height, int bps, int shift, int32_t lo, int32_t yhi, int32_t chi,
                            int log2w, int log2h, int chroma, int interleaved) {
    int64_t out = 0;
    for (int32_t j = 0; j < height; j++) {
        const uint8_t *yr = ROW8(y, ys, j);
        int32_t jc = j >> log2h;
        const uint8_t *ur = chroma ? ROW8(u, us, jc) : NULL;
        const uint8_t *vr = chroma && !interleaved ? ROW8(v, vs, jc) : ur;
        for (int32_t i = 0; i < width; i++) {
            int bad = OUT(sample_at(yr, i, bps, shift), lo, yhi);
            if (!bad && chroma) {
                int32_t ic = i >> log2w;
                uint32_t cu = interleaved ? sample_at(ur, 2 * ic, bps, shift) : sample_at(ur, ic, bps, shift);
                uint32_t cv = interleaved ? sample_at(ur, 2 * ic + 1, bps, shift) : sample_at(vr, ic, bps, shift);
                bad = OUT(cu, lo, chi) || OUT(cv, lo, chi);
            }
            out += bad;
        }
    }
    return out;
}

/* One row, chroma halved horizontally (4:2:0, 4:2:2), planar or interleaved; T the sample type. */
#define BRNG_ROW_HALF(T, LOAD, interleaved)                                                                   \
    do {                                                                                                      \
        int32_t pairs = width >> 1;                                                                           \
        for (int32_t c = 0; c < pairs; c++) {                                                                 \
            uint32_t cu = LOAD(ur, (interleaved) ? 2 * c : c);                                               \
            uint32_t cv = (interleaved) ? LOAD(ur, 2 * c + 1) : LOAD(vr, c);                                  \
            uint32_t cbad = OUT(cu, lo, chi) | OUT(cv, lo, chi);                                              \
            rc += (OUT(LOAD(yr, 2 * c), lo, yhi) | cbad) + (OUT(LOAD(yr, 2 * c + 1), lo, yhi) | cbad);        \
        }                                                                                                     \
        if (width & 1) {                                                                                      \
            uint32_t cu = LOAD(ur, (interleaved) ? 2 * pairs : pairs);                                       \
            uint32_t cv = (interleaved) ? LOAD(ur, 2 * pairs + 1) : LOAD(vr, pairs);                          \
            rc += OUT(LOAD(yr, width - 1), lo, yhi) | OUT(cu, lo, chi) | OUT(cv, lo, chi);                    \
        }                                                                                                     \
    } while (0)

/* One row, chroma at full width (4:4:4). */
#define BRNG_ROW_FULL(LOAD)                                                                                   \
    for (int32_t c = 0; c < width; c++) {                                                                     \
        rc += OUT(LOAD(yr, c), lo, yhi) | OUT(LOAD(ur, c), lo, chi) | OUT(LOAD(vr, c), lo, chi);              \
    }

/* Luma only (gray). */
#define BRNG_ROW_GRAY(LOAD)                                                                                   \
    for (int32_t c = 0; c < width; c++) {                                                                     \
        rc += OUT(LOAD(yr, c), lo, yhi);                                                                      \
    }

#define LOAD8(r, i) ((uint32_t) (r)[i])
#define LOAD16(r, i) ((uint32_t) ((uint16_t) (r)[i] >> shift))

#define BRNG_ROWS(T, ROWF, LOAD, BODY)                                                                        \
    for (int32_t j = 0; j < height; j++) {                                                                    \
        int32_t jc = j >> log2h;                                                                              \
        const T *yr = ROWF(y, ys, j);                                                                         \
        const T *ur = chroma ? ROWF(u, us, jc) : NULL;                                                        \
        const T *vr = chroma && !interleaved ? ROWF(v, vs, jc) : ur;                                          \
        (void) ur;                                                                                            \
        (void) vr;                                                                                            \
        uint32_t rc = 0;                                                                                      \
        BODY;                                                                                                 \
        out += rc;                                                                                            \
    }

/* 8-bit rows in byte arithmetic (out of range: (uint8_t) (s - 16) > 219 or 224), counted in 16 bits over at most
 * 16384 pixel pairs, so that the vector lanes stay bytes. */
#define OUT8(s, range) ((uint8_t) ((uint8_t) (s) - 16) > (range))

static inline ALWAYS_INLINE uint64_t brng_row8_half(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr,
                                                    int32_t width, int interleaved) {
    uint64_t count = 0;
    int32_t pairs = width >> 1;
    for (int32_t first = 0; first < pairs; first += 16384) {
        int32_t end = pairs - first > 16384 ? first + 16384 : pairs;
        uint16_t c16 = 0;
        if (interleaved) {
            for (int32_t c = first; c < end; c++) {
                uint8_t cb = OUT8(ur[2 * c], 224) | OUT8(ur[2 * c + 1], 224);
                c16 += (uint8_t) (OUT8(yr[2 * c], 219) | cb) + (uint8_t) (OUT8(yr[2 * c + 1], 219) | cb);
            }
        } else {
            for (int32_t c = first; c < end; c++) {
                uint8_t cb = OUT8(ur[c], 224) | OUT8(vr[c], 224);
                c16 += (uint8_t) (OUT8(yr[2 * c], 219) | cb) + (uint8_t) (OUT8(yr[2 * c + 1], 219) | cb);
            }
        }
        count += c16;
    }
    if (width & 1) {
        uint8_t cu = interleaved ? ur[2 * pairs] : ur[pairs], cv = interleaved ? ur[2 * pairs + 1] : vr[pairs];
        count += OUT8(yr[width - 1], 219) | OUT8(cu, 224) | OUT8(cv, 224);
    }
    return count;
}

/* chroma 0: luma only; else 4:4:4 planar. */
static inline ALWAYS_INLINE uint64_t brng_row8_full(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr,
                                                    int32_t width, int chroma) {
    uint64_t count = 0;
    for (int32_t first = 0; first < width; first += 32768) {
        int32_t end = width - first > 32768 ? first + 32768 : width;
        uint16_t c16 = 0;
        if (chroma) {
            for (int32_t c = first; c < end; c++) {
                c16 += (uint8_t) (OUT8(yr[c], 219) | OUT8(ur[c], 224) | OUT8(vr[c], 224));
            }
        } else {
            for (int32_t c = first; c < end; c++) {
                c16 += OUT8(yr[c], 219);
            }
        }
        count += c16;
    }
    return count;
}

VIGIL_CLONES
int64_t vigil_brng(const void *y, int64_t ys, const void *u, int64_t us, const void *v, int64_t vs, int32_t width,
                   int32_t height, int32_t bytes_per_sample, int32_t shift, int32_t bit_depth, int32_t log2w,
                   int32_t log2h, int32_t chroma, int32_t interleaved) {
    const int32_t m = 1 << (bit_depth - 8);
    const int32_t lo = 16 * m, yhi = 235 * m, chi = 240 * m;
    int64_t out = 0;
    if (bytes_per_sample == 1 && bit_depth == 8 && (!chroma || (log2w == 1 || (log2w == 0 && !interleaved)))) {
        for (int32_t j = 0; j < height; j++) {
            const uint8_t *yr = ROW8(y, ys, j);
            const uint8_t *ur = chroma ? ROW8(u, us, j >> log2h) : yr;
            const uint8_t *vr = chroma && !interleaved ? ROW8(v, vs, j >> log2h) : ur;
            out += (int64_t) (chroma && log2w == 1 ? brng_row8_half(yr, ur, vr, width, interleaved)
                                                   : brng_row8_full(yr, ur, vr, width, chroma));
        }
    } else if (bytes_per_sample == 1) {
        return brng_generic(y, ys, u, us, v, vs, width, height, 1, shift, lo, yhi, chi, log2w, log2h, chroma,
                            interleaved);
    } else {
        if (!chroma) {
            BRNG_ROWS(u16u, ROW16, LOAD16, BRNG_ROW_GRAY(LOAD16))
        } else if (log2w == 1 && interleaved) {
            BRNG_ROWS(u16u, ROW16, LOAD16, BRNG_ROW_HALF(u16u, LOAD16, 1))
        } else if (log2w == 1) {
            BRNG_ROWS(u16u, ROW16, LOAD16, BRNG_ROW_HALF(u16u, LOAD16, 0))
        } else if (log2w == 0 && !interleaved) {
            BRNG_ROWS(u16u, ROW16, LOAD16, BRNG_ROW_FULL(LOAD16))
        } else {
            return brng_generic(y, ys, u, us, v, vs, width, height, 2, shift, lo, yhi, chi, log2w, log2h, chroma,
                                interleaved);
        }
    }
    return out;
}

/* ---------------------------------------------------------------- Blockiness */

/*
 * One pass over each row: every step to the left neighbour (columns 1..width-1) and to the row above, small ones
 * summed and counted; then the steps across the 8x8 grid's columns (x % 8 == 0) summed again on their own, so
 * that boundary = grid and inner = all - grid. Vertical steps of a row all go to the boundary sums on grid rows
 * (y % 8 == 0), to the inner ones elsewhere. 8-bit steps stay bytes, summed in 16 bits over at most 2048 columns
 * (2048 * 16 fits) so that the vector lanes stay narrow; 16-bit steps are summed in 32 bits.
 */
#define STEP_CHUNK 2048

#define ABSDIFF(a, b) ((a) > (b) ? (a) - (b) : (b) - (a))

typedef uint64_t u64u __attribute__((aligned(1), may_alias));

/* The 8-bit steps across the grid's columns: each 8 bytes ending at column 8k hold columns 8k - 1 and 8k in their
 * top two bytes, one unaligned 64-bit load per grid column (contiguous loads that vectorise, unlike stride-8 bytes). */
static inline ALWAYS_INLINE void grid_steps8(const uint8_t *r, int32_t width, uint32_t alpha, uint64_t *sum, uint64_t *count) {
    const u64u *words = (const u64u *) (r + 1); /* words[k]: columns 8k + 1 .. 8k + 8 */
    int32_t n = width > 0 ? (width - 1) / 8 : 0;  /* grid columns 8 .. 8n, all < width */
    uint32_t s = 0, c = 0;
    for (int32_t k = 0; k < n; k++) {
        uint64_t w = words[k];
        uint32_t p = (uint32_t) (w >> 56), l = (uint32_t) (w >> 48) & 0xFF;
        uint32_t d = ABSDIFF(p, l);
        uint32_t small = d <= alpha;
        s += small ? d : 0;
        c += small;
    }
    *sum += s;
    *count += c;
}

static inline ALWAYS_INLINE void blockiness8(const void *plane, int64_t stride, int32_t width, int32_t height, uint64_t *sums) {
    const uint8_t alpha = 16;
    for (int32_t j = 0; j < height; j++) {
        const uint8_t *r = ROW8(plane, stride, j);
        const uint8_t *a = j > 0 ? r - stride : r; /* row 0: steps against itself, not counted */
        uint64_t hs = 0, hc = 0, vs = 0, vc = 0, gs = 0, gc = 0;
        for (int32_t first = 1; first < width; first += STEP_CHUNK) {
            int32_t end = width - first > STEP_CHUNK ? first + STEP_CHUNK : width;
            uint16_t chs = 0, chc = 0, cvs = 0, cvc = 0;
            for (int32_t i = first; i < end; i++) {
                uint8_t p = r[i], l = r[i - 1], q = a[i];
                uint8_t dh = ABSDIFF(p, l), dv = ABSDIFF(p, q);
                uint8_t sh = dh <= alpha, sv = dv <= alpha;
                chs += sh ? dh : 0;
                chc += sh;
                cvs += sv ? dv : 0;
                cvc += sv;
            }
            hs += chs;
            hc += chc;
            vs += cvs;
            vc += cvc;
        }
        if (width > 0) {
            uint8_t dv = ABSDIFF(r[0], a[0]);
            vs += dv <= alpha ? dv : 0;
            vc += dv <= alpha;
        }
        grid_steps8(r, width, alpha, &gs, &gc);
        sums[0] += gs;
        sums[1] += gc;
        sums[2] += hs - gs;
        sums[3] += hc - gc;
        if (j > 0) {
            sums[(j & 7) == 0 ? 0 : 2] += vs;
            sums[(j & 7) == 0 ? 1 : 3] += vc;
        }
    }
}

static inline ALWAYS_INLINE void blockiness16(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t shift,
                         uint32_t alpha, uint64_t *sums) {
    for (int32_t j = 0; j < height; j++) {
        const u16u *r = ROW16(plane, stride, j);
        const u16u *a = j > 0 ? ROW16(plane, stride, j - 1) : r;
        uint32_t hs = 0, hc = 0, vs = 0, vc = 0, gs = 0, gc = 0; /* 65535 steps of at most 2^12 fit */
        for (int32_t i = 1; i < width; i++) {
            uint32_t p = LOAD16(r, i), l = LOAD16(r, i - 1), q = LOAD16(a, i);
            uint32_t dh = ABSDIFF(p, l), dv = ABSDIFF(p, q);
            uint32_t sh = dh <= alpha, sv = dv <= alpha;
            hs += sh ? dh : 0;
            hc += sh;
            vs += sv ? dv : 0;
            vc += sv;
        }
        if (width > 0) {
            uint32_t dv = ABSDIFF(LOAD16(r, 0), LOAD16(a, 0));
            vs += dv <= alpha ? dv : 0;
            vc += dv <= alpha;
        }
        for (int32_t i = 8; i < width; i += 8) {
            uint32_t dh = ABSDIFF(LOAD16(r, i), LOAD16(r, i - 1));
            gs += dh <= alpha ? dh : 0;
            gc += dh <= alpha;
        }
        sums[0] += gs;
        sums[1] += gc;
        sums[2] += hs - gs;
        sums[3] += hc - gc;
        if (j > 0) {
            sums[(j & 7) == 0 ? 0 : 2] += vs;
            sums[(j & 7) == 0 ? 1 : 3] += vc;
        }
    }
}

VIGIL_CLONES
void vigil_blockiness(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                      int32_t shift, int32_t bit_depth, int64_t *out) {
    uint64_t sums[4] = {0, 0, 0, 0};
    if (bytes_per_sample == 1) {
        blockiness8(plane, stride, width, height, sums);
    } else {
        blockiness16(plane, stride, width, height, shift, (uint32_t) (16 << (bit_depth - 8)), sums);
    }
    for (int k = 0; k < 4; k++) {
        out[k] += (int64_t) sums[k];
    }
}

/* ---------------------------------------------------------------- Letterbox */

/* Columns summed this many at a time (on the stack): a bar scan usually stops within the first block. */
#define COLUMN_BLOCK 256

static inline ALWAYS_INLINE uint64_t row_sum(const void *plane, int64_t stride, int32_t j, int32_t width, int bps, int shift) {
    uint32_t s = 0; /* 65535 samples of at most 65535: fits */
    if (bps == 1) {
        const uint8_t *r = ROW8(plane, stride, j);
        for (int32_t i = 0; i < width; i++) {
            s += r[i];
        }
    } else {
        const u16u *r = ROW16(plane, stride, j);
        for (int32_t i = 0; i < width; i++) {
            s += (uint16_t) r[i] >> shift;
        }
    }
    return s;
}

/* Columns first..first+n-1 summed over every row, wrapping at 32 bits as Java's int sums do. */
static inline ALWAYS_INLINE void column_sums(const void *plane, int64_t stride, int32_t height, int32_t first, int32_t n, int bps,
                               int shift, uint32_t *c) {
    for (int32_t k = 0; k < n; k++) {
        c[k] = 0;
    }
    for (int32_t j = 0; j < height; j++) {
        if (bps == 1) {
            const uint8_t *r = ROW8(plane, stride, j) + first;
            for (int32_t k = 0; k < n; k++) {
                c[k] += r[k];
            }
        } else {
            const u16u *r = ROW16(plane, stride, j) + first;
            for (int32_t k = 0; k < n; k++) {
                c[k] += (uint16_t) r[k] >> shift;
            }
        }
    }
}

static inline int64_t pack(int64_t top, int64_t bottom, int64_t left, int64_t right) {
    return top << 48 | bottom << 32 | left << 16 | right;
}

VIGIL_CLONES
int64_t vigil_letterbox(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bps,
                        int32_t shift, int64_t limit_value) {
    if (width <= 0 || height <= 0) {
        return 0;
    }
    const uint64_t row_limit = (uint64_t) (limit_value + 1) * (uint64_t) width; /* black: sum < limit */
    const int64_t column_limit = (limit_value + 1) * height;
    int32_t top = 0;
    while (top < height && row_sum(plane, stride, top, width, bps, shift) < row_limit) {
        top++;
    }
    if (top == height) {
        return pack(height, height, width, width);
    }
    int32_t bottom = 0;
    while (row_sum(plane, stride, height - 1 - bottom, width, bps, shift) < row_limit) {
        bottom++; /* stops at row top at the latest: it is not black */
    }
    uint32_t c[COLUMN_BLOCK];
    int32_t left = 0;
    for (int32_t first = 0, found = 0; first < width && !found; first += COLUMN_BLOCK) {
        int32_t n = width - first < COLUMN_BLOCK ? width - first : COLUMN_BLOCK;
        column_sums(plane, stride, height, first, n, bps, shift, c);
        for (int32_t k = 0; k < n; k++) {
            if ((int64_t) (int32_t) c[k] < column_limit) {
                left++;
            } else {
                found = 1;
                break;
            }
        }
    }
    int32_t right = 0;
    for (int32_t end = width, found = 0; right < width - left && !found; end -= COLUMN_BLOCK) {
        int32_t first = end - COLUMN_BLOCK > left ? end - COLUMN_BLOCK : left;
        int32_t n = end - first;
        column_sums(plane, stride, height, first, n, bps, shift, c);
        for (int32_t k = n - 1; k >= 0; k--) {
            if (right < width - left && (int64_t) (int32_t) c[k] < column_limit) {
                right++;
            } else {
                found = 1;
                break;
            }
        }
    }
    return pack(top, bottom, left, right);
}

/* ---------------------------------------------------------------- Blur */

/*
 * Blur's lines (see io.vigil.kernels.Blur), each first made a contiguous profile v (16-bit: 8-bit samples give
 * v <= 1020, q <= 4080, |g| <= 4080): rows straight from their three rows, columns 64 at a time from 256 bytes of
 * each row, then transposed. Along a line, its steps d[i] = q[i+1] - q[i] and the edge test (a local
 * maximum of |g| >= 128, g[k] = d[k] + d[k-1]) are computed for every sample at once, vectorised, the test as bits;
 * then the line goes from one passing sample to the next at or after the previous edge's run end, as the Java does,
 * and each edge's two walks take 32 steps per compare (a walk continues while d * sign > |g| >> 4). The steps, the
 * test and the walks use AVX-512 when the CPU has it (picked at run time, as target_clones picks), else SSE2.
 * Deeper samples are first brought to 8 bits in a row buffer; a sample that does not fit 8 bits there (bits above
 * the format's depth) sends the whole picture to the plain per-sample port, which is exact for any 16-bit value.
 */
#define BLUR_RADIUS 50
#define BLUR_THRESHOLD 128
#define BLUR_GROUP 64 /* column lines made at once: 256 bytes of each row */
#define BLUR_LANES 4  /* lines whose edges are stepped in turn */
#define BLUR_PAD 64   /* elements before and after each line buffer, for the walks' whole-vector loads */

#if defined(__x86_64__) || defined(__SSE2__)
#include <emmintrin.h>
#define BLUR_SSE2 1
#endif

typedef uint32_t u32u __attribute__((aligned(1), may_alias));

static inline size_t blur_padded(size_t n) {
    return (n + 2 * BLUR_PAD + 63) & ~(size_t) 63;
}

int64_t vigil_blur_scratch_bytes(int32_t width, int32_t height) {
    size_t w = width > 0 ? (size_t) width : 0, h = height > 0 ? (size_t) height : 0;
    size_t n = blur_padded(w > h ? w : h);
    /* 3 rows of 8-bit samples; v, d and flags of BLUR_LANES lines; a group's v rows and its transposed lines. */
    return (int64_t) (3 * blur_padded(w) + BLUR_LANES * (2 * n * sizeof(int16_t) + n)
                      + BLUR_GROUP * h * sizeof(int16_t) + BLUR_GROUP * blur_padded(h) * sizeof(int16_t) + 256);
}

/* The exact per-sample port of Blur.line (int arithmetic, any 16-bit value), for the pictures the fast path declines. */
static inline int32_t blur_sample(const uint8_t *at, int bps, int s) {
    return bps == 1 ? *at : (int32_t) ((uint16_t) *(const u16u *) at >> s);
}

static inline int32_t blur_v(const uint8_t *base, ptrdiff_t step, ptrdiff_t across, int32_t k, int bps, int s) {
    const uint8_t *at = base + (ptrdiff_t) k * step;
    return blur_sample(at - across, bps, s) + 2 * blur_sample(at, bps, s) + blur_sample(at + across, bps, s);
}

static inline int32_t blur_q(const uint8_t *base, ptrdiff_t step, ptrdiff_t across, int32_t k, int bps, int s) {
    return blur_v(base, step, across, k - 1, bps, s) + 2 * blur_v(base, step, across, k, bps, s)
           + blur_v(base, step, across, k + 1, bps, s);
}

static void blur_line_plain(const uint8_t *base, ptrdiff_t step, ptrdiff_t across, int32_t n, int bps, int s,
                            uint64_t *width_sum, uint64_t *edges) {
    if (n < 7) {
        return;
    }
    int32_t run_end = -1;
    for (int32_t k = 3; k <= n - 4; k++) {
        int32_t g = blur_q(base, step, across, k + 1, bps, s) - blur_q(base, step, across, k - 1, bps, s);
        int32_t here = g < 0 ? -g : g;
        int32_t prev = blur_q(base, step, across, k, bps, s) - blur_q(base, step, across, k - 2, bps, s);
        int32_t next = blur_q(base, step, across, k + 2, bps, s) - blur_q(base, step, across, k, bps, s);
        prev = prev < 0 ? -prev : prev;
        next = next < 0 ? -next : next;
        if (k >= run_end && here >= BLUR_THRESHOLD && here >= prev && here > next) {
            int32_t sign = g > 0 ? 1 : -1, least = here >> 4;
            int32_t a = k, b = k, qa = blur_q(base, step, across, k, bps, s), qb = qa;
            while (a > 1 && k - a < BLUR_RADIUS) {
                int32_t q = blur_q(base, step, across, a - 1, bps, s);
                if ((qa - q) * sign <= least) {
                    break;
                }
                qa = q;
                a--;
            }
            while (b < n - 2 && b - k < BLUR_RADIUS) {
                int32_t q = blur_q(base, step, across, b + 1, bps, s);
                if ((q - qb) * sign <= least) {
                    break;
                }
                qb = q;
                b++;
            }
            *width_sum += (uint64_t) (b - a - 2 > 1 ? b - a - 2 : 1);
            (*edges)++;
            run_end = b;
        }
    }
}

static void blur_plain(const void *plane, int64_t stride, int32_t width, int32_t height, int bps, int s,
                       uint64_t *sums) {
    for (int32_t j = 2; j < height - 1; j += 4) {
        blur_line_plain(ROW8(plane, stride, j), bps, stride, width, bps, s, &sums[0], &sums[1]);
        sums[2]++;
    }
    for (int32_t i = 2; i < width - 1; i += 4) {
        blur_line_plain((const uint8_t *) plane + (ptrdiff_t) i * bps, stride, bps, height, bps, s, &sums[0],
                        &sums[1]);
        sums[2]++;
    }
}

/* The walk's comparison of 16 steps d[at .. at+15]: bit i set where d[at+i] * sign > least. */
#ifdef BLUR_SSE2
static inline ALWAYS_INLINE uint32_t blur_continues16(const int16_t *d, __m128i flip, __m128i least) {
    __m128i lo = _mm_loadu_si128((const __m128i *) d), hi = _mm_loadu_si128((const __m128i *) (d + 8));
    lo = _mm_cmpgt_epi16(_mm_sub_epi16(_mm_xor_si128(lo, flip), flip), least);
    hi = _mm_cmpgt_epi16(_mm_sub_epi16(_mm_xor_si128(hi, flip), flip), least);
    return (uint32_t) _mm_movemask_epi8(_mm_packs_epi16(lo, hi));
}
#endif

/* How many of d[k], d[k+1], ... (at most cap) continue a walk: d * sign > least (flip: 0 for sign +1, -1 for -1). */
static inline ALWAYS_INLINE int32_t blur_run_right(const int16_t *d, int32_t k, int32_t cap, int16_t flip,
                                                   int16_t least) {
    int32_t j = 0;
#ifdef BLUR_SSE2
    const __m128i f = _mm_set1_epi16(flip), l = _mm_set1_epi16(least);
    for (;;) {
        uint32_t stop = ~(blur_continues16(d + k + j, f, l) | blur_continues16(d + k + j + 16, f, l) << 16);
        if (stop) {
            j += __builtin_ctz(stop);
            break;
        }
        j += 32;
        if (j >= cap) {
            break;
        }
    }
#else
    while (j < cap && (int16_t) ((d[k + j] ^ flip) - flip) > least) {
        j++;
    }
#endif
    return j < cap ? j : cap;
}

/* How many of d[k-1], d[k-2], ... (at most cap) continue a walk. */
static inline ALWAYS_INLINE int32_t blur_run_left(const int16_t *d, int32_t k, int32_t cap, int16_t flip,
                                                  int16_t least) {
    int32_t j = 0;
#ifdef BLUR_SSE2
    const __m128i f = _mm_set1_epi16(flip), l = _mm_set1_epi16(least);
    for (;;) {
        /* bit 31: d[k-1-j] */
        uint32_t stop = ~(blur_continues16(d + k - 32 - j, f, l) | blur_continues16(d + k - 16 - j, f, l) << 16);
        if (stop) {
            j += __builtin_clz(stop);
            break;
        }
        j += 32;
        if (j >= cap) {
            break;
        }
    }
#else
    while (j < cap && (int16_t) ((d[k - 1 - j] ^ flip) - flip) > least) {
        j++;
    }
#endif
    return j < cap ? j : cap;
}

/* One line's steps d[1 .. n-3] from its profile v[0 .. n-1] (n >= 7), and its edge test for 3 .. n-4 as bits:
 * d[x] = q[x+1] - q[x] = v[x+2] + v[x+1] - v[x] - v[x-1]; g[k] = d[k] + d[k-1], an edge candidate where |g[k]| >= 128
 * is a local maximum (>= |g[k-1]|, > |g[k+1]|). */
static inline ALWAYS_INLINE void blur_prepare(const int16_t *restrict v, int32_t n, int16_t *restrict d,
                                              uint8_t *restrict flags) {
    for (int32_t x = 1; x < n - 2; x++) {
        d[x] = (int16_t) (v[x + 2] + v[x + 1] - v[x] - v[x - 1]);
    }
    const int32_t first = 3, end = n - 3;
    for (int32_t x = first; x < end; x++) {
        int16_t g = (int16_t) (d[x] + d[x - 1]), gp = (int16_t) (d[x - 1] + d[x - 2]), gn = (int16_t) (d[x + 1] + d[x]);
        int16_t a = g < 0 ? (int16_t) -g : g, ap = gp < 0 ? (int16_t) -gp : gp, an = gn < 0 ? (int16_t) -gn : gn;
        flags[x] = (uint8_t) ((a >= BLUR_THRESHOLD) & (a >= ap) & (a > an));
    }
    for (int32_t x = 0; x < first; x++) {
        flags[x] = 0;
    }
    for (int32_t x = end; x < end + 32; x++) {
        flags[x] = 0;
    }
    /* Then as bits, in place (bit x of the bytes from flags[0]), so that the next edge is found 57 samples at a
     * time; zero after. */
    for (int32_t x = 0; x <= end; x += 16) {
#ifdef BLUR_SSE2
        uint16_t bits = (uint16_t) _mm_movemask_epi8(_mm_slli_epi16(_mm_loadu_si128((const __m128i *) (flags + x)), 7));
#else
        uint16_t bits = 0;
        for (int32_t i = 0; i < 16; i++) {
            bits |= (uint16_t) (flags[x + i] << i);
        }
#endif
        flags[x / 8] = (uint8_t) bits;
        flags[x / 8 + 1] = (uint8_t) (bits >> 8);
    }
    for (int32_t i = (end / 16 + 1) * 2; i < (end / 16 + 1) * 2 + 16; i++) {
        flags[i] = 0;
    }
}

/*
 * The edges of up to BLUR_LANES prepared lines of n samples, line l's steps at d + l * pitch and flags at
 * flags + l * pitch: each line goes from one flagged sample to the next at or after the previous edge's run end,
 * as the Java does. The lines are independent, so they are stepped in turn: one edge's latency (find, walk) hides
 * the others'.
 */
#define BLUR_EDGES(NAME, ATTR, RUN_LEFT, RUN_RIGHT) \
ATTR void NAME(const int16_t *d0, const uint8_t *f0, size_t pitch, int32_t lanes,                                     \
                                            int32_t n, uint64_t *width_sum, uint64_t *edges) {                        \
    const int32_t end = n - 3;                                                                                        \
    int32_t from[BLUR_LANES];                                                                                         \
    uint64_t ws = 0, count = 0;                                                                                       \
    for (int32_t l = 0; l < BLUR_LANES; l++) {                                                                        \
        from[l] = l < lanes ? 3 : end;                                                                                \
    }                                                                                                                 \
    for (;;) {                                                                                                        \
        int32_t active = 0;                                                                                           \
        for (int32_t l = 0; l < BLUR_LANES; l++) {                                                                    \
            if (from[l] >= end) {                                                                                     \
                continue;                                                                                             \
            }                                                                                                         \
            const int16_t *d = d0 + (size_t) l * pitch;                                                               \
            const uint8_t *flags = f0 + (size_t) l * pitch;                                                           \
            int32_t at = from[l];                                                                                     \
            uint64_t window = *(const u64u *) (flags + (at >> 3)) >> (at & 7);                                        \
            while (!window && at < end) {                                                                             \
                at = ((at >> 3) + 7) << 3;                                                                            \
                window = *(const u64u *) (flags + (at >> 3));                                                         \
            }                                                                                                         \
            if (!window) {                                                                                            \
                from[l] = end;                                                                                        \
                continue;                                                                                             \
            }                                                                                                         \
            active = 1;                                                                                               \
            const int32_t k = at + __builtin_ctzll(window);                                                           \
            const int16_t g = (int16_t) (d[k] + d[k - 1]);                                                            \
            const int16_t flip = (int16_t) (g > 0 ? 0 : -1), least = (int16_t) ((g < 0 ? -g : g) >> 4);               \
            const int32_t left_cap = k - 1 < BLUR_RADIUS ? k - 1 : BLUR_RADIUS;                                       \
            const int32_t right_cap = n - 2 - k < BLUR_RADIUS ? n - 2 - k : BLUR_RADIUS;                              \
            const int32_t left = RUN_LEFT(d, k, left_cap, flip, least);                                               \
            const int32_t right = RUN_RIGHT(d, k, right_cap, flip, least);                                            \
            ws += (uint64_t) (left + right - 2 > 1 ? left + right - 2 : 1);                                           \
            count++;                                                                                                  \
            from[l] = right > 0 ? k + right : k + 1;                                                                  \
        }                                                                                                             \
        if (!active) {                                                                                                \
            break;                                                                                                    \
        }                                                                                                             \
    }                                                                                                                 \
    *width_sum += ws;                                                                                                 \
    *edges += count;                                                                                                  \
}                                                                                                                     \

BLUR_EDGES(blur_edges, static inline ALWAYS_INLINE, blur_run_left, blur_run_right)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* With AVX-512 (picked at run time, as target_clones picks), a walk is one load and one compare per 32 steps. */
#include <immintrin.h>
#define BLUR_V4 1
#define V4 __attribute__((target("arch=x86-64-v4")))

V4 static inline int32_t blur_run_right_v4(const int16_t *d, int32_t k, int32_t cap, int16_t flip, int16_t least) {
    const __m512i f = _mm512_set1_epi16(flip), l = _mm512_set1_epi16(least);
    int32_t j = 0;
    for (;;) {
        __m512i x = _mm512_loadu_si512((const void *) (d + k + j));
        uint32_t stop = ~(uint32_t) _mm512_cmpgt_epi16_mask(_mm512_sub_epi16(_mm512_xor_si512(x, f), f), l);
        if (stop) {
            j += __builtin_ctz(stop);
            break;
        }
        j += 32;
        if (j >= cap) {
            break;
        }
    }
    return j < cap ? j : cap;
}

V4 static inline int32_t blur_run_left_v4(const int16_t *d, int32_t k, int32_t cap, int16_t flip, int16_t least) {
    const __m512i f = _mm512_set1_epi16(flip), l = _mm512_set1_epi16(least);
    int32_t j = 0;
    for (;;) {
        __m512i x = _mm512_loadu_si512((const void *) (d + k - 32 - j)); /* bit 31: d[k-1-j] */
        uint32_t stop = ~(uint32_t) _mm512_cmpgt_epi16_mask(_mm512_sub_epi16(_mm512_xor_si512(x, f), f), l);
        if (stop) {
            j += __builtin_clz(stop);
            break;
        }
        j += 32;
        if (j >= cap) {
            break;
        }
    }
    return j < cap ? j : cap;
}

BLUR_EDGES(blur_edges_v4, V4 static __attribute__((noinline)), blur_run_left_v4, blur_run_right_v4)

/* blur_prepare's steps and edge test, the test's bits straight from AVX-512 compares. */
V4 static __attribute__((noinline)) void blur_prepare_v4(const int16_t *restrict v, int32_t n, int16_t *restrict d,
                                                          uint8_t *restrict flags) {
    int32_t x = 1;
    for (; x + 32 <= n - 2; x += 32) {
        __m512i a = _mm512_loadu_si512((const void *) (v + x + 2)), b = _mm512_loadu_si512((const void *) (v + x + 1));
        __m512i c = _mm512_loadu_si512((const void *) (v + x)), e = _mm512_loadu_si512((const void *) (v + x - 1));
        _mm512_storeu_si512((void *) (d + x), _mm512_sub_epi16(_mm512_add_epi16(a, b), _mm512_add_epi16(c, e)));
    }
    for (; x < n - 2; x++) {
        d[x] = (int16_t) (v[x + 2] + v[x + 1] - v[x] - v[x - 1]);
    }
    const int32_t end = n - 3;
    const __m512i threshold = _mm512_set1_epi16(BLUR_THRESHOLD);
    int32_t k0 = 0;
    for (; k0 < end; k0 += 32) {
        __m512i dm2 = _mm512_loadu_si512((const void *) (d + k0 - 2));
        __m512i dm1 = _mm512_loadu_si512((const void *) (d + k0 - 1));
        __m512i d0 = _mm512_loadu_si512((const void *) (d + k0)), dp1 = _mm512_loadu_si512((const void *) (d + k0 + 1));
        __m512i g = _mm512_abs_epi16(_mm512_add_epi16(d0, dm1)), gp = _mm512_abs_epi16(_mm512_add_epi16(dm1, dm2));
        __m512i gn = _mm512_abs_epi16(_mm512_add_epi16(dp1, d0));
        uint32_t m = (uint32_t) (_mm512_cmpge_epi16_mask(g, threshold) & _mm512_cmpge_epi16_mask(g, gp)
                                 & _mm512_cmpgt_epi16_mask(g, gn));
        uint32_t valid = k0 < 3 ? ~0u << 3 : ~0u; /* k = 3 .. end-1; d there is garbage */
        if (end - k0 < 32) {
            valid &= (1u << (end - k0)) - 1;
        }
        m &= valid;
        __builtin_memcpy(flags + k0 / 8, &m, 4);
    }
    for (int32_t i = k0 / 8; i < k0 / 8 + 16; i++) {
        flags[i] = 0;
    }
}

static int blur_has_v4(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
           && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
           && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")
           && __builtin_cpu_supports("fma");
}
#endif

/* Row j as 8-bit samples: the plane's own bytes, or the 16-bit samples >> s in buf (their OR into *wide). */
static inline ALWAYS_INLINE const uint8_t *blur_row8(const void *plane, int64_t stride, int32_t j, int32_t width, int bps,
                                                     int s, uint8_t *buf, uint16_t *wide) {
    if (bps == 1) {
        return ROW8(plane, stride, j);
    }
    const u16u *r = ROW16(plane, stride, j);
    uint16_t any = 0;
    for (int32_t x = 0; x < width; x++) {
        uint16_t t = (uint16_t) ((uint16_t) r[x] >> s);
        any |= t;
        buf[x] = (uint8_t) t;
    }
    *wide |= any;
    return buf;
}

#ifdef BLUR_V4
#define BLUR_EDGES_CALL(...) (v4 ? blur_edges_v4(__VA_ARGS__) : blur_edges(__VA_ARGS__))
#define BLUR_PREPARE_CALL(...) (v4 ? blur_prepare_v4(__VA_ARGS__) : blur_prepare(__VA_ARGS__))
#else
#define BLUR_EDGES_CALL(...) blur_edges(__VA_ARGS__)
#define BLUR_PREPARE_CALL(...) blur_prepare(__VA_ARGS__)
#endif

static inline ALWAYS_INLINE int blur_fast(const void *plane, int64_t stride, int32_t width, int32_t height, int bps,
                                          int s, uint8_t *scratch, uint64_t *sums) {
#ifdef BLUR_V4
    static int v4 = -1; /* racy but idempotent: every thread finds the same answer */
    if (v4 < 0) {
        v4 = blur_has_v4();
    }
#endif
    const size_t wp = blur_padded((size_t) width), n = blur_padded((size_t) (width > height ? width : height));
    const size_t hp = blur_padded((size_t) height);
    uint8_t *rows = scratch;                                    /* 3 x wp */
    int16_t *v = (int16_t *) (rows + 3 * wp) + BLUR_PAD;        /* BLUR_LANES x n: profiles of rows */
    int16_t *d = v + BLUR_LANES * n;                            /* BLUR_LANES x n */
    uint8_t *flags = (uint8_t *) (d - BLUR_PAD + BLUR_LANES * n); /* BLUR_LANES x n */
    int16_t *group = (int16_t *) (flags + BLUR_LANES * n);      /* height x BLUR_GROUP */
    int16_t *lines = group + (size_t) BLUR_GROUP * (size_t) height + BLUR_PAD; /* BLUR_GROUP x hp */
    for (int32_t l = 0; l < BLUR_LANES; l++) {
        for (int32_t i = -BLUR_PAD; i < 0; i++) {
            d[(size_t) l * n + (size_t) i] = 0; /* read by the walks' whole-vector loads, never counted */
        }
    }
    uint16_t wide = 0;
    uint64_t width_sum = 0, edges = 0, count = 0;

    /* Rows: vertical edges, BLUR_LANES rows at a time. */
    int32_t lanes = 0;
    for (int32_t j = 2; j < height - 1; j += 4) {
        count++;
        if (width < 7) {
            continue;
        }
        const uint8_t *r0 = blur_row8(plane, stride, j - 1, width, bps, s, rows, &wide);
        const uint8_t *r1 = blur_row8(plane, stride, j, width, bps, s, rows + wp, &wide);
        const uint8_t *r2 = blur_row8(plane, stride, j + 1, width, bps, s, rows + 2 * wp, &wide);
        int16_t *vl = v + (size_t) lanes * n;
        for (int32_t x = 0; x < width; x++) {
            vl[x] = (int16_t) (r0[x] + 2 * r1[x] + r2[x]);
        }
        BLUR_PREPARE_CALL(vl, width, d + (size_t) lanes * n, flags + (size_t) lanes * n);
        if (++lanes == BLUR_LANES || j + 4 >= height - 1) {
            BLUR_EDGES_CALL(d, flags, n, lanes, width, &width_sum, &edges);
            lanes = 0;
        }
    }

    /* Columns: horizontal edges, the lines at x = 2 + 4c, BLUR_GROUP at a time. */
    const int32_t nc = width / 4;
    count += (uint64_t) nc;
    if (height >= 7) {
        for (int32_t c0 = 0; c0 < nc; c0 += BLUR_GROUP) {
            const int32_t m = nc - c0 < BLUR_GROUP ? nc - c0 : BLUR_GROUP;
            for (int32_t k = 0; k < height; k++) {
                const uint8_t *r;
                if (bps == 1) {
                    r = ROW8(plane, stride, k);
                } else {
                    const u16u *r16 = ROW16(plane, stride, k) + 4 * c0;
                    uint16_t any = 0;
                    for (int32_t x = 0; x < 4 * m; x++) {
                        uint16_t t = (uint16_t) ((uint16_t) r16[x] >> s);
                        any |= t;
                        rows[x] = (uint8_t) t;
                    }
                    wide |= any;
                    r = rows - 4 * c0;
                }
                const u32u *quads = (const u32u *) r + c0; /* quads[l]: columns 4(c0+l) .. +3, the line at +2 */
                int16_t *g = group + (size_t) k * BLUR_GROUP;
                if (m == BLUR_GROUP) {
                    for (int32_t l = 0; l < BLUR_GROUP; l++) {
                        uint32_t w = quads[l];
                        g[l] = (int16_t) (((w >> 8) & 0xFF) + 2 * ((w >> 16) & 0xFF) + (w >> 24));
                    }
                } else {
                    for (int32_t l = 0; l < m; l++) {
                        uint32_t w = quads[l];
                        g[l] = (int16_t) (((w >> 8) & 0xFF) + 2 * ((w >> 16) & 0xFF) + (w >> 24));
                    }
                }
            }
            /* Transposed: line l's profile at lines + l * hp. */
            int32_t k = 0;
#ifdef BLUR_SSE2
            for (; k + 8 <= height; k += 8) {
                for (int32_t half = 0; half < BLUR_GROUP; half += 8) {
                    const int16_t *src = group + (size_t) k * BLUR_GROUP + half;
                    __m128i r0 = _mm_loadu_si128((const __m128i *) (src + 0 * BLUR_GROUP));
                    __m128i r1 = _mm_loadu_si128((const __m128i *) (src + 1 * BLUR_GROUP));
                    __m128i r2 = _mm_loadu_si128((const __m128i *) (src + 2 * BLUR_GROUP));
                    __m128i r3 = _mm_loadu_si128((const __m128i *) (src + 3 * BLUR_GROUP));
                    __m128i r4 = _mm_loadu_si128((const __m128i *) (src + 4 * BLUR_GROUP));
                    __m128i r5 = _mm_loadu_si128((const __m128i *) (src + 5 * BLUR_GROUP));
                    __m128i r6 = _mm_loadu_si128((const __m128i *) (src + 6 * BLUR_GROUP));
                    __m128i r7 = _mm_loadu_si128((const __m128i *) (src + 7 * BLUR_GROUP));
                    __m128i a0 = _mm_unpacklo_epi16(r0, r1), a1 = _mm_unpackhi_epi16(r0, r1);
                    __m128i a2 = _mm_unpacklo_epi16(r2, r3), a3 = _mm_unpackhi_epi16(r2, r3);
                    __m128i a4 = _mm_unpacklo_epi16(r4, r5), a5 = _mm_unpackhi_epi16(r4, r5);
                    __m128i a6 = _mm_unpacklo_epi16(r6, r7), a7 = _mm_unpackhi_epi16(r6, r7);
                    __m128i b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2);
                    __m128i b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3);
                    __m128i b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6);
                    __m128i b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7);
                    int16_t *dst = lines + (size_t) half * hp + k;
                    _mm_storeu_si128((__m128i *) (dst + 0 * hp), _mm_unpacklo_epi64(b0, b4));
                    _mm_storeu_si128((__m128i *) (dst + 1 * hp), _mm_unpackhi_epi64(b0, b4));
                    _mm_storeu_si128((__m128i *) (dst + 2 * hp), _mm_unpacklo_epi64(b1, b5));
                    _mm_storeu_si128((__m128i *) (dst + 3 * hp), _mm_unpackhi_epi64(b1, b5));
                    _mm_storeu_si128((__m128i *) (dst + 4 * hp), _mm_unpacklo_epi64(b2, b6));
                    _mm_storeu_si128((__m128i *) (dst + 5 * hp), _mm_unpackhi_epi64(b2, b6));
                    _mm_storeu_si128((__m128i *) (dst + 6 * hp), _mm_unpacklo_epi64(b3, b7));
                    _mm_storeu_si128((__m128i *) (dst + 7 * hp), _mm_unpackhi_epi64(b3, b7));
                }
            }
#endif
            for (; k < height; k++) {
                for (int32_t l = 0; l < BLUR_GROUP; l++) {
                    lines[(size_t) l * hp + (size_t) k] = group[(size_t) k * BLUR_GROUP + (size_t) l];
                }
            }
            for (int32_t l0 = 0; l0 < m; l0 += BLUR_LANES) {
                const int32_t batch = m - l0 < BLUR_LANES ? m - l0 : BLUR_LANES;
                for (int32_t l = 0; l < batch; l++) {
                    BLUR_PREPARE_CALL(lines + (size_t) (l0 + l) * hp, height, d + (size_t) l * n,
                                      flags + (size_t) l * n);
                }
                BLUR_EDGES_CALL(d, flags, n, batch, height, &width_sum, &edges);
            }
        }
    }
    if (wide > 255) {
        return 0;
    }
    sums[0] += width_sum;
    sums[1] += edges;
    sums[2] += count;
    return 1;
}

VIGIL_CLONES
void vigil_blur(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bytes_per_sample,
                int32_t shift, int32_t bit_depth, void *scratch, int64_t *out) {
    int s = shift + bit_depth - 8; /* read at 8 bits, as blurdetect */
    uint64_t sums[3] = {0, 0, 0};
    if (!blur_fast(plane, stride, width, height, bytes_per_sample, s, (uint8_t *) scratch, sums)) {
        blur_plain(plane, stride, width, height, bytes_per_sample, s, sums);
    }
    for (int k = 0; k < 3; k++) {
        out[k] += (int64_t) sums[k];
    }
}

/* ---------------------------------------------------------------- ColorBars */

static inline ALWAYS_INLINE int64_t span_sum(const uint8_t *row, int32_t from, int32_t to, int bps, int shift) {
    uint32_t s = 0;
    if (bps == 1) {
        for (int32_t x = from; x < to; x++) {
            s += row[x];
        }
    } else {
        const u16u *r = (const u16u *) row;
        for (int32_t x = from; x < to; x++) {
            s += (uint16_t) r[x] >> shift;
        }
    }
    return s;
}

VIGIL_CLONES
void vigil_colorbars_cells(const void *y, int64_t ys, const void *u, int64_t us, const void *v, int64_t vs,
                           int32_t width, int32_t height, int32_t bps, int32_t shift, int32_t log2w, int32_t log2h,
                           int32_t interleaved, int64_t *out) {
    int64_t *rows = out, *left = out + 512, *right = out + 576, *usum = out + 640, *vsum = out + 704,
            *counts = out + 768;
    for (int i = 0; i < 832; i++) {
        out[i] = 0;
    }
    for (int32_t k = 0; k < 8; k++) {
        int32_t yk = (int32_t) ((int64_t) height * (2 * k + 3) / 40);
        const uint8_t *yr = ROW8(y, ys, yk);
        int32_t yc = yk >> log2h;
        const uint8_t *ur = ROW8(u, us, yc);
        const uint8_t *vr = interleaved ? ur : ROW8(v, vs, yc);
        for (int32_t c = 0; c < 64; c++) {
            int32_t x0 = (int32_t) ((int64_t) c * width / 64), x1 = (int32_t) ((int64_t) (c + 1) * width / 64);
            int32_t xm = x0 + (x1 - x0) / 2;
            int64_t l = span_sum(yr, x0, xm, bps, shift), r = span_sum(yr, xm, x1, bps, shift);
            rows[c * 8 + k] = l + r;
            left[c] += l;
            right[c] += r;
            int32_t c0 = x0 >> log2w, c1 = x1 >> log2w;
            c1 = c1 > c0 + 1 ? c1 : c0 + 1;
            int64_t su = 0, sv = 0;
            for (int32_t xc = c0; xc < c1; xc++) {
                if (interleaved) {
                    su += sample_at(ur, 2 * xc, bps, shift);
                    sv += sample_at(ur, 2 * xc + 1, bps, shift);
                } else {
                    su += sample_at(ur, xc, bps, shift);
                    sv += sample_at(vr, xc, bps, shift);
                }
            }
            usum[c] += su;
            vsum[c] += sv;
            counts[c] += c1 - c0;
        }
    }
}

/* Steps of one row against its left neighbour, and against the row below when there is one. */
static inline ALWAYS_INLINE void flat_row8(const uint8_t *r, const uint8_t *b, int32_t width, uint64_t *flat,
                                           uint64_t *edge) {
    uint32_t f = 0, e = 0;
    for (int32_t first = 1; first < width; first += 32768) {
        int32_t end = width - first > 32768 ? first + 32768 : width;
        uint16_t cf = 0, ce = 0;
        for (int32_t x = first; x < end; x++) {
            uint8_t d = ABSDIFF(r[x], r[x - 1]);
            cf += d <= 1;
            ce += d > 16;
        }
        f += cf;
        e += ce;
    }
    if (b) {
        for (int32_t first = 0; first < width; first += 32768) {
            int32_t end = width - first > 32768 ? first + 32768 : width;
            uint16_t cf = 0, ce = 0;
            for (int32_t x = first; x < end; x++) {
                uint8_t d = ABSDIFF(b[x], r[x]);
                cf += d <= 1;
                ce += d > 16;
            }
            f += cf;
            e += ce;
        }
    }
    *flat += f;
    *edge += e;
}

static inline ALWAYS_INLINE void flat_row16(const u16u *r, const u16u *b, int32_t width, int shift, uint32_t m,
                                            uint32_t edge_step, uint64_t *flat, uint64_t *edge) {
    uint32_t f = 0, e = 0;
    for (int32_t x = 1; x < width; x++) {
        uint32_t p = LOAD16(r, x), l = LOAD16(r, x - 1);
        uint32_t d = ABSDIFF(p, l);
        f += d <= m;
        e += d > edge_step;
    }
    if (b) {
        for (int32_t x = 0; x < width; x++) {
            uint32_t p = LOAD16(r, x), n = LOAD16(b, x);
            uint32_t d = ABSDIFF(n, p);
            f += d <= m;
            e += d > edge_step;
        }
    }
    *flat += f;
    *edge += e;
}

VIGIL_CLONES
void vigil_flatness(const void *plane, int64_t stride, int32_t width, int32_t height, int32_t bps, int32_t shift,
                    int32_t bit_depth, int64_t *out) {
    const uint32_t m = 1u << (bit_depth - 8), edge_step = 16 * m;
    uint64_t flat = 0, edge = 0, steps = 0;
    for (int32_t k = 0; k < 32; k++) {
        int32_t yk = (int32_t) ((int64_t) height * (2 * k + 1) / 64);
        int below = yk + 1 < height;
        if (width > 0) {
            steps += (uint64_t) (width - 1) + (below ? (uint64_t) width : 0);
        }
        if (bps == 1 && m == 1) {
            const uint8_t *r = ROW8(plane, stride, yk);
            flat_row8(r, below ? r + stride : NULL, width, &flat, &edge);
        } else if (bps == 1) {
            const uint8_t *r = ROW8(plane, stride, yk);
            uint32_t f = 0, e = 0;
            for (int32_t x = 0; x < width; x++) {
                if (x > 0) {
                    uint32_t d = ABSDIFF(r[x], r[x - 1]);
                    f += d <= m;
                    e += d > edge_step;
                }
                if (below) {
                    uint32_t d = ABSDIFF(r[x + stride], r[x]);
                    f += d <= m;
                    e += d > edge_step;
                }
            }
            flat += f;
            edge += e;
        } else {
            const u16u *r = ROW16(plane, stride, yk);
            flat_row16(r, below ? ROW16(plane, stride, yk + 1) : NULL, width, shift, m, edge_step, &flat, &edge);
        }
    }
    out[0] += (int64_t) flat;
    out[1] += (int64_t) edge;
    out[2] += (int64_t) steps;
}

/* ---------------------------------------------------------------- FrameDifference's block peaks */

#define PEAK_BLOCK 16
#ifdef BLUR_SSE2 /* emmintrin.h is included (see Blur) */
#define PEAK_SSE2 1
#endif
/* Blocks across a row of at most 65535 samples. */
#define PEAK_BLOCKS_MAX ((65535 + PEAK_BLOCK - 1) / PEAK_BLOCK)

/* A 16-row band: each 16-wide block's SAD added to sums[] (16 x 16 samples of at most 65535 fit 32 bits). A whole
 * 8-bit block row is one psadbw (SSE2: every x86-64). */
static inline ALWAYS_INLINE void peak_band8(const uint8_t *a, int64_t sa, const uint8_t *b, int64_t sb, int32_t width,
                                            int32_t rows, uint32_t *sums) {
    const int32_t whole = width / PEAK_BLOCK;
    for (int32_t j = 0; j < rows; j++) {
        const uint8_t *ra = a + j * sa, *rb = b + j * sb;
        for (int32_t k = 0; k < whole; k++) {
#ifdef PEAK_SSE2
            __m128i d = _mm_sad_epu8(_mm_loadu_si128((const __m128i *) (ra + k * PEAK_BLOCK)),
                                     _mm_loadu_si128((const __m128i *) (rb + k * PEAK_BLOCK)));
            sums[k] += (uint32_t) _mm_cvtsi128_si32(d) + (uint32_t) _mm_extract_epi16(d, 4);
#else
            uint32_t s = 0;
            for (int32_t i = 0; i < PEAK_BLOCK; i++) {
                s += ABSDIFF(ra[k * PEAK_BLOCK + i], rb[k * PEAK_BLOCK + i]);
            }
            sums[k] += s;
#endif
        }
        uint32_t s = 0;
        for (int32_t x = whole * PEAK_BLOCK; x < width; x++) {
            s += ABSDIFF(ra[x], rb[x]);
        }
        sums[whole] += s;
    }
}

static inline ALWAYS_INLINE void peak_band16(const uint8_t *a, int64_t sa, const uint8_t *b, int64_t sb, int32_t width,
                                             int32_t rows, int32_t shift, uint32_t *sums) {
    for (int32_t j = 0; j < rows; j++) {
        const u16u *ra = (const u16u *) (a + j * sa), *rb = (const u16u *) (b + j * sb);
        int32_t x0 = 0;
#ifdef PEAK_SSE2
        /* Whole blocks, 8 samples a load: |a - b| of unsigned words as two saturating subtractions, widened to 32
         * bits before adding (a word difference may be 65535). */
        const __m128i zero = _mm_setzero_si128();
        const __m128i count = _mm_cvtsi32_si128(shift);
        for (; x0 + PEAK_BLOCK <= width; x0 += PEAK_BLOCK) {
            __m128i acc = zero;
            for (int32_t h = 0; h < PEAK_BLOCK; h += 8) {
                __m128i p = _mm_srl_epi16(_mm_loadu_si128((const __m128i *) (ra + x0 + h)), count);
                __m128i q = _mm_srl_epi16(_mm_loadu_si128((const __m128i *) (rb + x0 + h)), count);
                __m128i d = _mm_or_si128(_mm_subs_epu16(p, q), _mm_subs_epu16(q, p));
                acc = _mm_add_epi32(acc, _mm_add_epi32(_mm_unpacklo_epi16(d, zero), _mm_unpackhi_epi16(d, zero)));
            }
            acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(1, 0, 3, 2)));
            acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(2, 3, 0, 1)));
            sums[x0 / PEAK_BLOCK] += (uint32_t) _mm_cvtsi128_si32(acc);
        }
#endif
        for (; x0 < width; x0 += PEAK_BLOCK) {
            int32_t end = width - x0 < PEAK_BLOCK ? width : x0 + PEAK_BLOCK;
            uint32_t s = 0;
            for (int32_t x = x0; x < end; x++) {
                uint32_t p = LOAD16(ra, x), q = LOAD16(rb, x);
                s += ABSDIFF(p, q);
            }
            sums[x0 / PEAK_BLOCK] += s;
        }
    }
}

VIGIL_CLONES
void vigil_block_difference(const void *a, int64_t stride_a, const void *b, int64_t stride_b, int32_t width,
                            int32_t height, int32_t bytes_per_sample, int32_t shift, int64_t *out) {
    uint32_t sums[PEAK_BLOCKS_MAX + 1];
    const int32_t across = (width + PEAK_BLOCK - 1) / PEAK_BLOCK;
    uint64_t peak_sad = 0, peak_samples = 1, total = 0;
    for (int32_t y = 0; y < height; y += PEAK_BLOCK) {
        const int32_t rows = height - y < PEAK_BLOCK ? height - y : PEAK_BLOCK;
        for (int32_t k = 0; k <= across; k++) {
            sums[k] = 0;
        }
        if (bytes_per_sample == 1) {
            peak_band8(ROW8(a, stride_a, y), stride_a, ROW8(b, stride_b, y), stride_b, width, rows, sums);
        } else {
            peak_band16(ROW8(a, stride_a, y), stride_a, ROW8(b, stride_b, y), stride_b, width, rows, shift, sums);
        }
        for (int32_t k = 0; k < across; k++) {
            const uint64_t w = width - k * PEAK_BLOCK < PEAK_BLOCK ? (uint64_t) (width - k * PEAK_BLOCK) : PEAK_BLOCK;
            const uint64_t samples = w * (uint64_t) rows;
            total += sums[k];
            /* sums[k] / samples > peak_sad / peak_samples, without division; the first of equal means stays. */
            if (sums[k] * peak_samples > peak_sad * samples) {
                peak_sad = sums[k];
                peak_samples = samples;
            }
        }
    }
    out[0] = (int64_t) peak_sad;
    out[1] = (int64_t) peak_samples;
    out[2] = (int64_t) total;
}
