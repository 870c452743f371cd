/*
 * The kernels' per-thread code (vigil_stats.h), run through the stand-in driver's launch emulation under
 * AddressSanitizer and UndefinedBehaviorSanitizer, against a naive reference written separately here. Covers what
 * the Java contract tests do not reach: any grid width (not only the one CudaStats picks), negative pitches,
 * planes allocated to the exact byte so that a read past the last row is caught, and batches mixing 8- and 16-bit
 * frames, with and without references, and with freeze's block peaks (vigil_block_peaks) against the reference and an
 * anchor, inside and outside the SAD bounds. Prints one line per failure and exits 1 if there was any.
 *
 *   cc -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -I src/main/cuda \
 *      src/test/c/kernel_selftest.c -lpthread && ./a.out [seed] [cases]
 */
#include "fake_libcuda.c"

static uint64_t state;

static uint32_t next(void) { /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t) ((state * 0x2545F4914F6CDD1DULL) >> 32);
}

static int below(int n) { return (int) (next() % (uint32_t) n); }

#define CHECK(call)                                                                 \
    do {                                                                            \
        int status_ = (call);                                                       \
        if (status_ != 0) {                                                         \
            fprintf(stderr, "%s failed: %d (line %d)\n", #call, status_, __LINE__); \
            exit(2);                                                                \
        }                                                                           \
    } while (0)

typedef struct Plane {
    CUdeviceptr allocation;
    CUdeviceptr first; /* row 0: the allocation's start, or its last row's start for a negative pitch */
} Plane;

static uint32_t sample(const unsigned char *row, int x, int bytesPerSample, int shift) {
    if (bytesPerSample == 1) return row[x];
    uint32_t word = row[2 * x] + 256u * row[2 * x + 1];
    return word >> shift;
}

static void reference(const VigilFrameDesc *d, VigilFrameResult *r) {
    memset(r, 0, sizeof *r);
    r->lumaMin = 0xFFFFFFFFu;
    int hasRef = d->ref[0] != 0;
    for (int p = 0; p < d->planeCount; p++) {
        if (hasRef) r->samples += (uint64_t) d->width[p] * (uint64_t) d->height[p];
        for (int y = 0; y < d->height[p]; y++) {
            const unsigned char *a = (const unsigned char *) (uintptr_t) (d->plane[p] + (int64_t) y * d->pitch[p]);
            const unsigned char *b = hasRef
                    ? (const unsigned char *) (uintptr_t) (d->ref[p] + (int64_t) y * d->refPitch[p]) : NULL;
            for (int x = 0; x < d->width[p]; x++) {
                uint32_t v = sample(a, x, d->bytesPerSample, d->shift);
                if (p == 0) {
                    r->lumaSum += v;
                    if ((int64_t) v <= d->blackThreshold) r->darkCount++;
                    if (v < r->lumaMin) r->lumaMin = v;
                    if (v > r->lumaMax) r->lumaMax = v;
                }
                if (hasRef) {
                    uint32_t w = sample(b, x, d->bytesPerSample, d->shift);
                    r->sad += v > w ? v - w : w - v;
                }
            }
        }
    }
    if (d->blockPeaks == 0 || !hasRef || (int64_t) r->sad <= d->peakSadAbove || (int64_t) r->sad > d->peakSadAtMost) {
        return;
    }
    /* freeze's block peaks: every 16x16 block of every plane, the edge ones by their own size. */
    r->blockPeaksMeasured = 1;
    for (int p = 0; p < d->planeCount; p++) {
        for (int by = 0; by < d->height[p]; by += 16) {
            for (int bx = 0; bx < d->width[p]; bx += 16) {
                uint64_t refSad = 0, anchorSad = 0, n = 0;
                for (int y = by; y < by + 16 && y < d->height[p]; y++) {
                    const unsigned char *a = (const unsigned char *) (uintptr_t) (d->plane[p] + (int64_t) y * d->pitch[p]);
                    const unsigned char *b = (const unsigned char *) (uintptr_t) (d->ref[p] + (int64_t) y * d->refPitch[p]);
                    const unsigned char *c = d->anchor[0] == 0 ? a
                            : (const unsigned char *) (uintptr_t) (d->anchor[p] + (int64_t) y * d->anchorPitch[p]);
                    for (int x = bx; x < bx + 16 && x < d->width[p]; x++) {
                        uint32_t v = sample(a, x, d->bytesPerSample, d->shift);
                        uint32_t w = sample(b, x, d->bytesPerSample, d->shift);
                        uint32_t u = sample(c, x, d->bytesPerSample, d->shift);
                        refSad += v > w ? v - w : w - v;
                        anchorSad += v > u ? v - u : u - v;
                        n++;
                    }
                }
                double refMean = (double) refSad / (double) n;
                double anchorMean = (double) anchorSad / (double) n;
                if (refMean > r->referenceBlockPeak) r->referenceBlockPeak = refMean;
                if (d->anchor[0] != 0) {
                    if (anchorMean > r->anchorBlockPeak) r->anchorBlockPeak = anchorMean;
                    r->anchorSad += anchorSad;
                }
            }
        }
    }
}

static Plane plane(int width, int height, int bytesPerSample, int pitch, int misalign, int mode) {
    int64_t rowBytes = (int64_t) width * bytesPerSample;
    int64_t span = height == 0 ? 0 : (int64_t) (height - 1) * (pitch < 0 ? -pitch : pitch) + rowBytes;
    size_t bytes = (size_t) (span + misalign);
    Plane pl = {0, 0};
    if (bytes == 0) bytes = 1;
    void *p;
    CHECK(cuMemAlloc_v2(&pl.allocation, bytes));
    p = (void *) (uintptr_t) pl.allocation;
    unsigned char *c = p;
    for (size_t i = 0; i < bytes; i++) {
        switch (mode) {
        case 0: c[i] = (unsigned char) next(); break;
        case 1: c[i] = 0; break;                 /* fully black */
        case 2: c[i] = 0xFF; break;               /* the largest value */
        default: c[i] = (unsigned char) (i % 7 == 0 ? next() : 16); break;
        }
    }
    pl.first = pl.allocation + (uint64_t) misalign
            + (pitch < 0 && height > 0 ? (uint64_t) ((int64_t) (height - 1) * -pitch) : 0);
    return pl;
}

int main(int argc, char **argv) {
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    int cases = argc > 2 ? atoi(argv[2]) : 400;
    state = seed * 2654435761u + 1;
    printf("kernel self-test: seed %llu, %d batches\n", (unsigned long long) seed, cases);

    Context *ctx;
    Module *module;
    Function *init, *stats, *peaks;
    CHECK(cuInit(0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, DEVICE_BASE));
    CHECK(cuCtxPushCurrent_v2(ctx));
    CHECK(cuModuleLoadData(&module, "//\n.version 9.0\n.target sm_75\n.address_size 64\n"
                                    ".visible .entry vigil_stats_init(\n.visible .entry vigil_frame_stats(\n"
                                    ".visible .entry vigil_block_peaks(\n"));
    CHECK(cuModuleGetFunction(&init, module, "vigil_stats_init"));
    CHECK(cuModuleGetFunction(&stats, module, "vigil_frame_stats"));
    CHECK(cuModuleGetFunction(&peaks, module, "vigil_block_peaks"));

    int failures = 0;
    long long frames = 0;
    for (int c = 0; c < cases; c++) {
        int count = 1 + below(6);
        VigilFrameDesc *descs;
        VigilFrameResult *results;
        CHECK(cuMemAllocHost_v2((void **) &descs, sizeof(VigilFrameDesc) * (size_t) count));
        CHECK(cuMemAllocHost_v2((void **) &results, sizeof(VigilFrameResult) * (size_t) count));
        memset(descs, 0, sizeof(VigilFrameDesc) * (size_t) count);
        Plane planes[6][3][VIGIL_MAX_PLANES];
        memset(planes, 0, sizeof planes);
        for (int f = 0; f < count; f++) {
            VigilFrameDesc *d = &descs[f];
            int kind = below(4); /* 0 NV12, 1 P010, 2 yuv420p, 3 16-bit planar, LSB-aligned */
            int width = 1 + below(kind == 0 && below(4) == 0 ? 2100 : 300);
            int height = 1 + below(40);
            int chromaW = (width + 1) / 2, chromaH = (height + 1) / 2;
            d->bytesPerSample = kind == 1 || kind == 3 ? 2 : 1;
            d->shift = kind == 1 ? 6 : 0;
            d->planeCount = kind <= 1 ? 2 : 3;
            d->blackThreshold = below(8) == 0 ? -1 + below(3) : below(d->bytesPerSample == 1 ? 300 : 70000);
            int hasRef = below(3) != 0;
            int hasAnchor = hasRef && below(2) == 0;
            int mode = below(5);
            if (hasRef && below(4) != 0) {
                /* freeze's block peaks, within bounds or (one time in four) outside them */
                d->blockPeaks = 1;
                d->peakSadAbove = below(4) == 0 ? INT64_MAX - 1 : -1;
                d->peakSadAtMost = INT64_MAX;
            }
            for (int p = 0; p < d->planeCount; p++) {
                d->width[p] = p == 0 ? width : kind <= 1 ? 2 * chromaW : chromaW;
                d->height[p] = p == 0 ? height : chromaH;
                int64_t rowBytes = (int64_t) d->width[p] * d->bytesPerSample;
                for (int which = 0; which < (hasAnchor ? 3 : hasRef ? 2 : 1); which++) {
                    int aligned = below(2);
                    int pitch = (int) (aligned ? (rowBytes + 15) / 16 * 16 + 16 * below(3) : rowBytes + below(40));
                    if (below(6) == 0) pitch = -pitch;
                    int misalign = aligned ? 0 : below(16);
                    Plane pl = plane(d->width[p], d->height[p], d->bytesPerSample, pitch, misalign,
                                     which == 0 ? mode : 0);
                    planes[f][which][p] = pl;
                    if (which == 0) {
                        d->plane[p] = pl.first;
                        d->pitch[p] = pitch;
                    } else if (which == 2) {
                        d->anchor[p] = pl.first;
                        d->anchorPitch[p] = pitch;
                    } else {
                        d->ref[p] = pl.first;
                        d->refPitch[p] = pitch;
                    }
                }
            }
            frames++;
        }
        CUdeviceptr deviceDescs, deviceResults;
        CHECK(cuMemAlloc_v2(&deviceDescs, sizeof(VigilFrameDesc) * (size_t) count));
        CHECK(cuMemAlloc_v2(&deviceResults, sizeof(VigilFrameResult) * (size_t) count));
        CHECK(cuMemcpyHtoDAsync_v2(deviceDescs, descs, sizeof(VigilFrameDesc) * (size_t) count, NULL));
        void *params[3] = {&deviceDescs, &deviceResults, &count};
        unsigned gridX = 1 + (unsigned) below(5);
        CHECK(cuLaunchKernel(init, (unsigned) (count + VIGIL_INIT_THREADS - 1) / VIGIL_INIT_THREADS, 1, 1,
                             VIGIL_INIT_THREADS, 1, 1, 0, NULL, params, NULL));
        CHECK(cuLaunchKernel(stats, gridX, (unsigned) count, 1, VIGIL_BLOCK_THREADS, 1, 1, 0, NULL, params, NULL));
        CHECK(cuLaunchKernel(peaks, 1 + (unsigned) below(3), (unsigned) count, 1, VIGIL_BLOCK_THREADS, 1, 1, 0, NULL,
                             params, NULL));
        CHECK(cuMemcpyDtoHAsync_v2(results, deviceResults, sizeof(VigilFrameResult) * (size_t) count, NULL));
        for (int f = 0; f < count; f++) {
            VigilFrameResult expected;
            reference(&descs[f], &expected);
            const VigilFrameResult *got = &results[f];
            if (memcmp(&expected, got, sizeof expected) != 0) {
                failures++;
                fprintf(stderr, "FAIL seed %llu batch %d frame %d (%dx%d, %d B/sample, shift %d, ref %d, grid %u): "
                        "dark %llu/%llu sum %llu/%llu min %u/%u max %u/%u sad %llu/%llu samples %llu/%llu "
                        "peaks %d/%d %.17g/%.17g %.17g/%.17g anchor sad %llu/%llu\n",
                        (unsigned long long) seed, c, f, descs[f].width[0], descs[f].height[0],
                        descs[f].bytesPerSample, descs[f].shift, descs[f].ref[0] != 0, gridX,
                        (unsigned long long) got->darkCount, (unsigned long long) expected.darkCount,
                        (unsigned long long) got->lumaSum, (unsigned long long) expected.lumaSum,
                        got->lumaMin, expected.lumaMin, got->lumaMax, expected.lumaMax,
                        (unsigned long long) got->sad, (unsigned long long) expected.sad,
                        (unsigned long long) got->samples, (unsigned long long) expected.samples,
                        got->blockPeaksMeasured, expected.blockPeaksMeasured, got->referenceBlockPeak,
                        expected.referenceBlockPeak, got->anchorBlockPeak, expected.anchorBlockPeak,
                        (unsigned long long) got->anchorSad, (unsigned long long) expected.anchorSad);
            }
        }
        for (int f = 0; f < count; f++) {
            for (int which = 0; which < 3; which++) {
                for (int p = 0; p < VIGIL_MAX_PLANES; p++) {
                    if (planes[f][which][p].allocation != 0) CHECK(cuMemFree_v2(planes[f][which][p].allocation));
                }
            }
        }
        CHECK(cuMemFree_v2(deviceDescs));
        CHECK(cuMemFree_v2(deviceResults));
        CHECK(cuMemFreeHost(descs));
        CHECK(cuMemFreeHost(results));
    }
    CHECK(cuModuleUnload(module));
    CHECK(cuCtxPopCurrent_v2(NULL));
    CHECK(cuDevicePrimaryCtxRelease_v2(DEVICE_BASE));
    free(init);
    free(stats);
    free(peaks);
    long long live[8];
    fake_cuda_live(live);
    if (live[0] != 0 || live[1] != 0 || live[2] != 0) {
        fprintf(stderr, "FAIL: %lld device and %lld host allocations, %lld modules still live\n", live[0], live[1],
                live[2]);
        failures++;
    }
    printf("kernel self-test: %lld frames, %d failures\n", frames, failures);
    return failures == 0 ? 0 : 1;
}
