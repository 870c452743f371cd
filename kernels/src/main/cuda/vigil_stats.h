/*
 * vigil_stats.h: the frame statistics that vigil computes on the GPU, as plain C that compiles three ways:
 *
 *   - by nvcc, into the kernels of vigil_stats.cu (__CUDA_ARCH__ defined: device code);
 *   - by a host C compiler, into the stand-in libcuda that the kernels module's tests build, which runs exactly
 *     this per-thread code for every (frame, block, warp, lane) of a launch, so that the indexing, alignment and
 *     arithmetic are tested on machines without a GPU;
 *   - by a host C compiler, into the layout test that compares these structs with the Java MemoryLayouts in
 *     io.vigil.kernels.cuda.FrameRecords.
 *
 * Only the block reduction (warp shuffles, shared memory, atomics) is device-only; it lives in vigil_stats.cu.
 *
 * Definitions (the same as the CPU reference, io.vigil.kernels.LumaStats and FrameDifference):
 *   sample      8-bit: the byte. 16-bit: the little-endian word, shifted right by `shift` (6 for P010, whose 10
 *               bits sit at the top of the word; 0 for yuv420p10le and other LSB-aligned formats), so that every
 *               value is in the bit depth's own range, the range blackThreshold and MAFD's 2^bitDepth assume.
 *   darkCount   plane-0 samples with value <= blackThreshold (blackdetect's pixel test).
 *   lumaSum     sum of plane-0 samples; lumaMin, lumaMax their minimum and maximum (0xFFFFFFFF and 0 when
 *               plane 0 has no samples).
 *   sad         sum over planes [0, planeCount) of |sample - reference sample|, when the frame has a reference
 *               (ref[0] != 0); 0 without one.
 *   samples     sum over planes [0, planeCount) of width * height when the frame has a reference; 0 without one.
 *               MAFD = sad / samples / 2^bitDepth, computed by the host.
 *   brngCount   when brngLumaHigh > 0 (else 0): signalstats' BRNG count (io.vigil.kernels.BroadcastRange). For every
 *               plane-0 sample (x, y), with the chroma samples at (x >> log2 chroma width, y >> log2 chroma height)
 *               (plane 1 and 2, or U at 2 xc and V at 2 xc + 1 of plane 1 when interleaved; none when planeCount
 *               is 1), the pixel counts when Y < brngLow || Y > brngLumaHigh || U or V < brngLow || > brngChromaHigh
 *               (16, 235, 240 times 2^(bitDepth - 8)). BRNG = brngCount / (width[0] * height[0]), by the host.
 *   barTop, barBottom, barLeft, barRight
 *               when letterbox is 1 (else 0), written by vigil_letterbox: cropdetect's black bars
 *               (io.vigil.kernels.Letterbox). A row (column) of plane 0 is black when the sum of its samples is
 *               below (letterboxLimit + 1) * its length (cropdetect: truncated mean <= limit); each bar is the run of
 *               black rows (columns) from its edge. Every row black: top = bottom = height, left = right = width.
 *               The bottom run stops at the first non-black row from the top, the right run at the left bar.
 *   blockBoundarySum, blockBoundaryCount, blockInnerSum, blockInnerCount
 *               when blockiness is 1 (else 0): io.vigil.kernels.Blockiness' four sums over plane 0. Every step
 *               |p(x, y) - p(x - 1, y)| (x >= 1) and |p(x, y) - p(x, y - 1)| (y >= 1) that is at most 16 << (bitDepth
 *               - 8) counts, in the boundary sums when it crosses the 8x8 grid (x, resp. y, a multiple of 8), else
 *               in the inner sums. The score is computed by the host from these integers.
 *   blurWidthSum, blurEdgeCount, blurLines
 *               when blur is 1 (else 0), written by vigil_sampled: io.vigil.kernels.Blur's three sums over plane 0
 *               (every 4th row and column, read at 8 bits, smoothed by a 3x3 binomial; see its class comment). One
 *               thread walks one line, as the CPU does; blurLines is set by vigil_stats_init. Score by the host.
 *   flatSteps, edgeSteps, steps, barsMatched
 *               when colorBars is 1 (else 0), written by vigil_sampled: io.vigil.kernels.ColorBars' flatness counts
 *               over its 32 sampled rows (steps set by vigil_stats_init), and the bars matched by its best candidate
 *               (0..7; 0 for pictures narrower than 128, lower than 40 or without chroma). The host divides.
 *   referenceBlockPeak, anchorBlockPeak, anchorSad, blockPeaksMeasured
 *               when blockPeaks is 1 and the frame's sad lies in (peakSadAbove, peakSadAtMost] (else 0), written by
 *               vigil_block_peaks: io.vigil.kernels.FrameDifference's re-coding test. The planes [0, planeCount) are
 *               cut into 16x16 blocks (those at the right and bottom edges by what is left); a block's mean is its
 *               SAD over its samples. referenceBlockPeak: the largest block mean against the reference, as the
 *               double nearest the quotient (sad / samples, both integers: one rounding, as Java's division), in
 *               code values; anchorBlockPeak: the same against the anchor (anchor[0] != 0; else 0), and anchorSad the
 *               SAD against it over all planes. blockPeaksMeasured is 1 when these were measured. MAFD and the
 *               peaks' 0..1 scale by the host. The SAD bounds let the host ask for every frame with a reference
 *               while the device measures only the frames the test will weigh (their SAD is known by then).
 * width counts samples per row: NV12's and P010's interleaved chroma plane counts U and V (2 * chroma width).
 */
#ifndef VIGIL_STATS_H
#define VIGIL_STATS_H

#include <stddef.h>
#include <stdint.h>
#ifndef __CUDA_ARCH__
#include <string.h>
#endif

/* Planes a descriptor holds: NV12/P010 use 2, planar YUV 3. */
#define VIGIL_MAX_PLANES 3
/* Threads per block of vigil_frame_stats: the host must launch it with exactly this many (launch bounds). */
#define VIGIL_BLOCK_THREADS 256
/* Threads per block of vigil_stats_init. */
#define VIGIL_INIT_THREADS 128
#define VIGIL_WARP_SIZE 32
/* A chunk is what one lane loads at once on the aligned path: 16 bytes (one 128-bit load). */
#define VIGIL_CHUNK_BYTES 16

/*
 * One frame of a batch, written by the host (io.vigil.kernels.cuda.CudaStats#set) into pinned memory and copied
 * to the device once per batch. Addresses are CUdeviceptr values; pitches are bytes from one row to the next
 * (negative for bottom-up planes); unused planes are all zero. 216 bytes.
 */
typedef struct VigilFrameDesc {
    uint64_t plane[VIGIL_MAX_PLANES];    /*   0: the frame's planes */
    uint64_t ref[VIGIL_MAX_PLANES];      /*  24: the reference frame's planes, all 0 when there is none */
    int32_t pitch[VIGIL_MAX_PLANES];     /*  48 */
    int32_t refPitch[VIGIL_MAX_PLANES];  /*  60 */
    int32_t width[VIGIL_MAX_PLANES];     /*  72: samples per row */
    int32_t height[VIGIL_MAX_PLANES];    /*  84: rows */
    int32_t planeCount;                  /*  96: 1..VIGIL_MAX_PLANES */
    int32_t bytesPerSample;              /* 100: 1 or 2 */
    int32_t shift;                       /* 104: 16-bit samples are stored >> shift; 0 for 8-bit */
    int32_t blackThreshold;              /* 108: dark when sample <= blackThreshold */
    int32_t brngLow;                     /* 112: BRNG limits (16, 235, 240 scaled); all 0: no BRNG */
    int32_t brngLumaHigh;                /* 116 */
    int32_t brngChromaHigh;              /* 120 */
    int32_t chromaShape;                 /* 124: log2 chroma width | log2 chroma height << 4 | interleaved << 8 */
    int32_t letterbox;                   /* 128: 1: cropdetect's bars wanted (vigil_letterbox); 0: not */
    int32_t letterboxLimit;              /* 132: cropdetect's integer limit, lrint(limit * max) */
    int32_t blockiness;                  /* 136: 1: Blockiness' sums wanted; 0: not */
    int32_t blockAlpha;                  /* 140: largest step that counts, 16 << (bitDepth - 8) */
    int32_t blur;                        /* 144: 1: Blur's sums wanted (vigil_sampled); 0: not */
    int32_t colorBars;                   /* 148: 1: ColorBars' bars and flatness wanted (vigil_sampled); 0: not */
    int32_t bitDepth;                    /* 152: the samples' bit depth, for blur and colorBars */
    int32_t blockPeaks;                  /* 156: 1: the re-coding test's block peaks wanted (vigil_block_peaks) */
    uint64_t anchor[VIGIL_MAX_PLANES];   /* 160: the still run's first frame's planes, all 0: none (the reference) */
    int64_t peakSadAbove;                /* 184: block peaks only when peakSadAbove < sad <= peakSadAtMost */
    int64_t peakSadAtMost;               /* 192 */
    int32_t anchorPitch[VIGIL_MAX_PLANES]; /* 200 */
    int32_t reserved;                    /* 212: 0 */
} VigilFrameDesc;                        /* 216 */

/* One frame's statistics, written by the kernels and copied back in one D2H copy per batch. 160 bytes. */
typedef struct VigilFrameResult {
    uint64_t darkCount;                  /*  0 */
    uint64_t lumaSum;                    /*  8 */
    uint64_t sad;                        /* 16 */
    uint64_t samples;                    /* 24 */
    uint32_t lumaMin;                    /* 32 */
    uint32_t lumaMax;                    /* 36 */
    uint64_t brngCount;                  /* 40 */
    uint32_t barTop;                     /* 48 */
    uint32_t barBottom;                  /* 52 */
    uint32_t barLeft;                    /* 56 */
    uint32_t barRight;                   /* 60 */
    uint64_t blockBoundarySum;           /* 64 */
    uint64_t blockBoundaryCount;         /* 72 */
    uint64_t blockInnerSum;              /* 80 */
    uint64_t blockInnerCount;            /* 88 */
    uint64_t blurWidthSum;               /* 96 */
    uint32_t blurEdgeCount;              /* 104 */
    uint32_t blurLines;                  /* 108 */
    uint32_t flatSteps;                  /* 112 */
    uint32_t edgeSteps;                  /* 116 */
    uint32_t steps;                      /* 120 */
    uint32_t barsMatched;                /* 124 */
    double referenceBlockPeak;           /* 128 */
    double anchorBlockPeak;              /* 136 */
    uint64_t anchorSad;                  /* 144 */
    uint32_t blockPeaksMeasured;         /* 152 */
    uint32_t reserved;                   /* 156 */
} VigilFrameResult;                      /* 160 */

#ifdef __cplusplus
#define VIGIL_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define VIGIL_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif
VIGIL_STATIC_ASSERT(sizeof(VigilFrameDesc) == 216, "VigilFrameDesc is 216 bytes");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameDesc, pitch) == 48, "VigilFrameDesc.pitch at 48");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameDesc, planeCount) == 96, "VigilFrameDesc.planeCount at 96");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameDesc, anchor) == 160, "VigilFrameDesc.anchor at 160");
VIGIL_STATIC_ASSERT(sizeof(VigilFrameResult) == 160, "VigilFrameResult is 160 bytes");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameResult, referenceBlockPeak) == 128, "VigilFrameResult.referenceBlockPeak at 128");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameResult, lumaMin) == 32, "VigilFrameResult.lumaMin at 32");
VIGIL_STATIC_ASSERT(VIGIL_BLOCK_THREADS % VIGIL_WARP_SIZE == 0, "whole warps per block");

#ifdef __CUDACC__
#define VIGIL_FN static __host__ __device__ __forceinline__
#define VIGIL_UNROLL _Pragma("unroll")
#else
#define VIGIL_FN static inline
#define VIGIL_UNROLL
#endif

/* What one thread has summed so far. */
typedef struct VigilAcc {
    uint64_t dark;
    uint64_t sum;
    uint64_t sad;
    uint64_t brng;
    uint64_t bSum;
    uint64_t bCount;
    uint64_t iSum;
    uint64_t iCount;
    uint32_t min;
    uint32_t max;
} VigilAcc;

VIGIL_FN void vigil_acc_init(VigilAcc *acc) {
    acc->dark = 0;
    acc->sum = 0;
    acc->sad = 0;
    acc->brng = 0;
    acc->bSum = 0;
    acc->bCount = 0;
    acc->iSum = 0;
    acc->iCount = 0;
    acc->min = 0xFFFFFFFFu;
    acc->max = 0;
}

/* What the block reduction does on the device: sums add, minimum and maximum combine. */
VIGIL_FN void vigil_acc_merge(VigilAcc *into, const VigilAcc *from) {
    into->dark += from->dark;
    into->sum += from->sum;
    into->sad += from->sad;
    into->brng += from->brng;
    into->bSum += from->bSum;
    into->bCount += from->bCount;
    into->iSum += from->iSum;
    into->iCount += from->iCount;
    into->min = from->min < into->min ? from->min : into->min;
    into->max = from->max > into->max ? from->max : into->max;
}

VIGIL_FN int vigil_has_ref(const VigilFrameDesc *d) {
    return d->ref[0] != 0;
}

/* Planes the kernel reads: all of them for the SAD, only luma without a reference. */
VIGIL_FN int vigil_planes_read(const VigilFrameDesc *d) {
    int planes = d->planeCount < VIGIL_MAX_PLANES ? d->planeCount : VIGIL_MAX_PLANES;
    return vigil_has_ref(d) ? planes : 1;
}

/* Rows the kernel visits for this frame: the rows of every plane it reads, one after another. */
VIGIL_FN int64_t vigil_rows(const VigilFrameDesc *d) {
    int64_t rows = 0;
    int planes = vigil_planes_read(d);
    for (int p = 0; p < planes; p++) {
        rows += d->height[p] > 0 ? d->height[p] : 0;
    }
    return rows;
}

/* The SAD's sample count: width * height over all planes with a reference, 0 without. */
VIGIL_FN uint64_t vigil_sad_samples(const VigilFrameDesc *d) {
    if (!vigil_has_ref(d)) {
        return 0;
    }
    uint64_t samples = 0;
    int planes = vigil_planes_read(d);
    for (int p = 0; p < planes; p++) {
        if (d->width[p] > 0 && d->height[p] > 0) {
            samples += (uint64_t) d->width[p] * (uint64_t) d->height[p];
        }
    }
    return samples;
}

/* Blur (io.vigil.kernels.Blur) and ColorBars (io.vigil.kernels.ColorBars), computed by vigil_sampled. */
#define VIGIL_BLUR_RADIUS 50
#define VIGIL_BLUR_THRESHOLD 128
#define VIGIL_CELLS 64
#define VIGIL_BAR_ROWS 8
#define VIGIL_FLAT_ROWS 32
#define VIGIL_MIN_SEGMENT_CELLS 3
/* vigil_sampled's blocks per frame: block 0 the bars (warp k: bar row k), then VIGIL_FLAT_BLOCKS blocks of flatness
 * rows (a warp each), then the blur's (a thread per line). */
#define VIGIL_FLAT_BLOCKS (VIGIL_FLAT_ROWS / (VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE))
#define VIGIL_FIRST_BLUR_BLOCK (1 + VIGIL_FLAT_BLOCKS)
VIGIL_STATIC_ASSERT(VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE == VIGIL_BAR_ROWS, "one warp per bar row");
VIGIL_STATIC_ASSERT(VIGIL_FLAT_ROWS % (VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE) == 0, "whole blocks of flat rows");

/* Blur's row lines: y = 2, 6, 10, ... while y < height - 1. */
VIGIL_FN int64_t vigil_blur_row_lines(const VigilFrameDesc *d) {
    const int64_t h = d->height[0];
    return h >= 4 ? (h - 4) / 4 + 1 : 0;
}

/* Blur's lines: the rows, then the columns x = 2, 6, 10, ... while x < width - 1. */
VIGIL_FN int64_t vigil_blur_lines(const VigilFrameDesc *d) {
    const int64_t w = d->width[0];
    return vigil_blur_row_lines(d) + (w >= 4 ? (w - 4) / 4 + 1 : 0);
}

/* ColorBars' flatness row k: floor(h * (2k + 1) / 64). */
VIGIL_FN int64_t vigil_flat_row_y(const VigilFrameDesc *d, int k) {
    return (int64_t) d->height[0] * (2 * k + 1) / (2 * VIGIL_FLAT_ROWS);
}

/* The steps ColorBars' flatness looks at: per sampled row, width - 1 horizontal ones and width vertical ones when
 * the row below exists. */
VIGIL_FN uint64_t vigil_flat_steps(const VigilFrameDesc *d) {
    const int64_t w = d->width[0];
    uint64_t steps = 0;
    if (w <= 0) {
        return 0;
    }
    for (int k = 0; k < VIGIL_FLAT_ROWS; k++) {
        steps += (uint64_t) (w - 1) + (vigil_flat_row_y(d, k) + 1 < d->height[0] ? (uint64_t) w : 0u);
    }
    return steps;
}

/* What vigil_stats_init writes before the statistics kernel adds to it. */
VIGIL_FN void vigil_result_init(const VigilFrameDesc *d, VigilFrameResult *r) {
    r->darkCount = 0;
    r->lumaSum = 0;
    r->sad = 0;
    r->samples = vigil_sad_samples(d);
    r->lumaMin = 0xFFFFFFFFu;
    r->lumaMax = 0;
    r->brngCount = 0;
    r->blockBoundarySum = 0;
    r->blockBoundaryCount = 0;
    r->blockInnerSum = 0;
    r->blockInnerCount = 0;
    r->barTop = 0;
    r->barBottom = 0;
    r->barLeft = 0;
    r->barRight = 0;
    r->blurWidthSum = 0;
    r->blurEdgeCount = 0;
    r->blurLines = d->blur != 0 ? (uint32_t) vigil_blur_lines(d) : 0;
    r->flatSteps = 0;
    r->edgeSteps = 0;
    r->steps = d->colorBars != 0 ? (uint32_t) vigil_flat_steps(d) : 0;
    r->barsMatched = 0;
    r->referenceBlockPeak = 0;
    r->anchorBlockPeak = 0;
    r->anchorSad = 0;
    r->blockPeaksMeasured = 0;
    r->reserved = 0;
}

/*
 * cropdetect's test on line k of plane 0: row k (columns 0) or column k (columns 1), summed sample by sample
 * (stored >> shift for 16-bit samples). Black when the sum is below (letterboxLimit + 1) * length.
 */
VIGIL_FN int vigil_line_black(const VigilFrameDesc *d, int columns, int64_t k) {
    const int bytesPerSample = d->bytesPerSample;
    const int shift = d->shift;
    const int64_t pitch = d->pitch[0];
    const int64_t len = columns ? d->height[0] : d->width[0];
    const int64_t step = columns ? pitch : bytesPerSample;
    const uint8_t *p = (const uint8_t *) (uintptr_t) (d->plane[0]
            + (uint64_t) (columns ? k * bytesPerSample : k * pitch));
    uint64_t sum = 0;
    for (int64_t i = 0; i < len; i++) {
        const uint8_t *q = p + i * step;
        sum += bytesPerSample == 1 ? q[0] : ((uint32_t) q[0] | (uint32_t) q[1] << 8) >> shift;
    }
    return sum < ((uint64_t) (uint32_t) d->letterboxLimit + 1) * (uint64_t) len;
}

/* The run of black lines from an edge (fromEnd: from the last line back), at most n lines; one thread. */
VIGIL_FN int64_t vigil_edge_run_serial(const VigilFrameDesc *d, int columns, int fromEnd, int64_t n) {
    const int64_t total = columns ? d->width[0] : d->height[0];
    int64_t k = 0;
    while (k < n && vigil_line_black(d, columns, fromEnd ? total - 1 - k : k)) {
        k++;
    }
    return k;
}

/* 16 bytes from a 16-byte aligned address, as four little-endian words (byte 0 in the low bits of w[0]). */
VIGIL_FN void vigil_load16(const uint8_t *p, uint32_t w[4]) {
#ifdef __CUDA_ARCH__
    uint4 v = __ldg((const uint4 *) p);
    w[0] = v.x;
    w[1] = v.y;
    w[2] = v.z;
    w[3] = v.w;
#else
#ifdef VIGIL_ON_MISALIGNED
    /* The host emulation's check of what would fault on a GPU: a 128-bit load from an address not 16-aligned. */
    if (((uintptr_t) p & 15u) != 0) {
        VIGIL_ON_MISALIGNED(p);
    }
#endif
    memcpy(w, p, 16); /* little-endian hosts (x86-64, AArch64), as the GPU is */
#endif
}

VIGIL_FN uint32_t vigil_absdiff(uint32_t a, uint32_t b) {
    return a > b ? a - b : b - a;
}

/* Sample s of a row: 8-bit, or 16-bit little-endian read byte by byte (no alignment needed) and shifted. */
VIGIL_FN uint32_t vigil_sample(const uint8_t *row, int64_t s, int bytesPerSample, int shift) {
    if (bytesPerSample == 1) {
        return row[s];
    }
    const uint8_t *p = row + 2 * s;
    return ((uint32_t) p[0] | ((uint32_t) p[1] << 8)) >> shift;
}

/* One aligned chunk of 16 8-bit samples. Partial sums fit 32 bits (16 * 255). */
VIGIL_FN void vigil_chunk8(const uint32_t a[4], const uint32_t b[4], int luma, int hasRef, int32_t threshold,
                           VigilAcc *acc) {
    uint32_t sum = 0, dark = 0, sad = 0, mn = acc->min, mx = acc->max;
    VIGIL_UNROLL
    for (int k = 0; k < 4; k++) {
        VIGIL_UNROLL
        for (int j = 0; j < 4; j++) {
            uint32_t v = (a[k] >> (8 * j)) & 0xFFu;
            if (luma) {
                sum += v;
                dark += (int32_t) v <= threshold ? 1u : 0u;
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
            if (hasRef) {
                sad += vigil_absdiff(v, (b[k] >> (8 * j)) & 0xFFu);
            }
        }
    }
    acc->sum += sum;
    acc->dark += dark;
    acc->sad += sad;
    acc->min = mn;
    acc->max = mx;
}

/* One aligned chunk of 8 16-bit samples. Partial sums fit 32 bits (8 * 65535). */
VIGIL_FN void vigil_chunk16(const uint32_t a[4], const uint32_t b[4], int luma, int hasRef, int32_t threshold,
                            int shift, VigilAcc *acc) {
    uint32_t sum = 0, dark = 0, sad = 0, mn = acc->min, mx = acc->max;
    VIGIL_UNROLL
    for (int k = 0; k < 4; k++) {
        VIGIL_UNROLL
        for (int j = 0; j < 2; j++) {
            uint32_t v = ((a[k] >> (16 * j)) & 0xFFFFu) >> shift;
            if (luma) {
                sum += v;
                dark += (int32_t) v <= threshold ? 1u : 0u;
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
            if (hasRef) {
                sad += vigil_absdiff(v, ((b[k] >> (16 * j)) & 0xFFFFu) >> shift);
            }
        }
    }
    acc->sum += sum;
    acc->dark += dark;
    acc->sad += sad;
    acc->min = mn;
    acc->max = mx;
}

/*
 * signalstats' BRNG over lane `lane`'s share of row y of plane 0 (every 32nd pixel): each pixel's luma, and the
 * chroma samples it uses on the subsampled grid, read one by one (the luma row was just read: mostly cache hits).
 */
VIGIL_FN void vigil_brng_row(const VigilFrameDesc *d, int64_t y, uint32_t lane, VigilAcc *acc) {
    const int bytesPerSample = d->bytesPerSample;
    const int shift = d->shift;
    const uint32_t lo = (uint32_t) d->brngLow;
    const uint32_t yHi = (uint32_t) d->brngLumaHigh;
    const uint32_t cHi = (uint32_t) d->brngChromaHigh;
    const int chroma = d->planeCount >= 2;
    const int log2W = d->chromaShape & 15;
    const int log2H = (d->chromaShape >> 4) & 15;
    const int interleaved = (d->chromaShape >> 8) & 1;
    const int64_t width = d->width[0];
    const int64_t yc = y >> log2H;
    const uint8_t *a = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) (y * (int64_t) d->pitch[0]));
    const uint8_t *u = chroma
            ? (const uint8_t *) (uintptr_t) (d->plane[1] + (uint64_t) (yc * (int64_t) d->pitch[1]))
            : a;
    const uint8_t *v = chroma && !interleaved
            ? (const uint8_t *) (uintptr_t) (d->plane[2] + (uint64_t) (yc * (int64_t) d->pitch[2]))
            : u;
    uint64_t count = 0;
    for (int64_t s = lane; s < width; s += VIGIL_WARP_SIZE) {
        uint32_t l = vigil_sample(a, s, bytesPerSample, shift);
        int bad = l < lo || l > yHi;
        if (!bad && chroma) {
            int64_t xc = s >> log2W;
            uint32_t cu = interleaved ? vigil_sample(u, 2 * xc, bytesPerSample, shift)
                                      : vigil_sample(u, xc, bytesPerSample, shift);
            uint32_t cv = interleaved ? vigil_sample(u, 2 * xc + 1, bytesPerSample, shift)
                                      : vigil_sample(v, xc, bytesPerSample, shift);
            bad = cu < lo || cu > cHi || cv < lo || cv > cHi;
        }
        count += bad ? 1u : 0u;
    }
    acc->brng += count;
}

/*
 * Blockiness' sums over lane `lane`'s share of row y of plane 0 (every 32nd sample): the step from the left
 * neighbour and the one from the sample above, each counted when at most blockAlpha, at the grid or inside.
 */
VIGIL_FN void vigil_block_row(const VigilFrameDesc *d, int64_t y, uint32_t lane, VigilAcc *acc) {
    const int bytesPerSample = d->bytesPerSample;
    const int shift = d->shift;
    const uint32_t alpha = (uint32_t) d->blockAlpha;
    const int64_t width = d->width[0];
    const uint8_t *a = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) (y * (int64_t) d->pitch[0]));
    const uint8_t *up = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) ((y - 1) * (int64_t) d->pitch[0]));
    const int gridRow = (y & 7) == 0;
    uint64_t bSum = 0, bCount = 0, iSum = 0, iCount = 0;
    for (int64_t s = lane; s < width; s += VIGIL_WARP_SIZE) {
        uint32_t p = vigil_sample(a, s, bytesPerSample, shift);
        if (s > 0) {
            uint32_t q = vigil_sample(a, s - 1, bytesPerSample, shift);
            uint32_t step = p > q ? p - q : q - p;
            if (step <= alpha) {
                if ((s & 7) == 0) { bSum += step; bCount++; } else { iSum += step; iCount++; }
            }
        }
        if (y > 0) {
            uint32_t q = vigil_sample(up, s, bytesPerSample, shift);
            uint32_t step = p > q ? p - q : q - p;
            if (step <= alpha) {
                if (gridRow) { bSum += step; bCount++; } else { iSum += step; iCount++; }
            }
        }
    }
    acc->bSum += bSum;
    acc->bCount += bCount;
    acc->iSum += iSum;
    acc->iCount += iCount;
}

/*
 * Lane `lane` of a warp's share of row y of plane p. When the row and its reference row both start on a 16-byte
 * boundary (pitches and base pointers of FFmpeg's CUDA frames are), lane i loads bytes [16 i, 16 i + 16) of every
 * 512 (one coalesced 128-bit load per lane) up to the last whole chunk, and the samples after it one by one;
 * otherwise every sample is read one by one (a warp still reads 32 consecutive samples at a time).
 */
VIGIL_FN void vigil_row(const VigilFrameDesc *d, int p, int64_t y, uint32_t lane, int hasRef, VigilAcc *acc) {
    const int bytesPerSample = d->bytesPerSample;
    const int shift = d->shift;
    const int32_t threshold = d->blackThreshold;
    const int luma = p == 0;
    const int64_t width = d->width[p];
    const uint8_t *a = (const uint8_t *) (uintptr_t) (d->plane[p] + (uint64_t) (y * (int64_t) d->pitch[p]));
    const uint8_t *b = hasRef
            ? (const uint8_t *) (uintptr_t) (d->ref[p] + (uint64_t) (y * (int64_t) d->refPitch[p]))
            : a;
    const int64_t rowBytes = width * bytesPerSample;
    const int64_t chunkBytes = (((uintptr_t) a | (uintptr_t) b) & (VIGIL_CHUNK_BYTES - 1)) == 0
            ? rowBytes / VIGIL_CHUNK_BYTES * VIGIL_CHUNK_BYTES
            : 0;
    uint32_t wa[4];
    uint32_t wb[4] = {0, 0, 0, 0};
    for (int64_t offset = (int64_t) lane * VIGIL_CHUNK_BYTES; offset < chunkBytes;
         offset += (int64_t) VIGIL_WARP_SIZE * VIGIL_CHUNK_BYTES) {
        vigil_load16(a + offset, wa);
        if (hasRef) {
            vigil_load16(b + offset, wb);
        }
        if (bytesPerSample == 1) {
            vigil_chunk8(wa, wb, luma, hasRef, threshold, acc);
        } else {
            vigil_chunk16(wa, wb, luma, hasRef, threshold, shift, acc);
        }
    }
    for (int64_t s = chunkBytes / bytesPerSample + lane; s < width; s += VIGIL_WARP_SIZE) {
        uint32_t v = vigil_sample(a, s, bytesPerSample, shift);
        if (luma) {
            acc->sum += v;
            acc->dark += (int32_t) v <= threshold ? 1u : 0u;
            acc->min = v < acc->min ? v : acc->min;
            acc->max = v > acc->max ? v : acc->max;
        }
        if (hasRef) {
            acc->sad += vigil_absdiff(v, vigil_sample(b, s, bytesPerSample, shift));
        }
    }
}

/*
 * Everything one thread of vigil_frame_stats sums for its frame. The rows the frame's kernel visits (plane 0's,
 * then plane 1's and 2's when there is a reference) are dealt out to warps: warp w of block x takes rows
 * x * warps + w, then every gridX * warps rows after it, and its 32 lanes share each row.
 */
VIGIL_FN void vigil_thread_work(const VigilFrameDesc *d, uint32_t blockX, uint32_t gridX, uint32_t warp,
                                uint32_t warps, uint32_t lane, VigilAcc *acc) {
    const int hasRef = vigil_has_ref(d);
    const int64_t rows = vigil_rows(d);
    const int64_t stride = (int64_t) gridX * warps;
    for (int64_t r = (int64_t) blockX * warps + warp; r < rows; r += stride) {
        int p = 0;
        int64_t y = r;
        while (y >= (d->height[p] > 0 ? d->height[p] : 0)) { /* r < rows: ends on a plane that is read */
            y -= d->height[p] > 0 ? d->height[p] : 0;
            p++;
        }
        vigil_row(d, p, y, lane, hasRef, acc);
        if (p == 0 && d->brngLumaHigh > 0) {
            vigil_brng_row(d, y, lane, acc);
        }
        if (p == 0 && d->blockiness != 0) {
            vigil_block_row(d, y, lane, acc);
        }
    }
}

/* ---- vigil_sampled: Blur, and ColorBars' bars and flatness ---- */

/* One sample at byte address `at`: 8-bit, or the 16-bit little-endian word shifted right by `shift`. */
VIGIL_FN int32_t vigil_sample_at(uint64_t at, int bytesPerSample, int shift) {
    const uint8_t *p = (const uint8_t *) (uintptr_t) at;
    if (bytesPerSample == 1) {
        return p[0];
    }
    return (int32_t) (((uint32_t) p[0] | ((uint32_t) p[1] << 8)) >> shift);
}

/* Blur's v[k]: sample k of a line smoothed across it, [1 2 1] (four times its 8-bit value). */
VIGIL_FN int32_t vigil_blur_v(uint64_t base, int32_t k, int64_t step, int64_t across, int bytesPerSample, int shift) {
    const uint64_t at = base + (uint64_t) (k * step);
    return vigil_sample_at(at - (uint64_t) across, bytesPerSample, shift)
            + 2 * vigil_sample_at(at, bytesPerSample, shift)
            + vigil_sample_at(at + (uint64_t) across, bytesPerSample, shift);
}

VIGIL_FN int32_t vigil_abs32(int32_t v) {
    return v < 0 ? -v : v;
}

/*
 * Blur's sums over line `line` of plane 0 (the rows first, then the columns; see vigil_blur_lines), walked by one
 * thread exactly as io.vigil.kernels.Blur walks it: a window slides along the line, each edge's run is walked left
 * and right, an edge only counts from the end of the previous one. Adds to *widthSum and *edges.
 */
VIGIL_FN void vigil_blur_line(const VigilFrameDesc *d, int64_t line, uint64_t *widthSum, uint32_t *edges) {
    const int bps = d->bytesPerSample;
    /* Read at 8 bits, as blurdetect reads (8-bit samples have shift 0 and bitDepth 8). */
    const int shift = bps == 1 ? 0 : d->shift + d->bitDepth - 8;
    const int64_t pitch = d->pitch[0];
    const int64_t rowLines = vigil_blur_row_lines(d);
    uint64_t base;
    int64_t step;
    int64_t across;
    int32_t n;
    if (line < rowLines) {
        base = d->plane[0] + (uint64_t) ((2 + 4 * line) * pitch);
        step = bps;
        across = pitch;
        n = d->width[0];
    } else {
        base = d->plane[0] + (uint64_t) ((2 + 4 * (line - rowLines)) * bps);
        step = pitch;
        across = bps;
        n = d->height[0];
    }
    if (n < 7) {
        return;
    }
    uint64_t sum = 0;
    uint32_t count = 0;
    /* At sample k: vm = v[k-1], vp = v[k], v2 = v[k+1], v3 = v[k+2]; qm2..qp1 = q[k-2..k+1]; gPrev = |g[k-1]|,
     * gSigned = g[k]. */
    const int32_t v0 = vigil_blur_v(base, 0, step, across, bps, shift);
    const int32_t v1 = vigil_blur_v(base, 1, step, across, bps, shift);
    int32_t vm = vigil_blur_v(base, 2, step, across, bps, shift);
    int32_t vp = vigil_blur_v(base, 3, step, across, bps, shift);
    int32_t v2 = vigil_blur_v(base, 4, step, across, bps, shift);
    int32_t v3 = vigil_blur_v(base, 5, step, across, bps, shift);
    const int32_t qm2 = v0 + 2 * v1 + vm;
    int32_t qm1 = v1 + 2 * vm + vp;
    int32_t q0 = vm + 2 * vp + v2;
    int32_t qp1 = vp + 2 * v2 + v3;
    int32_t gPrev = vigil_abs32(q0 - qm2);
    int32_t gSigned = qp1 - qm1;
    int32_t runEnd = -1;
    for (int32_t k = 3; k <= n - 4; k++) {
        const int32_t v4 = vigil_blur_v(base, k + 3, step, across, bps, shift);
        const int32_t qp2 = v2 + 2 * v3 + v4;
        const int32_t gHere = vigil_abs32(gSigned);
        const int32_t gNextSigned = qp2 - q0;
        if (k >= runEnd && gHere >= VIGIL_BLUR_THRESHOLD && gHere >= gPrev && gHere > vigil_abs32(gNextSigned)) {
            const int32_t s = gSigned > 0 ? 1 : -1;
            /* Steps this small are shading under the edge, not the edge. */
            const int32_t least = gHere >> 4;
            int32_t a = k;
            int32_t qa = q0;
            int32_t va = vp;
            int32_t va1 = vm;
            while (a > 1 && k - a < VIGIL_BLUR_RADIUS) {
                const int32_t va2 = vigil_blur_v(base, a - 2, step, across, bps, shift);
                const int32_t q = va2 + 2 * va1 + va;
                if ((qa - q) * s <= least) {
                    break;
                }
                qa = q;
                va = va1;
                va1 = va2;
                a--;
            }
            int32_t b = k;
            int32_t qb = q0;
            int32_t vb = vp;
            int32_t vb1 = v2;
            while (b < n - 2 && b - k < VIGIL_BLUR_RADIUS) {
                const int32_t vb2 = vigil_blur_v(base, b + 2, step, across, bps, shift);
                const int32_t q = vb + 2 * vb1 + vb2;
                if ((q - qb) * s <= least) {
                    break;
                }
                qb = q;
                vb = vb1;
                vb1 = vb2;
                b++;
            }
            const int32_t width = b - a - 2;
            sum += (uint64_t) (width > 1 ? width : 1);
            count++;
            runEnd = b;
        }
        gPrev = gHere;
        gSigned = gNextSigned;
        qm1 = q0;
        q0 = qp1;
        qp1 = qp2;
        vm = vp;
        vp = v2;
        v2 = v3;
        v3 = v4;
    }
    *widthSum += sum;
    *edges += count;
}

/*
 * ColorBars' flatness over lane `lane`'s share of sampled row k (every 32nd sample): the step from the left
 * neighbour and the one to the row below, flat when at most m, an edge when over 16 m (m = 2^(bitDepth - 8)).
 */
VIGIL_FN void vigil_flat_row(const VigilFrameDesc *d, int k, uint32_t lane, uint32_t *flat, uint32_t *edge) {
    const int bps = d->bytesPerSample;
    const int shift = d->shift;
    const uint32_t m = 1u << (d->bitDepth - 8);
    const uint32_t edgeStep = 16u * m;
    const int64_t width = d->width[0];
    const int64_t y = vigil_flat_row_y(d, k);
    const int below = y + 1 < d->height[0];
    const uint8_t *row = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) (y * (int64_t) d->pitch[0]));
    const uint8_t *next = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) ((y + 1) * (int64_t) d->pitch[0]));
    uint32_t f = 0;
    uint32_t e = 0;
    for (int64_t x = lane; x < width; x += VIGIL_WARP_SIZE) {
        const uint32_t p = vigil_sample(row, x, bps, shift);
        if (x > 0) {
            const uint32_t step = vigil_absdiff(p, vigil_sample(row, x - 1, bps, shift));
            f += step <= m ? 1u : 0u;
            e += step > edgeStep ? 1u : 0u;
        }
        if (below) {
            const uint32_t step = vigil_absdiff(vigil_sample(next, x, bps, shift), p);
            f += step <= m ? 1u : 0u;
            e += step > edgeStep ? 1u : 0u;
        }
    }
    *flat += f;
    *edge += e;
}

/* Whether ColorBars looks for bars in this frame at all: asked for, with chroma, at least 128 x 40. */
VIGIL_FN int vigil_bars_wanted(const VigilFrameDesc *d) {
    return d->colorBars != 0 && d->planeCount >= 2 && d->width[0] >= 2 * VIGIL_CELLS && d->height[0] >= 40;
}

/* What the bars block shares: per bar row and cell the half-cell luma sums and the U and V sums; then per cell its
 * flatness and means; then the kept segments. */
typedef struct VigilBarsCells {
    uint32_t left[VIGIL_BAR_ROWS][VIGIL_CELLS];
    uint32_t right[VIGIL_BAR_ROWS][VIGIL_CELLS];
    uint32_t u[VIGIL_BAR_ROWS][VIGIL_CELLS];
    uint32_t v[VIGIL_BAR_ROWS][VIGIL_CELLS];
    int32_t flat[VIGIL_CELLS];
    int32_t y[VIGIL_CELLS];
    int32_t cu[VIGIL_CELLS];
    int32_t cv[VIGIL_CELLS];
    int32_t segStart[VIGIL_CELLS];
    int32_t segEnd[VIGIL_CELLS];
    int32_t segY[VIGIL_CELLS];
    int32_t segU[VIGIL_CELLS];
    int32_t segV[VIGIL_CELLS];
} VigilBarsCells;

/* Cell c's luma columns [x0, x1) of a picture `width` wide. */
VIGIL_FN int64_t vigil_cell_x(int64_t width, int c) {
    return (int64_t) c * width / VIGIL_CELLS;
}

/*
 * Lane `lane`'s share (every 32nd sample) of cell c in bar row k: sums[0] its left-half luma, sums[1] its right-half
 * luma, sums[2] and sums[3] U and V over the cell's chroma columns. A cell holds at most 2^10 samples of 16 bits
 * (widths up to 65535): the warp's sums fit 32 bits.
 */
VIGIL_FN void vigil_bars_cell(const VigilFrameDesc *d, int k, int c, uint32_t lane, uint32_t sums[4]) {
    const int bps = d->bytesPerSample;
    const int shift = d->shift;
    const int log2W = d->chromaShape & 15;
    const int log2H = (d->chromaShape >> 4) & 15;
    const int interleaved = (d->chromaShape >> 8) & 1;
    const int64_t width = d->width[0];
    const int64_t yk = (int64_t) d->height[0] * (2 * k + 3) / 40;
    const int64_t yc = yk >> log2H;
    const uint8_t *row = (const uint8_t *) (uintptr_t) (d->plane[0] + (uint64_t) (yk * (int64_t) d->pitch[0]));
    const uint8_t *uRow = (const uint8_t *) (uintptr_t) (d->plane[1] + (uint64_t) (yc * (int64_t) d->pitch[1]));
    const uint8_t *vRow = interleaved
            ? uRow
            : (const uint8_t *) (uintptr_t) (d->plane[2] + (uint64_t) (yc * (int64_t) d->pitch[2]));
    const int64_t x0 = vigil_cell_x(width, c);
    const int64_t x1 = vigil_cell_x(width, c + 1);
    const int64_t xm = x0 + (x1 - x0) / 2;
    uint32_t left = 0;
    uint32_t right = 0;
    for (int64_t x = x0 + lane; x < x1; x += VIGIL_WARP_SIZE) {
        const uint32_t p = vigil_sample(row, x, bps, shift);
        if (x < xm) {
            left += p;
        } else {
            right += p;
        }
    }
    const int64_t c0 = x0 >> log2W;
    const int64_t c1 = (x1 >> log2W) > c0 + 1 ? x1 >> log2W : c0 + 1;
    uint32_t us = 0;
    uint32_t vs = 0;
    for (int64_t xc = c0 + lane; xc < c1; xc += VIGIL_WARP_SIZE) {
        if (interleaved) {
            us += vigil_sample(uRow, 2 * xc, bps, shift);
            vs += vigil_sample(uRow, 2 * xc + 1, bps, shift);
        } else {
            us += vigil_sample(uRow, xc, bps, shift);
            vs += vigil_sample(vRow, xc, bps, shift);
        }
    }
    sums[0] = left;
    sums[1] = right;
    sums[2] = us;
    sums[3] = vs;
}

/* Cell c's flatness (halves agree, upper and lower rows agree) and its floor means Y, U, V; one thread per cell. */
VIGIL_FN void vigil_bars_cell_means(const VigilFrameDesc *d, VigilBarsCells *s, int c) {
    const int64_t m = (int64_t) 1 << (d->bitDepth - 8);
    const int log2W = d->chromaShape & 15;
    const int64_t width = d->width[0];
    const int64_t x0 = vigil_cell_x(width, c);
    const int64_t x1 = vigil_cell_x(width, c + 1);
    const int64_t n = x1 - x0;
    const int64_t nLeft = n / 2;
    const int64_t nRight = n - nLeft;
    const int64_t c0 = x0 >> log2W;
    const int64_t c1 = (x1 >> log2W) > c0 + 1 ? x1 >> log2W : c0 + 1;
    int64_t left = 0, right = 0, top = 0, bottom = 0, us = 0, vs = 0;
    for (int k = 0; k < VIGIL_BAR_ROWS; k++) {
        const int64_t rowSum = (int64_t) s->left[k][c] + (int64_t) s->right[k][c];
        left += s->left[k][c];
        right += s->right[k][c];
        if (k < VIGIL_BAR_ROWS / 2) {
            top += rowSum;
        } else {
            bottom += rowSum;
        }
        us += s->u[k][c];
        vs += s->v[k][c];
    }
    const int64_t halves = left * nRight - right * nLeft;
    const int64_t rows = top - bottom;
    s->flat[c] = (halves < 0 ? -halves : halves) <= 4 * m * nLeft * nRight * VIGIL_BAR_ROWS
            && (rows < 0 ? -rows : rows) <= 4 * m * n * (VIGIL_BAR_ROWS / 2);
    s->y[c] = (int32_t) ((top + bottom) / (VIGIL_BAR_ROWS * n));
    s->cu[c] = (int32_t) (us / (VIGIL_BAR_ROWS * (c1 - c0)));
    s->cv[c] = (int32_t) (vs / (VIGIL_BAR_ROWS * (c1 - c0)));
}

VIGIL_FN int32_t vigil_bars_far(int32_t a, int32_t b, int32_t limit) {
    return vigil_abs32(a - b) > limit;
}

/* Whether a segment's chroma difference d from zero has the sign wanted (at least 4m away from 0). */
VIGIL_FN int vigil_sign_ok(int32_t d, int sign, int32_t m) {
    return sign > 0 ? d >= 4 * m : d <= -4 * m;
}

/*
 * ColorBars' segments and candidates from the cells' flatness and means: the bars matched by the best window of 7
 * kept segments (0..7). One thread, exactly as io.vigil.kernels.ColorBars#barsScore.
 */
VIGIL_FN uint32_t vigil_bars_match(const VigilFrameDesc *d, VigilBarsCells *s) {
    /* Chroma signs of white, yellow, cyan, green, magenta, red, blue: bit j of uNeg/vNeg set when negative. */
    const uint32_t uNeg = 0x2Au; /* yellow, green, red */
    const uint32_t vNeg = 0x4Cu; /* cyan, green, blue */
    const int32_t m = 1 << (d->bitDepth - 8);
    const int32_t mid = 128 * m;
    int segments = 0;
    int runStart = -1;
    int runEnd = 0;
    int runCells = 0;
    int64_t runY = 0, runU = 0, runV = 0;
    int32_t lastY = 0, lastU = 0, lastV = 0;
    for (int c = 0; c <= VIGIL_CELLS; c++) {
        const int flatCell = c < VIGIL_CELLS && s->flat[c];
        const int32_t cy = c < VIGIL_CELLS ? s->y[c] : 0;
        const int32_t cu = c < VIGIL_CELLS ? s->cu[c] : 0;
        const int32_t cv = c < VIGIL_CELLS ? s->cv[c] : 0;
        if (runStart >= 0) {
            const int ends = c == VIGIL_CELLS || (flatCell
                    ? vigil_bars_far(cy, lastY, 6 * m) || vigil_bars_far(cu, lastU, 6 * m)
                            || vigil_bars_far(cv, lastV, 6 * m)
                    : c > runEnd);
            if (ends) {
                if (runCells >= VIGIL_MIN_SEGMENT_CELLS) {
                    s->segStart[segments] = runStart;
                    s->segEnd[segments] = runEnd;
                    s->segY[segments] = (int32_t) (runY / runCells);
                    s->segU[segments] = (int32_t) (runU / runCells) - mid;
                    s->segV[segments] = (int32_t) (runV / runCells) - mid;
                    segments++;
                }
                runStart = -1;
            }
        }
        if (flatCell) {
            if (runStart < 0) {
                runStart = c;
                runCells = 0;
                runY = 0;
                runU = 0;
                runV = 0;
            }
            runY += cy;
            runU += cu;
            runV += cv;
            runCells++;
            runEnd = c + 1;
            lastY = cy;
            lastU = cu;
            lastV = cv;
        }
    }
    uint32_t best = 0;
    for (int first = 0; first + 7 <= segments; first++) {
        if (s->segEnd[first + 6] - s->segStart[first] < VIGIL_CELLS / 2) {
            continue;
        }
        int32_t narrow = VIGIL_CELLS + 1;
        int32_t wide = 0;
        int adjacent = 1;
        for (int j = 0; j < 7; j++) {
            const int32_t cells = s->segEnd[first + j] - s->segStart[first + j];
            narrow = cells < narrow ? cells : narrow;
            wide = cells > wide ? cells : wide;
            if (j > 0 && s->segStart[first + j] - s->segEnd[first + j - 1] > 2) {
                adjacent = 0;
            }
        }
        if (!adjacent || wide > 2 * narrow) {
            continue;
        }
        uint32_t matched = 0;
        for (int j = 0; j < 7; j++) {
            const int32_t du = s->segU[first + j];
            const int32_t dv = s->segV[first + j];
            int ok;
            if (j == 0) {
                ok = vigil_abs32(du) <= 8 * m && vigil_abs32(dv) <= 8 * m;
            } else {
                ok = s->segY[first + j] <= s->segY[first + j - 1] - 8 * m
                        && vigil_sign_ok(du, (uNeg >> j) & 1u ? -1 : 1, m)
                        && vigil_sign_ok(dv, (vNeg >> j) & 1u ? -1 : 1, m);
            }
            matched += ok ? 1u : 0u;
        }
        best = matched > best ? matched : best;
    }
    return best;
}

/* ---- vigil_block_peaks: freeze's re-coding test (io.vigil.kernels.FrameDifference) ---- */

#define VIGIL_PEAK_BLOCK 16

/* The 16x16 blocks of plane p, the edge ones included. */
VIGIL_FN int64_t vigil_plane_blocks(const VigilFrameDesc *d, int p) {
    if (d->width[p] <= 0 || d->height[p] <= 0) {
        return 0;
    }
    return (int64_t) ((d->width[p] + VIGIL_PEAK_BLOCK - 1) / VIGIL_PEAK_BLOCK)
            * ((d->height[p] + VIGIL_PEAK_BLOCK - 1) / VIGIL_PEAK_BLOCK);
}

/* The blocks of every plane: plane 0's row by row, then plane 1's, then plane 2's. */
VIGIL_FN int64_t vigil_peak_blocks(const VigilFrameDesc *d) {
    int64_t blocks = 0;
    int planes = d->planeCount < VIGIL_MAX_PLANES ? d->planeCount : VIGIL_MAX_PLANES;
    for (int p = 0; p < planes; p++) {
        blocks += vigil_plane_blocks(d, p);
    }
    return blocks;
}

/* Whether vigil_block_peaks measures this frame: asked for, with a reference, and its SAD (vigil_frame_stats has
 * finished it by then) within the host's bounds. */
VIGIL_FN int vigil_peaks_wanted(const VigilFrameDesc *d, const VigilFrameResult *r) {
    return d->blockPeaks != 0 && vigil_has_ref(d) && (int64_t) r->sad > d->peakSadAbove
            && (int64_t) r->sad <= d->peakSadAtMost;
}

/*
 * What one thread of vigil_block_peaks has found: against the reference and the anchor, the SAD and the samples of
 * the block with the largest mean so far (compared without division: a SAD fits 24 bits, a block 256 samples, so
 * the cross products fit 32), and the SAD against the anchor over its blocks.
 */
typedef struct VigilPeakAcc {
    uint32_t referenceSad;
    uint32_t referenceSamples;
    uint32_t anchorSad;
    uint32_t anchorSamples;
    uint64_t anchorTotal;
} VigilPeakAcc;

VIGIL_FN void vigil_peak_acc_init(VigilPeakAcc *acc) {
    acc->referenceSad = 0;
    acc->referenceSamples = 1;
    acc->anchorSad = 0;
    acc->anchorSamples = 1;
    acc->anchorTotal = 0;
}

/* Whether sad / samples is above peakSad / peakSamples. */
VIGIL_FN int vigil_mean_above(uint32_t sad, uint32_t samples, uint32_t peakSad, uint32_t peakSamples) {
    return sad * peakSamples > peakSad * samples;
}

/* A block's mean as the double nearest the quotient: one rounding, as Java's (double) sad / samples. The largest of
 * such doubles is the one nearest the largest quotient (rounding keeps order). */
VIGIL_FN double vigil_mean(uint32_t sad, uint32_t samples) {
    return (double) sad / (double) samples;
}

/* SAD of one aligned 16-byte chunk of 8-bit samples (at most 16 * 255). */
VIGIL_FN uint32_t vigil_chunk_sad8(const uint32_t a[4], const uint32_t b[4]) {
    uint32_t sad = 0;
    VIGIL_UNROLL
    for (int k = 0; k < 4; k++) {
        VIGIL_UNROLL
        for (int j = 0; j < 4; j++) {
            sad += vigil_absdiff((a[k] >> (8 * j)) & 0xFFu, (b[k] >> (8 * j)) & 0xFFu);
        }
    }
    return sad;
}

/* SAD of one aligned 16-byte chunk of 8 16-bit samples, each stored >> shift (at most 8 * 65535). */
VIGIL_FN uint32_t vigil_chunk_sad16(const uint32_t a[4], const uint32_t b[4], int shift) {
    uint32_t sad = 0;
    VIGIL_UNROLL
    for (int k = 0; k < 4; k++) {
        VIGIL_UNROLL
        for (int j = 0; j < 2; j++) {
            sad += vigil_absdiff(((a[k] >> (16 * j)) & 0xFFFFu) >> shift, ((b[k] >> (16 * j)) & 0xFFFFu) >> shift);
        }
    }
    return sad;
}

/* SAD of one block row's aligned chunks (16 * bytesPerSample bytes) of a against b. */
VIGIL_FN uint32_t vigil_block_row_sad(const uint8_t *a, const uint8_t *b, int bytesPerSample, int shift) {
    uint32_t wa[4];
    uint32_t wb[4];
    vigil_load16(a, wa);
    vigil_load16(b, wb);
    if (bytesPerSample == 1) {
        return vigil_chunk_sad8(wa, wb);
    }
    uint32_t sad = vigil_chunk_sad16(wa, wb, shift);
    vigil_load16(a + VIGIL_CHUNK_BYTES, wa);
    vigil_load16(b + VIGIL_CHUNK_BYTES, wb);
    return sad + vigil_chunk_sad16(wa, wb, shift);
}

/*
 * Block k of the frame (see vigil_peak_blocks): its SADs against the reference and, when there is one, the anchor,
 * row by row: a whole block row whose three addresses are 16-byte aligned in one or two 128-bit loads from each
 * (a warp's threads take neighbouring blocks, so a warp reads 512 or 1024 neighbouring bytes of a row at once), any
 * other sample by sample. A block's SAD fits 32 bits (256 * 65535). The block goes into acc.
 */
VIGIL_FN void vigil_peak_block(const VigilFrameDesc *d, int64_t k, VigilPeakAcc *acc) {
    int p = 0;
    for (int64_t blocks = vigil_plane_blocks(d, 0); k >= blocks; blocks = vigil_plane_blocks(d, p)) {
        k -= blocks; /* k < vigil_peak_blocks: ends on a plane with blocks */
        p++;
    }
    const int bps = d->bytesPerSample;
    const int shift = d->shift;
    const int hasAnchor = d->anchor[0] != 0;
    const int32_t across = (d->width[p] + VIGIL_PEAK_BLOCK - 1) / VIGIL_PEAK_BLOCK;
    const int32_t x0 = (int32_t) (k % across) * VIGIL_PEAK_BLOCK;
    const int32_t y0 = (int32_t) (k / across) * VIGIL_PEAK_BLOCK;
    const int32_t w = d->width[p] - x0 < VIGIL_PEAK_BLOCK ? d->width[p] - x0 : VIGIL_PEAK_BLOCK;
    const int32_t h = d->height[p] - y0 < VIGIL_PEAK_BLOCK ? d->height[p] - y0 : VIGIL_PEAK_BLOCK;
    const uint8_t *a = (const uint8_t *) (uintptr_t) (d->plane[p] + (uint64_t) ((int64_t) y0 * d->pitch[p]
            + (int64_t) x0 * bps));
    const uint8_t *b = (const uint8_t *) (uintptr_t) (d->ref[p] + (uint64_t) ((int64_t) y0 * d->refPitch[p]
            + (int64_t) x0 * bps));
    const uint8_t *c = hasAnchor
            ? (const uint8_t *) (uintptr_t) (d->anchor[p] + (uint64_t) ((int64_t) y0 * d->anchorPitch[p]
                    + (int64_t) x0 * bps))
            : a;
    uint32_t referenceSad = 0;
    uint32_t anchorSad = 0;
    for (int32_t y = 0; y < h; y++) {
        if (w == VIGIL_PEAK_BLOCK && (((uintptr_t) a | (uintptr_t) b | (uintptr_t) c) & (VIGIL_CHUNK_BYTES - 1)) == 0) {
            referenceSad += vigil_block_row_sad(a, b, bps, shift);
            if (hasAnchor) {
                anchorSad += vigil_block_row_sad(a, c, bps, shift);
            }
        } else {
            for (int32_t x = 0; x < w; x++) {
                const uint32_t v = vigil_sample(a, x, bps, shift);
                referenceSad += vigil_absdiff(v, vigil_sample(b, x, bps, shift));
                if (hasAnchor) {
                    anchorSad += vigil_absdiff(v, vigil_sample(c, x, bps, shift));
                }
            }
        }
        a += d->pitch[p];
        b += d->refPitch[p];
        c += hasAnchor ? d->anchorPitch[p] : d->pitch[p];
    }
    const uint32_t samples = (uint32_t) (w * h);
    if (vigil_mean_above(referenceSad, samples, acc->referenceSad, acc->referenceSamples)) {
        acc->referenceSad = referenceSad;
        acc->referenceSamples = samples;
    }
    if (vigil_mean_above(anchorSad, samples, acc->anchorSad, acc->anchorSamples)) {
        acc->anchorSad = anchorSad;
        acc->anchorSamples = samples;
    }
    acc->anchorTotal += anchorSad;
}

/*
 * Thumbnails (vigil_thumbnail, io.vigil.kernels.cuda.CudaThumbnails): a frame described by a VigilFrameDesc (planes,
 * pitch, width, height, planeCount, bytesPerSample, shift, bitDepth, chromaShape's interleaved bit) box-filtered down
 * to VIGIL_THUMB_WIDTH x outHeight 8-bit yuv420p, packed: Y (W * H), then U, then V ((W / 2) * (H / 2) each), no
 * padding. Thread i writes output byte i. Output sample (x, y) of a plane ow x oh, read from a source plane iw x ih
 * (a component's samples: half of an interleaved plane's width), averages the source box columns
 * [x iw / ow, max((x + 1) iw / ow, that + 1)) by rows likewise (integer division): sum of stored >> shift values,
 * s = bitDepth - 8, value = min(255, (sum + n 2^s / 2) / (n 2^s)), n the box's samples. Without chroma planes
 * (planeCount 1) U and V are 128. The same integers as the Java reference in the kernels' tests.
 */
#define VIGIL_THUMB_WIDTH 320
#define VIGIL_THUMB_THREADS 256

/* Bytes of a thumbnail outHeight rows high. */
VIGIL_FN int64_t vigil_thumb_bytes(int64_t outHeight) {
    return VIGIL_THUMB_WIDTH * outHeight + 2 * (int64_t) (VIGIL_THUMB_WIDTH / 2) * (outHeight / 2);
}

VIGIL_FN void vigil_thumb_sample(const VigilFrameDesc *d, int64_t outHeight, int64_t i, uint8_t *out) {
    const int64_t lumaN = VIGIL_THUMB_WIDTH * outHeight;
    const int64_t chromaW = VIGIL_THUMB_WIDTH / 2;
    const int64_t chromaN = chromaW * (outHeight / 2);
    int comp;
    int64_t k;
    if (i < lumaN) {
        comp = 0;
        k = i;
    } else if (i < lumaN + chromaN) {
        comp = 1;
        k = i - lumaN;
    } else if (i < lumaN + 2 * chromaN) {
        comp = 2;
        k = i - lumaN - chromaN;
    } else {
        return; /* the grid's tail */
    }
    if (comp != 0 && d->planeCount < 2) {
        out[i] = 128;
        return;
    }
    const int interleaved = (d->chromaShape >> 8) & 1;
    const int p = comp == 0 ? 0 : (interleaved ? 1 : comp);
    const int64_t step = comp != 0 && interleaved ? 2 : 1;
    const int64_t first = comp == 2 && interleaved ? 1 : 0;
    const int64_t ow = comp == 0 ? VIGIL_THUMB_WIDTH : chromaW;
    const int64_t oh = comp == 0 ? outHeight : outHeight / 2;
    const int64_t iw = d->width[p] / step;
    const int64_t ih = d->height[p];
    const int64_t ox = k % ow;
    const int64_t oy = k / ow;
    const int64_t x0 = ox * iw / ow;
    int64_t x1 = (ox + 1) * iw / ow;
    if (x1 <= x0) x1 = x0 + 1;
    const int64_t y0 = oy * ih / oh;
    int64_t y1 = (oy + 1) * ih / oh;
    if (y1 <= y0) y1 = y0 + 1;
    uint64_t sum = 0;
    for (int64_t y = y0; y < y1; y++) {
        const uint8_t *row = (const uint8_t *) (uintptr_t) (d->plane[p] + (uint64_t) (y * (int64_t) d->pitch[p]));
        if (d->bytesPerSample == 1) {
            for (int64_t x = x0; x < x1; x++) sum += row[x * step + first];
        } else {
            const uint16_t *row16 = (const uint16_t *) row;
            for (int64_t x = x0; x < x1; x++) sum += (uint32_t) (row16[x * step + first] >> d->shift);
        }
    }
    const uint64_t n = (uint64_t) ((x1 - x0) * (y1 - y0)) << (d->bitDepth - 8);
    const uint64_t value = (sum + n / 2) / n;
    out[i] = (uint8_t) (value > 255 ? 255 : value);
}

#endif /* VIGIL_STATS_H */
