/*
 * vigil_stats.cu: the GPU twin of vigil's per-frame video statistics (io.vigil.kernels.LumaStats and
 * FrameDifference, BroadcastRange), over a batch of frames in one launch. Built into PTX for compute_75 by kernels/build-ptx.sh;
 * the PTX is committed and loaded with the driver API (cuModuleLoadData) by io.vigil.kernels.cuda.CudaStats.
 *
 * A batch is two launches on one stream:
 *
 *   vigil_stats_init   <<<ceil(count / VIGIL_INIT_THREADS), VIGIL_INIT_THREADS>>>   one thread per frame writes
 *                      the frame's result record: zero sums, lumaMin 0xFFFFFFFF, and the SAD's sample count
 *   vigil_frame_stats  <<<(gridX, count), VIGIL_BLOCK_THREADS>>>                       blockIdx.y is the frame
 *
 * Both take (const VigilFrameDesc *descs, VigilFrameResult *results, int count). The structs, the definitions of
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
            if (block.min != 0xFFFFFFFFu) {
                atomicMin(&r->lumaMin, block.min);
            }
            if (block.max != 0) {
                atomicMax(&r->lumaMax, block.max);
            }
        }
    }
}
