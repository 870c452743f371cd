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
