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
 * (negative for bottom-up planes); unused planes are all zero. 144 bytes.
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
} VigilFrameDesc;                        /* 144 */

/* One frame's statistics, written by the kernels and copied back in one D2H copy per batch. 96 bytes. */
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
} VigilFrameResult;                      /* 96 */

#ifdef __cplusplus
#define VIGIL_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define VIGIL_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif
VIGIL_STATIC_ASSERT(sizeof(VigilFrameDesc) == 144, "VigilFrameDesc is 144 bytes");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameDesc, pitch) == 48, "VigilFrameDesc.pitch at 48");
VIGIL_STATIC_ASSERT(offsetof(VigilFrameDesc, planeCount) == 96, "VigilFrameDesc.planeCount at 96");
VIGIL_STATIC_ASSERT(sizeof(VigilFrameResult) == 96, "VigilFrameResult is 96 bytes");
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

#endif /* VIGIL_STATS_H */
