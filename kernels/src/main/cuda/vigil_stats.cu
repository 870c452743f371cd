/*
 * vigil_stats.cu: the GPU twin of vigil's per-frame video statistics (io.vigil.kernels.LumaStats and
 * FrameDifference, its re-coding test, BroadcastRange, Blockiness, Letterbox, Blur, ColorBars), over a batch of frames
 * in one launch.
 * Built into PTX for compute_75 by kernels/build-ptx.sh; the PTX is committed and loaded with the driver API
 * (cuModuleLoadData) by io.vigil.kernels.cuda.CudaStats.
 *
 * A batch is two launches on one stream, and more when its frames ask:
 *
 *   vigil_stats_init   <<<ceil(count / VIGIL_INIT_THREADS), VIGIL_INIT_THREADS>>>   one thread per frame writes
 *                      the frame's result record: zero sums, lumaMin 0xFFFFFFFF, and the SAD's sample count
 *   vigil_frame_stats  <<<(gridX, count), VIGIL_BLOCK_THREADS>>>                       blockIdx.y is the frame
 *   vigil_letterbox    <<<(1, count), VIGIL_BLOCK_THREADS>>>                           only when a frame of the batch
 *                      asks for cropdetect's bars: one block per frame scans lines from each edge, 256 at a time
 *                      (a thread sums one line), and stops at the first chunk holding a non-black line, so a
 *                      picture without bars costs about 256 rows and 256 columns; 16 bytes of bars come back
 *   vigil_sampled      <<<(5 + blur blocks, count), VIGIL_BLOCK_THREADS>>>            only when a frame of the batch
 *                      asks for Blur or ColorBars (io.vigil.kernels.Blur, ColorBars): their sampled rows, columns
 *                      and cells, one block role per blockIdx.x (see the kernel); 32 bytes of sums come back
 *
 *   vigil_block_peaks  <<<(ceil(16x16 blocks / 256), count), VIGIL_BLOCK_THREADS>>>  only when a frame of the batch
 *                      asks for freeze's re-coding test (io.vigil.kernels.FrameDifference): a thread per 16x16 block
 *                      against the reference and the still run's first frame; a frame whose SAD (just computed by
 *                      vigil_frame_stats) is outside the host's bounds returns at once, so that only the frames the
 *                      test weighs (steps just past freezedetect's noise) are read again; 32 bytes come back
 *
 *   vigil_thumbnail    <<<ceil(thumbnail bytes / 256), 256>>>                         only for a thumbnail: one frame
 *                      box-filtered to 320 px wide 8-bit yuv420p (vigil_thumb_sample)
 *
 * (io.vigil.kernels.Letterbox too.)
 *
 * The statistics kernels take (const VigilFrameDesc *descs, VigilFrameResult *results, int count); vigil_thumbnail
 * takes (const VigilFrameDesc *desc, uint8_t *out, int outHeight). The structs, the definitions of
 * every statistic, and the per-thread code are in vigil_stats.h.
 *
 * One fused kernel rather than one per statistic: the statistics are memory-bound, and the luma plane is the
 * larger part of the frame that both the luma statistics and the SAD read, so reading it once for both halves
 * the luma traffic of a frame with a reference. The chroma planes are read only for the SAD, i.e. only when the
 * frame has a reference.
 *
 * Each thread sums its share of the frame in registers (vigil_thread_work), each warp reduces with shuffles, the
 * block's warps through shared memory, and thread 0 makes one atomic per field per block.
 */
#include "vigil_stats.h"

#define VIGIL_FULL_MASK 0xFFFFFFFFu

static __device__ __forceinline__ void vigil_warp_reduce(VigilAcc *acc) {
#pragma unroll
    for (int offset = VIGIL_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        VigilAcc other;
        other.dark = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->dark, offset);
        other.sum = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->sum, offset);
        other.sad = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->sad, offset);
        other.brng = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->brng, offset);
        other.bSum = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->bSum, offset);
        other.bCount = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->bCount, offset);
        other.iSum = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->iSum, offset);
        other.iCount = __shfl_down_sync(VIGIL_FULL_MASK, (unsigned long long) acc->iCount, offset);
        other.min = __shfl_down_sync(VIGIL_FULL_MASK, acc->min, offset);
        other.max = __shfl_down_sync(VIGIL_FULL_MASK, acc->max, offset);
        vigil_acc_merge(acc, &other);
    }
}

extern "C" __global__ void __launch_bounds__(VIGIL_INIT_THREADS)
vigil_stats_init(const VigilFrameDesc *__restrict__ descs, VigilFrameResult *__restrict__ results, int count) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        vigil_result_init(&descs[i], &results[i]);
    }
}

extern "C" __global__ void __launch_bounds__(VIGIL_BLOCK_THREADS)
vigil_frame_stats(const VigilFrameDesc *__restrict__ descs, VigilFrameResult *__restrict__ results, int count) {
    const int frame = blockIdx.y;
    if (frame >= count) {
        return; /* the whole block: no thread of it reaches __syncthreads */
    }
    const VigilFrameDesc *d = &descs[frame];
    const uint32_t lane = threadIdx.x % VIGIL_WARP_SIZE;
    const uint32_t warp = threadIdx.x / VIGIL_WARP_SIZE;
    const uint32_t warps = blockDim.x / VIGIL_WARP_SIZE;

    VigilAcc acc;
    vigil_acc_init(&acc);
    vigil_thread_work(d, blockIdx.x, gridDim.x, warp, warps, lane, &acc);

    /* Every lane of every warp gets here: the row loops above are per warp, and lanes reconverge after them. */
    vigil_warp_reduce(&acc);
    __shared__ VigilAcc perWarp[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];
    if (lane == 0) {
        perWarp[warp] = acc;
    }
    __syncthreads();
    if (warp == 0) {
        VigilAcc block;
        if (lane < warps) {
            block = perWarp[lane];
        } else {
            vigil_acc_init(&block);
        }
        vigil_warp_reduce(&block);
        if (lane == 0) {
            VigilFrameResult *r = &results[frame];
            if (block.dark != 0) {
                atomicAdd((unsigned long long *) &r->darkCount, (unsigned long long) block.dark);
            }
            if (block.sum != 0) {
                atomicAdd((unsigned long long *) &r->lumaSum, (unsigned long long) block.sum);
            }
            if (block.sad != 0) {
                atomicAdd((unsigned long long *) &r->sad, (unsigned long long) block.sad);
            }
            if (block.brng != 0) {
                atomicAdd((unsigned long long *) &r->brngCount, (unsigned long long) block.brng);
            }
            if (block.bCount != 0 || block.iCount != 0) {
                atomicAdd((unsigned long long *) &r->blockBoundarySum, (unsigned long long) block.bSum);
                atomicAdd((unsigned long long *) &r->blockBoundaryCount, (unsigned long long) block.bCount);
                atomicAdd((unsigned long long *) &r->blockInnerSum, (unsigned long long) block.iSum);
                atomicAdd((unsigned long long *) &r->blockInnerCount, (unsigned long long) block.iCount);
            }
            if (block.min != 0xFFFFFFFFu) {
                atomicMin(&r->lumaMin, block.min);
            }
            if (block.max != 0) {
                atomicMax(&r->lumaMax, block.max);
            }
        }
    }
}

/*
 * The run of black lines from an edge, at most n lines: chunks of blockDim.x lines, thread t sums line base + t
 * (columns: neighbouring threads read neighbouring samples of a row, coalesced), the smallest non-black index of
 * the chunk through shared memory. Every thread of the block calls it and gets the same answer.
 */
static __device__ int64_t vigil_edge_run(const VigilFrameDesc *d, int columns, int fromEnd, int64_t n,
                                         unsigned long long *first) {
    const int64_t total = columns ? d->width[0] : d->height[0];
    for (int64_t base = 0; base < n; base += blockDim.x) {
        if (threadIdx.x == 0) {
            *first = 0xFFFFFFFFFFFFFFFFull;
        }
        __syncthreads();
        const int64_t k = base + threadIdx.x;
        if (k < n && !vigil_line_black(d, columns, fromEnd ? total - 1 - k : k)) {
            atomicMin(first, (unsigned long long) k);
        }
        __syncthreads();
        const unsigned long long found = *first;
        __syncthreads(); /* everyone has read it before the next chunk resets it */
        if (found != 0xFFFFFFFFFFFFFFFFull) {
            return (int64_t) found;
        }
    }
    return n;
}

extern "C" __global__ void __launch_bounds__(VIGIL_BLOCK_THREADS)
vigil_letterbox(const VigilFrameDesc *__restrict__ descs, VigilFrameResult *__restrict__ results, int count) {
    const int frame = blockIdx.y;
    if (frame >= count || descs[frame].letterbox == 0) {
        return; /* the whole block */
    }
    const VigilFrameDesc *d = &descs[frame];
    __shared__ unsigned long long first;
    const int64_t height = d->height[0];
    const int64_t width = d->width[0];
    const int64_t top = vigil_edge_run(d, 0, 0, height, &first);
    int64_t bottom;
    int64_t left;
    int64_t right;
    if (top == height) {
        bottom = height;
        left = width;
        right = width;
    } else {
        bottom = vigil_edge_run(d, 0, 1, height - top, &first);
        left = vigil_edge_run(d, 1, 0, width, &first);
        right = vigil_edge_run(d, 1, 1, width - left, &first);
    }
    if (threadIdx.x == 0) {
        VigilFrameResult *r = &results[frame];
        r->barTop = (uint32_t) top;
        r->barBottom = (uint32_t) bottom;
        r->barLeft = (uint32_t) left;
        r->barRight = (uint32_t) right;
    }
}

/* The sum over the warp, in every lane. */
static __device__ __forceinline__ uint32_t vigil_warp_sum32(uint32_t v) {
#pragma unroll
    for (int offset = VIGIL_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(VIGIL_FULL_MASK, v, offset);
    }
    return v;
}

static __device__ __forceinline__ uint64_t vigil_warp_sum64(uint64_t v) {
#pragma unroll
    for (int offset = VIGIL_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(VIGIL_FULL_MASK, (unsigned long long) v, offset);
    }
    return v;
}

/*
 * Blur and ColorBars, the statistics that read a sample of the picture: <<<(VIGIL_FIRST_BLUR_BLOCK + blur blocks,
 * count), VIGIL_BLOCK_THREADS>>>, blockIdx.y the frame, launched only when a frame of the batch asks for one of them.
 * Each block's role is fixed by blockIdx.x (block-uniform branches):
 *
 *   0          the bars: warp k sums bar row k cell by cell (lanes over the cell's samples, coalesced; a warp sum per
 *              cell into shared memory), then a thread per cell judges it, then thread 0 runs the segments and
 *              candidates (a few hundred steps) and writes barsMatched: 4 bytes, no atomics
 *   1..4       ColorBars' flatness: warp w of block b takes sampled row 8 (b - 1) + w, lanes along it (coalesced);
 *              one atomic per count per block
 *   5..        Blur: one thread per line (the walks along a line are sequential: an edge counts only from the end of
 *              the previous one). Column lines are coalesced (neighbouring threads read neighbouring columns); a row
 *              line's thread reads its own rows, which stay in L1 as it slides along. One atomic per sum per block
 */
extern "C" __global__ void __launch_bounds__(VIGIL_BLOCK_THREADS)
vigil_sampled(const VigilFrameDesc *__restrict__ descs, VigilFrameResult *__restrict__ results, int count) {
    const int frame = blockIdx.y;
    if (frame >= count) {
        return; /* the whole block */
    }
    const VigilFrameDesc *d = &descs[frame];
    VigilFrameResult *r = &results[frame];
    const uint32_t lane = threadIdx.x % VIGIL_WARP_SIZE;
    const uint32_t warp = threadIdx.x / VIGIL_WARP_SIZE;
    const uint32_t warps = blockDim.x / VIGIL_WARP_SIZE;
    __shared__ VigilBarsCells cells;
    __shared__ unsigned long long perWarp64[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];
    __shared__ uint32_t perWarpA[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];
    __shared__ uint32_t perWarpB[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];

    if (blockIdx.x == 0) {
        if (!vigil_bars_wanted(d)) {
            return; /* the whole block */
        }
        for (int c = 0; c < VIGIL_CELLS; c++) {
            uint32_t sums[4];
            vigil_bars_cell(d, (int) warp, c, lane, sums);
            const uint32_t left = vigil_warp_sum32(sums[0]);
            const uint32_t right = vigil_warp_sum32(sums[1]);
            const uint32_t u = vigil_warp_sum32(sums[2]);
            const uint32_t v = vigil_warp_sum32(sums[3]);
            if (lane == 0) {
                cells.left[warp][c] = left;
                cells.right[warp][c] = right;
                cells.u[warp][c] = u;
                cells.v[warp][c] = v;
            }
        }
        __syncthreads();
        if (threadIdx.x < VIGIL_CELLS) {
            vigil_bars_cell_means(d, &cells, (int) threadIdx.x);
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            r->barsMatched = vigil_bars_match(d, &cells);
        }
        return;
    }

    if (blockIdx.x < VIGIL_FIRST_BLUR_BLOCK) {
        if (d->colorBars == 0) {
            return; /* the whole block */
        }
        uint32_t flat = 0;
        uint32_t edge = 0;
        vigil_flat_row(d, (int) ((blockIdx.x - 1) * warps + warp), lane, &flat, &edge);
        flat = vigil_warp_sum32(flat);
        edge = vigil_warp_sum32(edge);
        if (lane == 0) {
            perWarpA[warp] = flat;
            perWarpB[warp] = edge;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            uint32_t f = 0;
            uint32_t e = 0;
            for (uint32_t w = 0; w < warps; w++) {
                f += perWarpA[w];
                e += perWarpB[w];
            }
            if (f != 0) {
                atomicAdd(&r->flatSteps, f);
            }
            if (e != 0) {
                atomicAdd(&r->edgeSteps, e);
            }
        }
        return;
    }

    if (d->blur == 0) {
        return; /* the whole block */
    }
    const int64_t lines = vigil_blur_lines(d);
    const int64_t stride = (int64_t) (gridDim.x - VIGIL_FIRST_BLUR_BLOCK) * blockDim.x;
    uint64_t widthSum = 0;
    uint32_t edges = 0;
    for (int64_t line = (int64_t) (blockIdx.x - VIGIL_FIRST_BLUR_BLOCK) * blockDim.x + threadIdx.x; line < lines;
         line += stride) {
        vigil_blur_line(d, line, &widthSum, &edges);
    }
    widthSum = vigil_warp_sum64(widthSum);
    edges = vigil_warp_sum32(edges);
    if (lane == 0) {
        perWarp64[warp] = widthSum;
        perWarpA[warp] = edges;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned long long w = 0;
        uint32_t e = 0;
        for (uint32_t i = 0; i < warps; i++) {
            w += perWarp64[i];
            e += perWarpA[i];
        }
        if (e != 0) {
            atomicAdd((unsigned long long *) &r->blurWidthSum, w);
            atomicAdd(&r->blurEdgeCount, e);
        }
    }
}

/* The largest of the warp's values, in every lane. */
static __device__ __forceinline__ double vigil_warp_max(double v) {
#pragma unroll
    for (int offset = VIGIL_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        v = fmax(v, __shfl_xor_sync(VIGIL_FULL_MASK, v, offset));
    }
    return v;
}

/*
 * freeze's re-coding test: <<<(ceil(blocks / VIGIL_BLOCK_THREADS), count), VIGIL_BLOCK_THREADS>>>, blockIdx.y the
 * frame, launched after vigil_frame_stats only when a frame of the batch asks. Thread i takes 16x16 block i (and
 * every gridDim.x * blockDim.x after it) of its frame (vigil_peak_block), the block's warps reduce through shared
 * memory, and thread 0 makes one atomic per field: the means are non-negative doubles, whose bit patterns order as
 * their values, so the largest is an atomicMax on the 64-bit pattern.
 */
extern "C" __global__ void __launch_bounds__(VIGIL_BLOCK_THREADS)
vigil_block_peaks(const VigilFrameDesc *__restrict__ descs, VigilFrameResult *__restrict__ results, int count) {
    const int frame = blockIdx.y;
    if (frame >= count || !vigil_peaks_wanted(&descs[frame], &results[frame])) {
        return; /* the whole block */
    }
    const VigilFrameDesc *d = &descs[frame];
    VigilFrameResult *r = &results[frame];
    const uint32_t lane = threadIdx.x % VIGIL_WARP_SIZE;
    const uint32_t warp = threadIdx.x / VIGIL_WARP_SIZE;
    const uint32_t warps = blockDim.x / VIGIL_WARP_SIZE;
    __shared__ double perWarpReference[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];
    __shared__ double perWarpAnchor[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];
    __shared__ unsigned long long perWarpTotal[VIGIL_BLOCK_THREADS / VIGIL_WARP_SIZE];

    VigilPeakAcc acc;
    vigil_peak_acc_init(&acc);
    const int64_t blocks = vigil_peak_blocks(d);
    const int64_t stride = (int64_t) gridDim.x * blockDim.x;
    for (int64_t k = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; k < blocks; k += stride) {
        vigil_peak_block(d, k, &acc);
    }
    const double reference = vigil_warp_max(vigil_mean(acc.referenceSad, acc.referenceSamples));
    const double anchor = vigil_warp_max(vigil_mean(acc.anchorSad, acc.anchorSamples));
    const uint64_t anchorTotal = vigil_warp_sum64(acc.anchorTotal);
    if (lane == 0) {
        perWarpReference[warp] = reference;
        perWarpAnchor[warp] = anchor;
        perWarpTotal[warp] = anchorTotal;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double blockReference = 0;
        double blockAnchor = 0;
        unsigned long long blockTotal = 0;
        for (uint32_t w = 0; w < warps; w++) {
            blockReference = fmax(blockReference, perWarpReference[w]);
            blockAnchor = fmax(blockAnchor, perWarpAnchor[w]);
            blockTotal += perWarpTotal[w];
        }
        atomicMax((unsigned long long *) &r->referenceBlockPeak, (unsigned long long) __double_as_longlong(blockReference));
        if (d->anchor[0] != 0) {
            atomicMax((unsigned long long *) &r->anchorBlockPeak, (unsigned long long) __double_as_longlong(blockAnchor));
            atomicAdd((unsigned long long *) &r->anchorSad, blockTotal);
        }
        if (blockIdx.x == 0) {
            r->blockPeaksMeasured = 1;
        }
    }
}

/*
 * An alarm's or the dashboard's thumbnail, made small where the frame is: <<<ceil(vigil_thumb_bytes(outHeight) /
 * VIGIL_THUMB_THREADS), VIGIL_THUMB_THREADS>>>, thread i box-filters output byte i (vigil_thumb_sample), so that
 * ~115 KB rather than the whole frame comes back to the host.
 */
extern "C" __global__ void __launch_bounds__(VIGIL_THUMB_THREADS)
vigil_thumbnail(const VigilFrameDesc *__restrict__ desc, uint8_t *__restrict__ out, int outHeight) {
    const int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x;
    vigil_thumb_sample(desc, outHeight, i, out);
}
