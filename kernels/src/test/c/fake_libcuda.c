/*
 * A stand-in libcuda for hosts without a GPU: the driver calls vigil makes, with the driver's real C signatures,
 * over host memory, and the kernels of vigil_stats.cu run on the CPU from the same per-thread code
 * (vigil_stats.h) for every (frame, block, warp, lane) of the launch. Strict where the real driver is strict, and
 * stricter where that catches vigil's mistakes:
 *
 *   - calls that need a context fail with CUDA_ERROR_INVALID_CONTEXT unless one is current on the calling thread;
 *   - device memory is tracked: copies, memsets, kernel arguments and every row a kernel reads must lie inside a
 *     live allocation (else CUDA_ERROR_INVALID_VALUE, or CUDA_ERROR_ILLEGAL_ADDRESS for a kernel's read);
 *   - new allocations are filled with 0xAB, so that anything the code forgets to write shows;
 *   - asynchronous copies must use page-locked (cuMemAllocHost) host memory, as CudaStats promises to;
 *   - a launch must use the block size the kernel's launch bounds fix, and a grid that covers the batch;
 *   - modules are PTX text: cuModuleLoadData finds the .entry names in it, cuModuleGetFunction only those;
 *   - fake_cuda_live() counts what is still allocated, for leak checks; fake_cuda_fail() makes a call fail once;
 *     fake_cuda_adopt() takes a test's host picture as device memory (an NVDEC frame's planes, without NVDEC).
 *
 * Asynchronous work runs at once, in order, which a single stream cannot tell apart from the real thing.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 128-bit load from an address that is not 16-byte aligned faults on a GPU (CUDA_ERROR_MISALIGNED_ADDRESS). */
static __thread long long misaligned_loads;
#define VIGIL_ON_MISALIGNED(p) (misaligned_loads++)
#include "vigil_stats.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
    OK = 0,
    INVALID_VALUE = 1,
    NOT_INITIALIZED = 3,
    NO_DEVICE = 100,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    INVALID_PTX = 218,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    NOT_READY = 600,
    ILLEGAL_ADDRESS = 700,
    MISALIGNED_ADDRESS = 716,
    LAUNCH_OUT_OF_RESOURCES = 701,
};

#define MAGIC_CONTEXT 0x43545831u
#define MAGIC_MODULE 0x4d4f4431u
#define MAGIC_FUNCTION 0x46554e31u
#define MAGIC_STREAM 0x53544d31u
#define MAGIC_EVENT 0x45564e31u
#define DEVICE_BASE 40
#define DEVICES 1

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised;

/* ---- failure injection ---- */

static char fail_name[64];
static int fail_code;

void fake_cuda_fail(const char *name, int code) {
    pthread_mutex_lock(&lock);
    snprintf(fail_name, sizeof fail_name, "%s", name);
    fail_code = code;
    pthread_mutex_unlock(&lock);
}

static int injected(const char *name) {
    int code = 0;
    pthread_mutex_lock(&lock);
    if (fail_code != 0 && strcmp(fail_name, name) == 0) {
        code = fail_code;
        fail_code = 0;
    }
    pthread_mutex_unlock(&lock);
    return code;
}

#define ENTER(name)                                 \
    do {                                            \
        int injected_code = injected(name);         \
        if (injected_code != 0) return injected_code; \
        if (!initialised) return NOT_INITIALIZED;   \
    } while (0)

/* ---- contexts ---- */

typedef struct Context {
    unsigned magic;
    CUdevice device;
    int refcount;
    unsigned flags;
} Context;

static Context primary[DEVICES];
static __thread Context *stack[16];
static __thread int depth;

static int current_ok(void) {
    return depth > 0 && stack[depth - 1] != NULL && stack[depth - 1]->magic == MAGIC_CONTEXT
            && stack[depth - 1]->refcount > 0;
}

#define NEED_CONTEXT() do { if (!current_ok()) return INVALID_CONTEXT; } while (0)

/* ---- memory ---- */

typedef struct Allocation {
    unsigned char *base;
    size_t bytes;
    int host; /* page-locked host memory rather than device memory */
    int adopted; /* someone else's memory, taken as device memory by fake_cuda_adopt: cuMemFree refuses it */
    struct Allocation *next;
} Allocation;

static Allocation *allocations;
static long long launches;

static Allocation *find(const void *p, size_t bytes, int host) {
    const unsigned char *c = p;
    for (Allocation *a = allocations; a != NULL; a = a->next) {
        if (a->host == host && c >= a->base && bytes <= a->bytes && (size_t) (c - a->base) <= a->bytes - bytes) {
            return a;
        }
    }
    return NULL;
}

/* Puts `bytes` at `p` on the list of live allocations, in `a`. */
static void remember(Allocation *a, void *p, size_t bytes, int host, int adopted) {
    a->base = p;
    a->bytes = bytes;
    a->host = host;
    a->adopted = adopted;
    pthread_mutex_lock(&lock);
    a->next = allocations;
    allocations = a;
    pthread_mutex_unlock(&lock);
}

static int track(void **out, size_t bytes, int host) {
    if (bytes == 0) {
        return INVALID_VALUE;
    }
    /* Exactly `bytes`, aligned as cuMemAlloc aligns: a sanitizer then sees a read past the end. */
    void *p = NULL;
    Allocation *a = malloc(sizeof *a);
    if (posix_memalign(&p, host ? 4096 : 256, bytes) != 0 || a == NULL) {
        free(p);
        free(a);
        return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    }
    memset(p, 0xAB, bytes);
    remember(a, p, bytes, host, 0);
    *out = p;
    return OK;
}

static int untrack(void *p, int host) {
    pthread_mutex_lock(&lock);
    for (Allocation **link = &allocations; *link != NULL; link = &(*link)->next) {
        Allocation *a = *link;
        if (a->base == p && a->host == host && !a->adopted) {
            *link = a->next;
            pthread_mutex_unlock(&lock);
            memset(a->base, 0xCD, a->bytes);
            free(a->base);
            free(a);
            return OK;
        }
    }
    pthread_mutex_unlock(&lock);
    return INVALID_VALUE;
}

static int device_range(CUdeviceptr p, size_t bytes) {
    return find((const void *) (uintptr_t) p, bytes, 0) != NULL;
}

/* ---- handles ---- */

typedef struct Module {
    unsigned magic;
    int entries;
    char names[8][64];
} Module;

typedef struct Function {
    unsigned magic;
    Module *module;
    char name[64];
} Function;

typedef struct Stream {
    unsigned magic;
} Stream;

typedef struct Event {
    unsigned magic;
    int recorded;
    long long tick;
} Event;

static int modules, streams, events;
static long long ticks;

/* ---- the probe ---- */

CUresult cuInit(unsigned int flags) {
    if (flags != 0) return INVALID_VALUE;
    initialised = 1;
    return OK;
}

CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }

CUresult cuDeviceGetCount(int *count) {
    ENTER("cuDeviceGetCount");
    *count = DEVICES;
    return OK;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    ENTER("cuDeviceGet");
    if (ordinal < 0 || ordinal >= DEVICES) return INVALID_DEVICE;
    *device = DEVICE_BASE + ordinal; /* not the ordinal: catches one passed for the other */
    return OK;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice dev) {
    ENTER("cuDeviceGetName");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    snprintf(name, (size_t) len, "vigil stand-in GPU (CPU emulation)");
    return OK;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
    ENTER("cuDeviceTotalMem_v2");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    *bytes = (size_t) 1 << 30;
    return OK;
}

CUresult cuDeviceGetAttribute(int *pi, int attrib, CUdevice dev) {
    ENTER("cuDeviceGetAttribute");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    switch (attrib) {
    case 75: *pi = 9; return OK;
    case 76: *pi = 0; return OK;
    case 16: *pi = 1; return OK;
    default: return INVALID_VALUE;
    }
}

static const char *error_name(CUresult e) {
    switch (e) {
    case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
    case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case NOT_READY: return "CUDA_ERROR_NOT_READY";
    case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case MISALIGNED_ADDRESS: return "CUDA_ERROR_MISALIGNED_ADDRESS";
    case LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    }
    return NULL;
}

static const char *error_string(CUresult e) {
    switch (e) {
    case INVALID_VALUE: return "invalid argument";
    case 2: return "out of memory";
    case NOT_INITIALIZED: return "initialization error";
    case NO_DEVICE: return "no CUDA-capable device is detected";
    case INVALID_DEVICE: return "invalid device ordinal";
    case INVALID_IMAGE: return "device kernel image is invalid";
    case INVALID_CONTEXT: return "invalid device context";
    case INVALID_PTX: return "a PTX JIT compilation failed";
    case INVALID_HANDLE: return "invalid resource handle";
    case NOT_FOUND: return "named symbol not found";
    case NOT_READY: return "device not ready";
    case ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
    case MISALIGNED_ADDRESS: return "misaligned address";
    case LAUNCH_OUT_OF_RESOURCES: return "too many resources requested for launch";
    }
    return NULL;
}

CUresult cuGetErrorName(CUresult e, const char **s) {
    *s = error_name(e);
    return *s ? OK : INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult e, const char **s) {
    *s = error_string(e);
    return *s ? OK : INVALID_VALUE;
}

/* ---- contexts ---- */

CUresult cuDevicePrimaryCtxRetain(Context **pctx, CUdevice dev) {
    ENTER("cuDevicePrimaryCtxRetain");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    Context *c = &primary[dev - DEVICE_BASE];
    pthread_mutex_lock(&lock);
    c->magic = MAGIC_CONTEXT;
    c->device = dev;
    c->refcount++;
    pthread_mutex_unlock(&lock);
    *pctx = c;
    return OK;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active) {
    ENTER("cuDevicePrimaryCtxGetState");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    if (flags == NULL || active == NULL) return INVALID_VALUE;
    pthread_mutex_lock(&lock);
    *flags = primary[dev - DEVICE_BASE].flags;
    *active = primary[dev - DEVICE_BASE].refcount > 0;
    pthread_mutex_unlock(&lock);
    return OK;
}

CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    ENTER("cuDevicePrimaryCtxSetFlags_v2");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    if (flags & ~0x1Fu) return INVALID_VALUE;
    pthread_mutex_lock(&lock);
    primary[dev - DEVICE_BASE].flags = flags;
    pthread_mutex_unlock(&lock);
    return OK;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    ENTER("cuDevicePrimaryCtxRelease_v2");
    if (dev < DEVICE_BASE || dev >= DEVICE_BASE + DEVICES) return INVALID_DEVICE;
    Context *c = &primary[dev - DEVICE_BASE];
    pthread_mutex_lock(&lock);
    int result = c->refcount > 0 ? OK : INVALID_CONTEXT;
    if (c->refcount > 0) c->refcount--;
    pthread_mutex_unlock(&lock);
    return result;
}

CUresult cuCtxSetCurrent(Context *ctx) {
    ENTER("cuCtxSetCurrent");
    if (ctx != NULL && ctx->magic != MAGIC_CONTEXT) return INVALID_CONTEXT;
    if (ctx == NULL) {
        if (depth > 0) depth--;
        return OK;
    }
    if (depth == 0) depth = 1;
    stack[depth - 1] = ctx;
    return OK;
}

CUresult cuCtxGetCurrent(Context **pctx) {
    ENTER("cuCtxGetCurrent");
    *pctx = depth > 0 ? stack[depth - 1] : NULL;
    return OK;
}

CUresult cuCtxPushCurrent_v2(Context *ctx) {
    ENTER("cuCtxPushCurrent_v2");
    if (ctx == NULL || ctx->magic != MAGIC_CONTEXT || ctx->refcount <= 0) return INVALID_CONTEXT;
    if (depth == 16) return INVALID_VALUE;
    stack[depth++] = ctx;
    return OK;
}

CUresult cuCtxPopCurrent_v2(Context **pctx) {
    ENTER("cuCtxPopCurrent_v2");
    if (depth == 0) return INVALID_CONTEXT;
    Context *c = stack[--depth];
    if (pctx != NULL) *pctx = c;
    return OK;
}

CUresult cuCtxSynchronize(void) {
    ENTER("cuCtxSynchronize");
    NEED_CONTEXT();
    return OK;
}

/* ---- modules ---- */

static int load(Module **out, const char *image, char *log, size_t logBytes) {
    if (image == NULL) return INVALID_VALUE;
    if (strstr(image, "vigil-test-broken-ptx") != NULL) {
        if (log != NULL && logBytes > 0) {
            snprintf(log, logBytes, "ptxas application ptx input, line 1; fatal   : stand-in JIT refuses this PTX");
        }
        return INVALID_PTX;
    }
    if (strncmp(image, "//", 2) != 0 && strncmp(image, ".version", 8) != 0) return INVALID_IMAGE;
    if (strstr(image, ".target sm_") == NULL || strstr(image, ".address_size 64") == NULL) return INVALID_PTX;
    Module *m = calloc(1, sizeof *m);
    if (m == NULL) return 2;
    m->magic = MAGIC_MODULE;
    const char *needle = ".visible .entry ";
    for (const char *p = strstr(image, needle); p != NULL && m->entries < 8; p = strstr(p + 1, needle)) {
        const char *name = p + strlen(needle);
        size_t n = strcspn(name, "( \n");
        if (n == 0 || n >= sizeof m->names[0]) continue;
        memcpy(m->names[m->entries], name, n);
        m->names[m->entries][n] = 0;
        m->entries++;
    }
    pthread_mutex_lock(&lock);
    modules++;
    pthread_mutex_unlock(&lock);
    *out = m;
    return OK;
}

CUresult cuModuleLoadData(Module **module, const void *image) {
    ENTER("cuModuleLoadData");
    NEED_CONTEXT();
    return load(module, image, NULL, 0);
}

CUresult cuModuleLoadDataEx(Module **module, const void *image, unsigned int numOptions, int *options,
                            void **optionValues) {
    ENTER("cuModuleLoadDataEx");
    NEED_CONTEXT();
    char *log = NULL;
    size_t logBytes = 0;
    for (unsigned i = 0; i < numOptions; i++) {
        if (options[i] == 5) log = optionValues[i];                               /* CU_JIT_ERROR_LOG_BUFFER */
        else if (options[i] == 6) logBytes = (size_t) (uintptr_t) optionValues[i]; /* ..._SIZE_BYTES */
        else return INVALID_VALUE;
    }
    return load(module, image, log, logBytes);
}

CUresult cuModuleUnload(Module *m) {
    ENTER("cuModuleUnload");
    NEED_CONTEXT();
    if (m == NULL || m->magic != MAGIC_MODULE) return INVALID_HANDLE;
    m->magic = 0;
    free(m);
    pthread_mutex_lock(&lock);
    modules--;
    pthread_mutex_unlock(&lock);
    return OK;
}

CUresult cuModuleGetFunction(Function **f, Module *m, const char *name) {
    ENTER("cuModuleGetFunction");
    NEED_CONTEXT();
    if (m == NULL || m->magic != MAGIC_MODULE) return INVALID_HANDLE;
    for (int i = 0; i < m->entries; i++) {
        if (strcmp(m->names[i], name) == 0) {
            /* Functions live as long as their module in the real driver; here one small leak per lookup. */
            Function *fn = calloc(1, sizeof *fn);
            if (fn == NULL) return 2;
            fn->magic = MAGIC_FUNCTION;
            fn->module = m;
            snprintf(fn->name, sizeof fn->name, "%s", name);
            *f = fn;
            return OK;
        }
    }
    return NOT_FOUND;
}

/* ---- memory ---- */

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    ENTER("cuMemAlloc_v2");
    NEED_CONTEXT();
    void *q;
    int r = track(&q, bytes, 0);
    if (r == OK) *p = (CUdeviceptr) (uintptr_t) q;
    return r;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
    ENTER("cuMemFree_v2");
    NEED_CONTEXT();
    return untrack((void *) (uintptr_t) p, 0);
}

CUresult cuMemAllocHost_v2(void **p, size_t bytes) {
    ENTER("cuMemAllocHost_v2");
    NEED_CONTEXT();
    return track(p, bytes, 1);
}

CUresult cuMemFreeHost(void *p) {
    ENTER("cuMemFreeHost");
    NEED_CONTEXT();
    return untrack(p, 1);
}

static int stream_ok(Stream *s) {
    return s == NULL || s->magic == MAGIC_STREAM; /* NULL: the legacy default stream */
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
    ENTER("cuMemcpyHtoD_v2");
    NEED_CONTEXT();
    if (!device_range(dst, bytes) || src == NULL) return INVALID_VALUE;
    memcpy((void *) (uintptr_t) dst, src, bytes);
    return OK;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
    ENTER("cuMemcpyDtoH_v2");
    NEED_CONTEXT();
    if (!device_range(src, bytes) || dst == NULL) return INVALID_VALUE;
    memcpy(dst, (const void *) (uintptr_t) src, bytes);
    return OK;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, Stream *s) {
    ENTER("cuMemcpyHtoDAsync_v2");
    NEED_CONTEXT();
    if (!stream_ok(s)) return INVALID_HANDLE;
    if (!device_range(dst, bytes) || find(src, bytes, 1) == NULL) return INVALID_VALUE;
    memcpy((void *) (uintptr_t) dst, src, bytes);
    return OK;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, Stream *s) {
    ENTER("cuMemcpyDtoHAsync_v2");
    NEED_CONTEXT();
    if (!stream_ok(s)) return INVALID_HANDLE;
    if (!device_range(src, bytes) || find(dst, bytes, 1) == NULL) return INVALID_VALUE;
    memcpy(dst, (const void *) (uintptr_t) src, bytes);
    return OK;
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t n, Stream *s) {
    ENTER("cuMemsetD8Async");
    NEED_CONTEXT();
    if (!stream_ok(s)) return INVALID_HANDLE;
    if (!device_range(dst, n)) return INVALID_VALUE;
    memset((void *) (uintptr_t) dst, value, n);
    return OK;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, Stream *s) {
    ENTER("cuMemsetD32Async");
    NEED_CONTEXT();
    if (!stream_ok(s)) return INVALID_HANDLE;
    if (dst % 4 != 0 || n > SIZE_MAX / 4 || !device_range(dst, n * 4)) return INVALID_VALUE;
    uint32_t *w = (uint32_t *) (uintptr_t) dst;
    for (size_t i = 0; i < n; i++) w[i] = value;
    return OK;
}

/* ---- streams and events ---- */

CUresult cuStreamCreate(Stream **s, unsigned int flags) {
    ENTER("cuStreamCreate");
    NEED_CONTEXT();
    if (flags > 1) return INVALID_VALUE;
    Stream *x = calloc(1, sizeof *x);
    if (x == NULL) return 2;
    x->magic = MAGIC_STREAM;
    pthread_mutex_lock(&lock);
    streams++;
    pthread_mutex_unlock(&lock);
    *s = x;
    return OK;
}

CUresult cuStreamDestroy_v2(Stream *s) {
    ENTER("cuStreamDestroy_v2");
    NEED_CONTEXT();
    if (s == NULL || s->magic != MAGIC_STREAM) return INVALID_HANDLE;
    s->magic = 0;
    free(s);
    pthread_mutex_lock(&lock);
    streams--;
    pthread_mutex_unlock(&lock);
    return OK;
}

CUresult cuStreamSynchronize(Stream *s) {
    ENTER("cuStreamSynchronize");
    NEED_CONTEXT();
    return stream_ok(s) ? OK : INVALID_HANDLE;
}

CUresult cuEventCreate(Event **e, unsigned int flags) {
    ENTER("cuEventCreate");
    NEED_CONTEXT();
    if (flags & ~7u) return INVALID_VALUE;
    if (flags & 2u) return INVALID_VALUE; /* vigil times its events: it never disables timing */
    Event *x = calloc(1, sizeof *x);
    if (x == NULL) return 2;
    x->magic = MAGIC_EVENT;
    pthread_mutex_lock(&lock);
    events++;
    pthread_mutex_unlock(&lock);
    *e = x;
    return OK;
}

CUresult cuEventRecord(Event *e, Stream *s) {
    ENTER("cuEventRecord");
    NEED_CONTEXT();
    if (e == NULL || e->magic != MAGIC_EVENT || !stream_ok(s)) return INVALID_HANDLE;
    e->recorded = 1;
    e->tick = ++ticks;
    return OK;
}

CUresult cuEventSynchronize(Event *e) {
    ENTER("cuEventSynchronize");
    if (e == NULL || e->magic != MAGIC_EVENT) return INVALID_HANDLE;
    return OK;
}

static CUresult elapsed(float *ms, Event *a, Event *b) {
    if (a == NULL || b == NULL || a->magic != MAGIC_EVENT || b->magic != MAGIC_EVENT) return INVALID_HANDLE;
    if (!a->recorded || !b->recorded) return INVALID_HANDLE;
    *ms = (float) (b->tick - a->tick) * 0.25f;
    return OK;
}

CUresult cuEventElapsedTime_v2(float *ms, Event *a, Event *b) {
    ENTER("cuEventElapsedTime_v2");
    return elapsed(ms, a, b);
}

CUresult cuEventElapsedTime(float *ms, Event *a, Event *b) {
    ENTER("cuEventElapsedTime");
    return elapsed(ms, a, b);
}

CUresult cuEventDestroy_v2(Event *e) {
    ENTER("cuEventDestroy_v2");
    NEED_CONTEXT();
    if (e == NULL || e->magic != MAGIC_EVENT) return INVALID_HANDLE;
    e->magic = 0;
    free(e);
    pthread_mutex_lock(&lock);
    events--;
    pthread_mutex_unlock(&lock);
    return OK;
}

/* ---- kernels ---- */

/* Every row a frame's kernel reads must be inside a live device allocation: on a GPU it would be a fault. */
static int rows_readable(const VigilFrameDesc *d) {
    int hasRef = vigil_has_ref(d);
    int planes = vigil_planes_read(d);
    if (d->brngLumaHigh > 0 || d->colorBars != 0) { /* BRNG and the bars read the chroma rows too */
        planes = d->planeCount < VIGIL_MAX_PLANES ? d->planeCount : VIGIL_MAX_PLANES;
    }
    for (int p = 0; p < planes; p++) {
        int64_t rowBytes = (int64_t) d->width[p] * d->bytesPerSample;
        for (int64_t y = 0; y < d->height[p] && rowBytes > 0; y++) {
            CUdeviceptr a = d->plane[p] + (uint64_t) (y * (int64_t) d->pitch[p]);
            if (!device_range(a, (size_t) rowBytes)) return 0;
            if (hasRef) {
                CUdeviceptr b = d->ref[p] + (uint64_t) (y * (int64_t) d->refPitch[p]);
                if (!device_range(b, (size_t) rowBytes)) return 0;
            }
            if (d->blockPeaks != 0 && d->anchor[0] != 0) {
                CUdeviceptr c = d->anchor[p] + (uint64_t) (y * (int64_t) d->anchorPitch[p]);
                if (!device_range(c, (size_t) rowBytes)) return 0;
            }
        }
    }
    return 1;
}

static CUresult run_init(unsigned gx, unsigned bx, const VigilFrameDesc *descs, VigilFrameResult *results,
                         int count) {
    if (bx != VIGIL_INIT_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* launch bounds: at most 128 threads */
    if ((long long) gx * bx < count) return INVALID_VALUE;         /* vigil's own rule: cover the batch */
    for (unsigned long long i = 0; i < (unsigned long long) gx * bx; i++) {
        if ((long long) i < count) {
            vigil_result_init(&descs[i], &results[i]);
        }
    }
    return OK;
}

static CUresult run_stats(unsigned gx, unsigned gy, unsigned bx, const VigilFrameDesc *descs,
                          VigilFrameResult *results, int count) {
    if (bx != VIGIL_BLOCK_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* the shared array is sized for 256 */
    if (gy != (unsigned) count) return INVALID_VALUE;             /* vigil's own rule: one grid row per frame */
    misaligned_loads = 0;
    for (unsigned f = 0; f < gy; f++) {
        if ((int) f >= count) continue;
        if (!rows_readable(&descs[f])) return ILLEGAL_ADDRESS;
        for (unsigned x = 0; x < gx; x++) {
            VigilAcc block;
            vigil_acc_init(&block);
            for (unsigned warp = 0; warp < bx / VIGIL_WARP_SIZE; warp++) {
                for (unsigned lane = 0; lane < VIGIL_WARP_SIZE; lane++) {
                    VigilAcc acc;
                    vigil_acc_init(&acc);
                    vigil_thread_work(&descs[f], x, gx, warp, bx / VIGIL_WARP_SIZE, lane, &acc);
                    vigil_acc_merge(&block, &acc);
                }
            }
            /* The device's atomics, one per field per block. */
            VigilFrameResult *r = &results[f];
            r->darkCount += block.dark;
            r->lumaSum += block.sum;
            r->sad += block.sad;
            r->brngCount += block.brng;
            r->blockBoundarySum += block.bSum;
            r->blockBoundaryCount += block.bCount;
            r->blockInnerSum += block.iSum;
            r->blockInnerCount += block.iCount;
            if (block.min < r->lumaMin) r->lumaMin = block.min;
            if (block.max > r->lumaMax) r->lumaMax = block.max;
        }
    }
    return misaligned_loads == 0 ? OK : MISALIGNED_ADDRESS;
}

static CUresult run_letterbox(unsigned gx, unsigned gy, unsigned bx, const VigilFrameDesc *descs,
                              VigilFrameResult *results, int count) {
    if (bx != VIGIL_BLOCK_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* launch bounds */
    if (gx != 1 || gy != (unsigned) count) return INVALID_VALUE;   /* vigil's own rule: one block per frame */
    for (int f = 0; f < count; f++) {
        const VigilFrameDesc *d = &descs[f];
        if (d->letterbox == 0) continue;
        if (!rows_readable(d)) return ILLEGAL_ADDRESS;
        int64_t height = d->height[0];
        int64_t width = d->width[0];
        int64_t top = vigil_edge_run_serial(d, 0, 0, height);
        int64_t bottom = height, left = width, right = width;
        if (top < height) {
            bottom = vigil_edge_run_serial(d, 0, 1, height - top);
            left = vigil_edge_run_serial(d, 1, 0, width);
            right = vigil_edge_run_serial(d, 1, 1, width - left);
        }
        results[f].barTop = (uint32_t) top;
        results[f].barBottom = (uint32_t) bottom;
        results[f].barLeft = (uint32_t) left;
        results[f].barRight = (uint32_t) right;
    }
    return OK;
}

/* vigil_sampled, phase by phase as a block's threads meet at its barriers; sums where the device makes atomics. */
static CUresult run_sampled(unsigned gx, unsigned gy, unsigned bx, const VigilFrameDesc *descs,
                            VigilFrameResult *results, int count) {
    if (bx != VIGIL_BLOCK_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* launch bounds */
    if (gy != (unsigned) count) return INVALID_VALUE;             /* vigil's own rule: one grid row per frame */
    if (gx < VIGIL_FIRST_BLUR_BLOCK) return INVALID_VALUE;        /* the bars' and flatness' blocks are there */
    const unsigned warps = bx / VIGIL_WARP_SIZE;
    for (int f = 0; f < count; f++) {
        const VigilFrameDesc *d = &descs[f];
        VigilFrameResult *r = &results[f];
        if (d->blur == 0 && d->colorBars == 0) continue;
        if (!rows_readable(d)) return ILLEGAL_ADDRESS;
        if (vigil_bars_wanted(d)) {
            static __thread VigilBarsCells cells; /* the block's shared memory */
            memset(&cells, 0xAB, sizeof cells);    /* as uninitialised as shared memory is */
            for (unsigned warp = 0; warp < warps; warp++) {
                for (int c = 0; c < VIGIL_CELLS; c++) {
                    uint32_t total[4] = {0, 0, 0, 0};
                    for (unsigned lane = 0; lane < VIGIL_WARP_SIZE; lane++) {
                        uint32_t sums[4];
                        vigil_bars_cell(d, (int) warp, c, lane, sums);
                        for (int i = 0; i < 4; i++) total[i] += sums[i];
                    }
                    cells.left[warp][c] = total[0];
                    cells.right[warp][c] = total[1];
                    cells.u[warp][c] = total[2];
                    cells.v[warp][c] = total[3];
                }
            }
            for (int c = 0; c < VIGIL_CELLS; c++) vigil_bars_cell_means(d, &cells, c);
            r->barsMatched = vigil_bars_match(d, &cells);
        }
        if (d->colorBars != 0) {
            for (unsigned b = 1; b < VIGIL_FIRST_BLUR_BLOCK; b++) {
                for (unsigned warp = 0; warp < warps; warp++) {
                    for (unsigned lane = 0; lane < VIGIL_WARP_SIZE; lane++) {
                        uint32_t flat = 0, edge = 0;
                        vigil_flat_row(d, (int) ((b - 1) * warps + warp), lane, &flat, &edge);
                        r->flatSteps += flat;
                        r->edgeSteps += edge;
                    }
                }
            }
        }
        if (d->blur != 0) {
            const int64_t lines = vigil_blur_lines(d);
            const int64_t stride = (int64_t) (gx - VIGIL_FIRST_BLUR_BLOCK) * bx;
            for (unsigned b = VIGIL_FIRST_BLUR_BLOCK; b < gx; b++) {
                for (unsigned t = 0; t < bx; t++) {
                    uint64_t widthSum = 0;
                    uint32_t edges = 0;
                    for (int64_t line = (int64_t) (b - VIGIL_FIRST_BLUR_BLOCK) * bx + t; line < lines; line += stride) {
                        vigil_blur_line(d, line, &widthSum, &edges);
                    }
                    r->blurWidthSum += widthSum;
                    r->blurEdgeCount += edges;
                }
            }
        }
    }
    return OK;
}

/* vigil_block_peaks: every thread of a frame's blocks, each with its own accumulator and its means, combined as the
 * device's shuffles and atomics combine them (the largest mean, the sum of the anchor SADs). */
static CUresult run_block_peaks(unsigned gx, unsigned gy, unsigned bx, const VigilFrameDesc *descs,
                                VigilFrameResult *results, int count) {
    if (bx != VIGIL_BLOCK_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* launch bounds */
    if (gy != (unsigned) count) return INVALID_VALUE;             /* vigil's own rule: one grid row per frame */
    misaligned_loads = 0;
    for (int f = 0; f < count; f++) {
        const VigilFrameDesc *d = &descs[f];
        VigilFrameResult *r = &results[f];
        if (!vigil_peaks_wanted(d, r)) continue;
        if (!rows_readable(d)) return ILLEGAL_ADDRESS;
        const int64_t blocks = vigil_peak_blocks(d);
        const int64_t stride = (int64_t) gx * bx;
        for (int64_t t = 0; t < stride; t++) {
            VigilPeakAcc acc;
            vigil_peak_acc_init(&acc);
            for (int64_t k = t; k < blocks; k += stride) {
                vigil_peak_block(d, k, &acc);
            }
            double reference = vigil_mean(acc.referenceSad, acc.referenceSamples);
            double anchor = vigil_mean(acc.anchorSad, acc.anchorSamples);
            if (reference > r->referenceBlockPeak) r->referenceBlockPeak = reference;
            if (d->anchor[0] != 0) {
                if (anchor > r->anchorBlockPeak) r->anchorBlockPeak = anchor;
                r->anchorSad += acc.anchorTotal;
            }
        }
        r->blockPeaksMeasured = 1;
    }
    return misaligned_loads == 0 ? OK : MISALIGNED_ADDRESS;
}

/* vigil_thumbnail: one descriptor, the packed picture; every thread of the grid, as the device runs them. */
static CUresult run_thumbnail(unsigned gx, unsigned bx, CUdeviceptr desc, CUdeviceptr out, int outHeight) {
    if (bx != VIGIL_THUMB_THREADS) return LAUNCH_OUT_OF_RESOURCES; /* launch bounds */
    if (outHeight < 2 || outHeight % 2 != 0) return INVALID_VALUE;
    const int64_t bytes = vigil_thumb_bytes(outHeight);
    if ((int64_t) gx * bx < bytes) return INVALID_VALUE;           /* vigil's own rule: cover the picture */
    if (!device_range(desc, sizeof(VigilFrameDesc)) || !device_range(out, (size_t) bytes)) return ILLEGAL_ADDRESS;
    const VigilFrameDesc *d = (const VigilFrameDesc *) (uintptr_t) desc;
    for (int p = 0; p < d->planeCount && p < VIGIL_MAX_PLANES; p++) { /* every row it may read */
        int64_t rowBytes = (int64_t) d->width[p] * d->bytesPerSample;
        for (int64_t y = 0; y < d->height[p]; y++) {
            if (!device_range(d->plane[p] + (uint64_t) (y * (int64_t) d->pitch[p]), (size_t) rowBytes)) {
                return ILLEGAL_ADDRESS;
            }
        }
    }
    for (int64_t i = 0; i < (int64_t) gx * bx; i++) {
        vigil_thumb_sample(d, outHeight, i, (uint8_t *) (uintptr_t) out);
    }
    return OK;
}

CUresult cuLaunchKernel(Function *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned sharedMemBytes, Stream *s, void **kernelParams, void **extra) {
    ENTER("cuLaunchKernel");
    NEED_CONTEXT();
    if (f == NULL || f->magic != MAGIC_FUNCTION || f->module->magic != MAGIC_MODULE) return INVALID_HANDLE;
    if (!stream_ok(s)) return INVALID_HANDLE;
    if (gx == 0 || gy == 0 || gz != 1 || by != 1 || bz != 1 || gy > 65535) return INVALID_VALUE;
    if (sharedMemBytes != 0 || extra != NULL || kernelParams == NULL) return INVALID_VALUE;
    if (strcmp(f->name, "vigil_thumbnail") == 0) {
        pthread_mutex_lock(&lock);
        launches++;
        pthread_mutex_unlock(&lock);
        return run_thumbnail(gx, bx, *(CUdeviceptr *) kernelParams[0], *(CUdeviceptr *) kernelParams[1],
                             *(int *) kernelParams[2]);
    }
    CUdeviceptr descs = *(CUdeviceptr *) kernelParams[0];
    CUdeviceptr results = *(CUdeviceptr *) kernelParams[1];
    int count = *(int *) kernelParams[2];
    if (count < 1) return INVALID_VALUE;
    if (!device_range(descs, (size_t) count * sizeof(VigilFrameDesc))
            || !device_range(results, (size_t) count * sizeof(VigilFrameResult))) {
        return ILLEGAL_ADDRESS;
    }
    const VigilFrameDesc *d = (const VigilFrameDesc *) (uintptr_t) descs;
    VigilFrameResult *r = (VigilFrameResult *) (uintptr_t) results;
    pthread_mutex_lock(&lock);
    launches++;
    pthread_mutex_unlock(&lock);
    if (strcmp(f->name, "vigil_stats_init") == 0) return run_init(gx, bx, d, r, count);
    if (strcmp(f->name, "vigil_frame_stats") == 0) return run_stats(gx, gy, bx, d, r, count);
    if (strcmp(f->name, "vigil_letterbox") == 0) return run_letterbox(gx, gy, bx, d, r, count);
    if (strcmp(f->name, "vigil_sampled") == 0) return run_sampled(gx, gy, bx, d, r, count);
    if (strcmp(f->name, "vigil_block_peaks") == 0) return run_block_peaks(gx, gy, bx, d, r, count);
    return NOT_FOUND;
}

/* ---- for the tests ---- */

/*
 * Takes `bytes` of host memory at `p`, owned by someone else (FFmpeg's buffers of a test's picture), as device memory
 * until fake_cuda_disown: what NVDEC's frames are to the kernels, for tests that have no NVDEC. Never freed here.
 */
int fake_cuda_adopt(void *p, size_t bytes) {
    if (p == NULL || bytes == 0) return INVALID_VALUE;
    Allocation *a = malloc(sizeof *a);
    if (a == NULL) return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    remember(a, p, bytes, 0, 1);
    return OK;
}

int fake_cuda_disown(void *p) {
    pthread_mutex_lock(&lock);
    for (Allocation **link = &allocations; *link != NULL; link = &(*link)->next) {
        Allocation *a = *link;
        if (a->base == p && a->adopted) {
            *link = a->next;
            pthread_mutex_unlock(&lock);
            free(a);
            return OK;
        }
    }
    pthread_mutex_unlock(&lock);
    return INVALID_VALUE;
}

/* [device allocations, host allocations, modules, streams, events, primary context refcount, this thread's
 * context stack depth, launches] */
void fake_cuda_live(long long out[8]) {
    pthread_mutex_lock(&lock);
    long long device = 0, host = 0;
    for (Allocation *a = allocations; a != NULL; a = a->next) {
        if (a->host) host++; else device++;
    }
    out[0] = device;
    out[1] = host;
    out[2] = modules;
    out[3] = streams;
    out[4] = events;
    out[5] = primary[0].refcount;
    out[6] = depth;
    out[7] = launches;
    pthread_mutex_unlock(&lock);
}
