package io.vigil.ffi.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vigil.ffi.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The NVIDIA driver API in libcuda.so.1, bound with Panama. The driver rather than the CUDA runtime because every
 * GPU host has the driver, and the runtime and NVRTC are not always there. Every call goes through
 * {@link #check(int, String)}, which turns a CUresult other than CUDA_SUCCESS into a {@link CudaException} that names
 * the call and the driver's error.
 *
 * <p>Why Panama and not JavaCPP's CUDA preset (org.bytedeco:cuda), although vigil takes FFmpeg from JavaCPP: the
 * preset's JNI library links libcudart, the CUDA runtime, which must then come from a CUDA toolkit on the host or
 * from the preset's redistributable jars. GPU hosts are not guaranteed to have the runtime, and the redistributable
 * libraries would not fit the 64 MiB bundle that carries vigil's GPU checks to a device host. The driver API needs
 * nothing but libcuda.so.1, which every host with an NVIDIA driver has, and a Panama binding of the few calls vigil
 * makes is a page of method handles with no native code of its own to build or ship.
 *
 * <p>Two groups of calls. The probe (version, devices, error text) is bound when the library loads, so that a
 * library without it is not taken for a driver. The compute calls (contexts, modules, memory, streams, events,
 * launches) are bound together on first use, so that probing a host never depends on them; a driver that lacks one
 * fails that first use with a {@link CudaException} naming the symbol. Handles (CUcontext, CUmodule, CUfunction,
 * CUstream, CUevent) are {@link MemorySegment}s of length zero that only carry the driver's pointer; device memory
 * (CUdeviceptr) is a {@code long}, as {@code io.vigil.ffi.VideoFrame#planeAddress} gives it. Host memory passed to a copy must be
 * a native segment. Each Java method is the one driver call it is named after (without "cu" and the "_v2" that
 * cuda.h maps the name to), checked.
 *
 * <p>Holds only method handles, so it is immutable and thread-safe. The library, once found, stays loaded for the
 * life of the process ({@link Arena#global()}): the driver is never unloaded under live contexts.
 */
public final class CudaDriver {
    /** The driver library's soname, as every NVIDIA driver installs it. */
    public static final String LIBRARY = "libcuda.so.1";

    public static final int CUDA_SUCCESS = 0;
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /**
     * Context flag: a thread waiting for the GPU blocks instead of spinning. FFmpeg's CUDA device context insists on
     * exactly this for a primary context it shares ({@code primary_ctx=1}), and refuses one already active with
     * other flags.
     */
    public static final int CU_CTX_SCHED_BLOCKING_SYNC = 0x04;
    /** cuStreamCreate flags: a stream that synchronizes with the legacy NULL stream, or one that does not. */
    public static final int CU_STREAM_DEFAULT = 0x0;
    public static final int CU_STREAM_NON_BLOCKING = 0x1;
    /** cuEventCreate flags. */
    public static final int CU_EVENT_DEFAULT = 0x0;
    public static final int CU_EVENT_DISABLE_TIMING = 0x2;
    /** CUjit_option values for {@link #moduleLoadData}'s error log. */
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    /** How much of the JIT's error log a failed module load reports. */
    private static final int JIT_LOG_BYTES = 16 * 1024;

    /** Longer than any device name the driver reports (nvidia-smi uses 96). */
    private static final int NAME_BYTES = 256;
    private static final FunctionDescriptor RESULT_OF_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor RESULT_OF_POINTER = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static Optional<CudaDriver> system;

    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;

    private final SymbolLookup lookup;
    private final String library;
    /** The compute calls, bound on first use ({@link #compute()}). */
    private volatile ComputeCalls compute;

    private CudaDriver(SymbolLookup lookup, String library) {
        this.lookup = lookup;
        this.library = library;
        cuInit = bind(lookup, library, "cuInit", RESULT_OF_INT);
        cuDriverGetVersion = bind(lookup, library, "cuDriverGetVersion", RESULT_OF_POINTER);
        cuDeviceGetCount = bind(lookup, library, "cuDeviceGetCount", RESULT_OF_POINTER);
        // CUresult cuDeviceGet(CUdevice *device, int ordinal)
        cuDeviceGet = bind(lookup, library, "cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
        cuDeviceGetName = bind(lookup, library, "cuDeviceGetName",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        // CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev): cuda.h maps cuDeviceTotalMem to _v2.
        cuDeviceTotalMem = bind(lookup, library, "cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)
        cuDeviceGetAttribute = bind(lookup, library, "cuDeviceGetAttribute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        // CUresult cuGetErrorName(CUresult error, const char **pStr), and the same for cuGetErrorString
        cuGetErrorName = bind(lookup, library, "cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        cuGetErrorString = bind(lookup, library, "cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /**
     * The host's driver, bound once and shared, or empty when the dynamic linker finds no {@value #LIBRARY} (no
     * NVIDIA driver installed). Throws only {@link CudaException}, when the library is there but is not a driver
     * this binding can use. Does not call {@code cuInit}.
     */
    public static synchronized Optional<CudaDriver> load() {
        if (system == null) {
            system = load(LIBRARY);
        }
        return system;
    }

    /**
     * Binds {@code library} (a soname or a path), for tests with a stand-in driver (the kernels module's tests build
     * one that runs its kernels on the CPU). Not cached. Empty when the library is not found.
     */
    public static Optional<CudaDriver> load(String library) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException notFound) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // IllegalCallerException: native access denied to this module.
            throw new CudaException("dlopen", "cannot load " + library + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(new CudaDriver(lookup, library));
        } catch (CudaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CudaException("dlsym", "cannot bind " + library + ": " + e.getMessage(), e);
        }
    }

    /** cuInit(0): must succeed before any other call except the version and error-text ones. */
    public void init() {
        call("cuInit", () -> (int) cuInit.invokeExact(0));
    }

    /** The driver's CUDA version as the driver encodes it, 1000 * major + 10 * minor (13000 is 13.0). */
    public int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(JAVA_INT);
            call("cuDriverGetVersion", () -> (int) cuDriverGetVersion.invokeExact(version));
            return version.get(JAVA_INT, 0);
        }
    }

    /** "13.0" for 13000, "12.8" for 12080. */
    public static String formatVersion(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    /** How many CUDA devices the driver sees (after {@link #init()}). */
    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            call("cuDeviceGetCount", () -> (int) cuDeviceGetCount.invokeExact(count));
            return count.get(JAVA_INT, 0);
        }
    }

    /** The CUdevice handle for an ordinal in [0, {@link #deviceCount()}). */
    public int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment device = arena.allocate(JAVA_INT);
            call("cuDeviceGet", () -> (int) cuDeviceGet.invokeExact(device, ordinal));
            return device.get(JAVA_INT, 0);
        }
    }

    /** The device's marketing name, such as "NVIDIA H100 80GB HBM3". */
    public String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(NAME_BYTES);
            call("cuDeviceGetName", () -> (int) cuDeviceGetName.invokeExact(name, NAME_BYTES - 1, device));
            return name.getString(0);
        }
    }

    /** The device's total memory in bytes. */
    public long totalMemoryBytes(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(JAVA_LONG); // size_t on the 64-bit hosts vigil supports
            call("cuDeviceTotalMem_v2", () -> (int) cuDeviceTotalMem.invokeExact(bytes, device));
            return bytes.get(JAVA_LONG, 0);
        }
    }

    /** One CU_DEVICE_ATTRIBUTE_* value of a device. */
    public int attribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            call("cuDeviceGetAttribute", () -> (int) cuDeviceGetAttribute.invokeExact(value, attribute, device));
            return value.get(JAVA_INT, 0);
        }
    }

    /** "major.minor", such as "9.0" for an H100. */
    public String computeCapability(int device) {
        return attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device) + "."
                + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
    }

    /** Every device the driver sees, in ordinal order (after {@link #init()}). */
    public List<Device> devices() {
        int count = deviceCount();
        List<Device> devices = new ArrayList<>(count);
        for (int ordinal = 0; ordinal < count; ordinal++) {
            int device = device(ordinal);
            devices.add(new Device(Device.Kind.CUDA, ordinal, deviceName(device), totalMemoryBytes(device),
                    computeCapability(device), attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device)));
        }
        return List.copyOf(devices);
    }

    /** The CUresult's name, such as "CUDA_ERROR_NO_DEVICE", or "CUresult 12345" for one the driver does not know. */
    public String errorName(int result) {
        String name = errorText(cuGetErrorName, "cuGetErrorName", result);
        return name.isEmpty() ? "CUresult " + result : name;
    }

    /** The driver's sentence for a CUresult, such as "no CUDA-capable device is detected"; "" when it has none. */
    public String errorString(int result) {
        return errorText(cuGetErrorString, "cuGetErrorString", result);
    }

    /** Does nothing for CUDA_SUCCESS; otherwise throws a {@link CudaException} naming {@code call} and the error. */
    public void check(int result, String call) {
        if (result != CUDA_SUCCESS) {
            throw new CudaException(call, result, errorName(result), errorString(result));
        }
    }

    // ---- Compute calls: contexts, modules, memory, streams, events, launches. Bound on first use. ----

    /**
     * cuDevicePrimaryCtxRetain: the device's primary context, the one FFmpeg's NVDEC uses with its
     * {@code primary_ctx=1} option, created if no one holds it. Each retain needs one
     * {@link #devicePrimaryCtxRelease}.
     */
    public MemorySegment devicePrimaryCtxRetain(int device) {
        MethodHandle h = compute().cuDevicePrimaryCtxRetain;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment context = arena.allocate(ADDRESS);
            call("cuDevicePrimaryCtxRetain", () -> (int) h.invokeExact(context, device));
            return context.get(ADDRESS, 0);
        }
    }

    /** A device's primary context: its flags (CU_CTX_*), and whether anyone holds it. */
    public record PrimaryCtxState(int flags, boolean active) {
    }

    /** cuDevicePrimaryCtxGetState. */
    public PrimaryCtxState devicePrimaryCtxGetState(int device) {
        MethodHandle h = compute().cuDevicePrimaryCtxGetState;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flags = arena.allocate(JAVA_INT);
            MemorySegment active = arena.allocate(JAVA_INT);
            call("cuDevicePrimaryCtxGetState", () -> (int) h.invokeExact(device, flags, active));
            return new PrimaryCtxState(flags.get(JAVA_INT, 0), active.get(JAVA_INT, 0) != 0);
        }
    }

    /** cuDevicePrimaryCtxSetFlags_v2: the flags the primary context is created with (CU_CTX_*). */
    public void devicePrimaryCtxSetFlags(int device, int flags) {
        MethodHandle h = compute().cuDevicePrimaryCtxSetFlags;
        call("cuDevicePrimaryCtxSetFlags_v2", () -> (int) h.invokeExact(device, flags));
    }

    /** cuDevicePrimaryCtxRelease_v2: gives back one {@link #devicePrimaryCtxRetain}. */
    public void devicePrimaryCtxRelease(int device) {
        MethodHandle h = compute().cuDevicePrimaryCtxRelease;
        call("cuDevicePrimaryCtxRelease_v2", () -> (int) h.invokeExact(device));
    }

    /** cuCtxSetCurrent: binds {@code context} to the calling thread, replacing the top of its context stack. */
    public void ctxSetCurrent(MemorySegment context) {
        MethodHandle h = compute().cuCtxSetCurrent;
        call("cuCtxSetCurrent", () -> (int) h.invokeExact(context));
    }

    /** cuCtxGetCurrent: the calling thread's current context, {@link MemorySegment#NULL} when it has none. */
    public MemorySegment ctxGetCurrent() {
        MethodHandle h = compute().cuCtxGetCurrent;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment context = arena.allocate(ADDRESS);
            call("cuCtxGetCurrent", () -> (int) h.invokeExact(context));
            return context.get(ADDRESS, 0);
        }
    }

    /** cuCtxPushCurrent_v2: makes {@code context} current on the calling thread until {@link #ctxPopCurrent}. */
    public void ctxPushCurrent(MemorySegment context) {
        MethodHandle h = compute().cuCtxPushCurrent;
        call("cuCtxPushCurrent_v2", () -> (int) h.invokeExact(context));
    }

    /** cuCtxPopCurrent_v2: undoes {@link #ctxPushCurrent}, returning the context it pops. */
    public MemorySegment ctxPopCurrent() {
        MethodHandle h = compute().cuCtxPopCurrent;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment context = arena.allocate(ADDRESS);
            call("cuCtxPopCurrent_v2", () -> (int) h.invokeExact(context));
            return context.get(ADDRESS, 0);
        }
    }

    /** cuCtxSynchronize: waits for all work in the current context. */
    public void ctxSynchronize() {
        MethodHandle h = compute().cuCtxSynchronize;
        call("cuCtxSynchronize", () -> (int) h.invokeExact());
    }

    /**
     * cuModuleLoadData: loads a module from {@code image}, a NUL-terminated PTX text (which the driver JIT-compiles
     * for the current context's GPU) or a cubin, into the current context. When the load fails, it is repeated with
     * cuModuleLoadDataEx asking for the JIT's error log, and the exception carries that log.
     */
    public MemorySegment moduleLoadData(MemorySegment image) {
        MethodHandle h = compute().cuModuleLoadData;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = arena.allocate(ADDRESS);
            int result = invoke("cuModuleLoadData", () -> (int) h.invokeExact(module, image));
            if (result == CUDA_SUCCESS) {
                return module.get(ADDRESS, 0);
            }
            String log = jitErrorLog(image);
            throw new CudaException("cuModuleLoadData", result, errorName(result),
                    errorString(result) + (log.isEmpty() ? "" : "; JIT error log: " + log));
        }
    }

    /** {@link #moduleLoadData(MemorySegment)} of a PTX text, passed NUL-terminated. */
    public MemorySegment moduleLoadData(String ptx) {
        try (Arena arena = Arena.ofConfined()) {
            return moduleLoadData(arena.allocateFrom(ptx));
        }
    }

    /** The JIT's error log for an image that failed to load, "" when there is none. Never throws. */
    private String jitErrorLog(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle h = compute().cuModuleLoadDataEx;
            MemorySegment module = arena.allocate(ADDRESS);
            MemorySegment log = arena.allocate(JIT_LOG_BYTES); // zeroed: the text stays NUL-terminated
            MemorySegment options = arena.allocateFrom(JAVA_INT, CU_JIT_ERROR_LOG_BUFFER,
                    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = arena.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, log);
            // An option's value travels in the void* itself when it is a number, as cuda.h describes.
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(JIT_LOG_BYTES - 1));
            int result = invoke("cuModuleLoadDataEx", () -> (int) h.invokeExact(module, image, 2, options, values));
            if (result == CUDA_SUCCESS) {
                // Loaded the second time: give it back, and report the first failure without a log.
                invoke("cuModuleUnload", () -> (int) compute().cuModuleUnload.invokeExact(module.get(ADDRESS, 0)));
                return "";
            }
            return log.getString(0).strip();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** cuModuleGetFunction: the kernel called {@code name} (an extern "C" name) in {@code module}. */
    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        MethodHandle h = compute().cuModuleGetFunction;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment function = arena.allocate(ADDRESS);
            MemorySegment cName = arena.allocateFrom(name);
            call("cuModuleGetFunction", () -> (int) h.invokeExact(function, module, cName));
            return function.get(ADDRESS, 0);
        }
    }

    /** cuModuleUnload. */
    public void moduleUnload(MemorySegment module) {
        MethodHandle h = compute().cuModuleUnload;
        call("cuModuleUnload", () -> (int) h.invokeExact(module));
    }

    /** cuMemAlloc_v2: {@code bytes} of device memory in the current context (256-byte aligned), as a CUdeviceptr. */
    public long memAlloc(long bytes) {
        MethodHandle h = compute().cuMemAlloc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            call("cuMemAlloc_v2", () -> (int) h.invokeExact(pointer, bytes));
            return pointer.get(JAVA_LONG, 0);
        }
    }

    /** cuMemFree_v2. */
    public void memFree(long devicePointer) {
        MethodHandle h = compute().cuMemFree;
        call("cuMemFree_v2", () -> (int) h.invokeExact(devicePointer));
    }

    /**
     * cuMemAllocHost_v2: {@code bytes} of page-locked host memory, which asynchronous copies need to be
     * asynchronous. The segment spans exactly the allocation; free it with {@link #memFreeHost}.
     */
    public MemorySegment memAllocHost(long bytes) {
        MethodHandle h = compute().cuMemAllocHost;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ADDRESS);
            call("cuMemAllocHost_v2", () -> (int) h.invokeExact(pointer, bytes));
            return pointer.get(ADDRESS, 0).reinterpret(bytes);
        }
    }

    /** cuMemFreeHost. */
    public void memFreeHost(MemorySegment hostPointer) {
        MethodHandle h = compute().cuMemFreeHost;
        call("cuMemFreeHost", () -> (int) h.invokeExact(hostPointer));
    }

    /** cuMemcpyHtoD_v2: a synchronous copy of {@code bytes} from native host memory to the device. */
    public void memcpyHtoD(long destination, MemorySegment source, long bytes) {
        MethodHandle h = compute().cuMemcpyHtoD;
        call("cuMemcpyHtoD_v2", () -> (int) h.invokeExact(destination, source, bytes));
    }

    /** cuMemcpyDtoH_v2: a synchronous copy of {@code bytes} from the device to native host memory. */
    public void memcpyDtoH(MemorySegment destination, long source, long bytes) {
        MethodHandle h = compute().cuMemcpyDtoH;
        call("cuMemcpyDtoH_v2", () -> (int) h.invokeExact(destination, source, bytes));
    }

    /** cuMemcpyHtoDAsync_v2: queued on {@code stream}; {@code source} must stay unchanged until it has run. */
    public void memcpyHtoDAsync(long destination, MemorySegment source, long bytes, MemorySegment stream) {
        MethodHandle h = compute().cuMemcpyHtoDAsync;
        call("cuMemcpyHtoDAsync_v2", () -> (int) h.invokeExact(destination, source, bytes, stream));
    }

    /** cuMemcpyDtoHAsync_v2: queued on {@code stream}; asynchronous only into page-locked memory. */
    public void memcpyDtoHAsync(MemorySegment destination, long source, long bytes, MemorySegment stream) {
        MethodHandle h = compute().cuMemcpyDtoHAsync;
        call("cuMemcpyDtoHAsync_v2", () -> (int) h.invokeExact(destination, source, bytes, stream));
    }

    /** cuMemsetD8Async: sets {@code count} bytes to the low 8 bits of {@code value}. */
    public void memsetD8Async(long destination, int value, long count, MemorySegment stream) {
        MethodHandle h = compute().cuMemsetD8Async;
        call("cuMemsetD8Async", () -> (int) h.invokeExact(destination, (byte) value, count, stream));
    }

    /** cuMemsetD32Async: sets {@code count} 32-bit words (at a 4-byte aligned address) to {@code value}. */
    public void memsetD32Async(long destination, int value, long count, MemorySegment stream) {
        MethodHandle h = compute().cuMemsetD32Async;
        call("cuMemsetD32Async", () -> (int) h.invokeExact(destination, value, count, stream));
    }

    /** cuStreamCreate with CU_STREAM_* flags, in the current context. */
    public MemorySegment streamCreate(int flags) {
        MethodHandle h = compute().cuStreamCreate;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = arena.allocate(ADDRESS);
            call("cuStreamCreate", () -> (int) h.invokeExact(stream, flags));
            return stream.get(ADDRESS, 0);
        }
    }

    /** cuStreamDestroy_v2. */
    public void streamDestroy(MemorySegment stream) {
        MethodHandle h = compute().cuStreamDestroy;
        call("cuStreamDestroy_v2", () -> (int) h.invokeExact(stream));
    }

    /** cuStreamSynchronize: waits for everything queued on {@code stream}; reports errors of its kernels. */
    public void streamSynchronize(MemorySegment stream) {
        MethodHandle h = compute().cuStreamSynchronize;
        call("cuStreamSynchronize", () -> (int) h.invokeExact(stream));
    }

    /** cuEventCreate with CU_EVENT_* flags, in the current context. */
    public MemorySegment eventCreate(int flags) {
        MethodHandle h = compute().cuEventCreate;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            call("cuEventCreate", () -> (int) h.invokeExact(event, flags));
            return event.get(ADDRESS, 0);
        }
    }

    /** cuEventRecord: queues the event on {@code stream}. */
    public void eventRecord(MemorySegment event, MemorySegment stream) {
        MethodHandle h = compute().cuEventRecord;
        call("cuEventRecord", () -> (int) h.invokeExact(event, stream));
    }

    /** cuEventSynchronize: waits until the event's work has been done. */
    public void eventSynchronize(MemorySegment event) {
        MethodHandle h = compute().cuEventSynchronize;
        call("cuEventSynchronize", () -> (int) h.invokeExact(event));
    }

    /**
     * cuEventElapsedTime (the _v2 symbol where the driver has it, CUDA 12.8 and later; the same signature): device
     * milliseconds between two completed events, to about half a microsecond.
     */
    public float eventElapsedTime(MemorySegment start, MemorySegment end) {
        ComputeCalls c = compute();
        MethodHandle h = c.cuEventElapsedTime;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment millis = arena.allocate(JAVA_FLOAT);
            call(c.cuEventElapsedTimeName, () -> (int) h.invokeExact(millis, start, end));
            return millis.get(JAVA_FLOAT, 0);
        }
    }

    /** cuEventDestroy_v2. */
    public void eventDestroy(MemorySegment event) {
        MethodHandle h = compute().cuEventDestroy;
        call("cuEventDestroy_v2", () -> (int) h.invokeExact(event));
    }

    /**
     * cuLaunchKernel: queues {@code function} on {@code stream}. {@code kernelParams} is the C array
     * {@code void *kernelParams[]}: one pointer per kernel argument, each to a copy of that argument's value (the
     * driver reads the values during this call, so they may change after it returns). No {@code extra} options.
     */
    public void launchKernel(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY,
                             int blockZ, int sharedMemBytes, MemorySegment stream, MemorySegment kernelParams) {
        MethodHandle h = compute().cuLaunchKernel;
        call("cuLaunchKernel", () -> (int) h.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                sharedMemBytes, stream, kernelParams, MemorySegment.NULL));
    }

    private ComputeCalls compute() {
        ComputeCalls calls = compute;
        if (calls == null) {
            synchronized (this) {
                calls = compute;
                if (calls == null) {
                    calls = new ComputeCalls(lookup, library);
                    compute = calls;
                }
            }
        }
        return calls;
    }

    /** The compute calls' handles, with the C signatures from cuda.h (CUDA 13.0) beside each. */
    private static final class ComputeCalls {
        final MethodHandle cuDevicePrimaryCtxRetain;
        final MethodHandle cuDevicePrimaryCtxRelease;
        final MethodHandle cuDevicePrimaryCtxGetState;
        final MethodHandle cuDevicePrimaryCtxSetFlags;
        final MethodHandle cuCtxSetCurrent;
        final MethodHandle cuCtxGetCurrent;
        final MethodHandle cuCtxPushCurrent;
        final MethodHandle cuCtxPopCurrent;
        final MethodHandle cuCtxSynchronize;
        final MethodHandle cuModuleLoadData;
        final MethodHandle cuModuleLoadDataEx;
        final MethodHandle cuModuleGetFunction;
        final MethodHandle cuModuleUnload;
        final MethodHandle cuMemAlloc;
        final MethodHandle cuMemFree;
        final MethodHandle cuMemAllocHost;
        final MethodHandle cuMemFreeHost;
        final MethodHandle cuMemcpyHtoD;
        final MethodHandle cuMemcpyDtoH;
        final MethodHandle cuMemcpyHtoDAsync;
        final MethodHandle cuMemcpyDtoHAsync;
        final MethodHandle cuMemsetD8Async;
        final MethodHandle cuMemsetD32Async;
        final MethodHandle cuStreamCreate;
        final MethodHandle cuStreamDestroy;
        final MethodHandle cuStreamSynchronize;
        final MethodHandle cuEventCreate;
        final MethodHandle cuEventRecord;
        final MethodHandle cuEventSynchronize;
        final MethodHandle cuEventElapsedTime;
        final String cuEventElapsedTimeName;
        final MethodHandle cuEventDestroy;
        final MethodHandle cuLaunchKernel;

        ComputeCalls(SymbolLookup lookup, String library) {
            // CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
            cuDevicePrimaryCtxRetain = bind(lookup, library, "cuDevicePrimaryCtxRetain",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            // CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
            cuDevicePrimaryCtxRelease = bind(lookup, library, "cuDevicePrimaryCtxRelease_v2", RESULT_OF_INT);
            // CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active)
            cuDevicePrimaryCtxGetState = bind(lookup, library, "cuDevicePrimaryCtxGetState",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            // CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags)
            cuDevicePrimaryCtxSetFlags = bind(lookup, library, "cuDevicePrimaryCtxSetFlags_v2",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            // CUresult cuCtxSetCurrent(CUcontext ctx)
            cuCtxSetCurrent = bind(lookup, library, "cuCtxSetCurrent", RESULT_OF_POINTER);
            // CUresult cuCtxGetCurrent(CUcontext *pctx)
            cuCtxGetCurrent = bind(lookup, library, "cuCtxGetCurrent", RESULT_OF_POINTER);
            // CUresult cuCtxPushCurrent_v2(CUcontext ctx)
            cuCtxPushCurrent = bind(lookup, library, "cuCtxPushCurrent_v2", RESULT_OF_POINTER);
            // CUresult cuCtxPopCurrent_v2(CUcontext *pctx)
            cuCtxPopCurrent = bind(lookup, library, "cuCtxPopCurrent_v2", RESULT_OF_POINTER);
            // CUresult cuCtxSynchronize(void)
            cuCtxSynchronize = bind(lookup, library, "cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
            // CUresult cuModuleLoadData(CUmodule *module, const void *image)
            cuModuleLoadData = bind(lookup, library, "cuModuleLoadData",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            // CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int numOptions,
            //                             CUjit_option *options, void **optionValues)
            cuModuleLoadDataEx = bind(lookup, library, "cuModuleLoadDataEx",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
            // CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
            cuModuleGetFunction = bind(lookup, library, "cuModuleGetFunction",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            // CUresult cuModuleUnload(CUmodule hmod)
            cuModuleUnload = bind(lookup, library, "cuModuleUnload", RESULT_OF_POINTER);
            // CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize)
            cuMemAlloc = bind(lookup, library, "cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            // CUresult cuMemFree_v2(CUdeviceptr dptr)
            cuMemFree = bind(lookup, library, "cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
            // CUresult cuMemAllocHost_v2(void **pp, size_t bytesize)
            cuMemAllocHost = bind(lookup, library, "cuMemAllocHost_v2",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            // CUresult cuMemFreeHost(void *p)
            cuMemFreeHost = bind(lookup, library, "cuMemFreeHost", RESULT_OF_POINTER);
            // CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount)
            cuMemcpyHtoD = bind(lookup, library, "cuMemcpyHtoD_v2",
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
            // CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount)
            cuMemcpyDtoH = bind(lookup, library, "cuMemcpyDtoH_v2",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
            // CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount,
            //                               CUstream hStream)
            cuMemcpyHtoDAsync = bind(lookup, library, "cuMemcpyHtoDAsync_v2",
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
            // CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
            cuMemcpyDtoHAsync = bind(lookup, library, "cuMemcpyDtoHAsync_v2",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
            // CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, CUstream hStream)
            cuMemsetD8Async = bind(lookup, library, "cuMemsetD8Async",
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS));
            // CUresult cuMemsetD32Async(CUdeviceptr dstDevice, unsigned int ui, size_t N, CUstream hStream)
            cuMemsetD32Async = bind(lookup, library, "cuMemsetD32Async",
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
            // CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags)
            cuStreamCreate = bind(lookup, library, "cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            // CUresult cuStreamDestroy_v2(CUstream hStream)
            cuStreamDestroy = bind(lookup, library, "cuStreamDestroy_v2", RESULT_OF_POINTER);
            // CUresult cuStreamSynchronize(CUstream hStream)
            cuStreamSynchronize = bind(lookup, library, "cuStreamSynchronize", RESULT_OF_POINTER);
            // CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags)
            cuEventCreate = bind(lookup, library, "cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            // CUresult cuEventRecord(CUevent hEvent, CUstream hStream)
            cuEventRecord = bind(lookup, library, "cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            // CUresult cuEventSynchronize(CUevent hEvent)
            cuEventSynchronize = bind(lookup, library, "cuEventSynchronize", RESULT_OF_POINTER);
            // CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd): cuda.h 13 maps
            // cuEventElapsedTime to _v2; drivers before 12.8 export only the first version, with the same signature.
            FunctionDescriptor elapsed = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
            if (lookup.find("cuEventElapsedTime_v2").isPresent()) {
                cuEventElapsedTimeName = "cuEventElapsedTime_v2";
            } else {
                cuEventElapsedTimeName = "cuEventElapsedTime";
            }
            cuEventElapsedTime = bind(lookup, library, cuEventElapsedTimeName, elapsed);
            // CUresult cuEventDestroy_v2(CUevent hEvent)
            cuEventDestroy = bind(lookup, library, "cuEventDestroy_v2", RESULT_OF_POINTER);
            // CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY,
            //         unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
            //         unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
            cuLaunchKernel = bind(lookup, library, "cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        }
    }

    /** Never throws: it runs while another failure is being reported. */
    private static String errorText(MethodHandle handle, String name, int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(ADDRESS);
            int status = invoke(name, () -> (int) handle.invokeExact(result, text));
            MemorySegment chars = text.get(ADDRESS, 0);
            if (status != CUDA_SUCCESS || chars.equals(MemorySegment.NULL)) {
                return "";
            }
            // A static string inside the driver: its length is unknown until the terminating NUL.
            return chars.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (CudaException e) {
            return "";
        }
    }

    private void call(String name, NativeCall call) {
        check(invoke(name, call), name);
    }

    private static int invoke(String name, NativeCall call) {
        try {
            return call.invoke();
        } catch (Throwable t) {
            throw new CudaException(name, "cannot call " + name + ": " + t, t);
        }
    }

    private static MethodHandle bind(SymbolLookup lookup, String library, String symbol, FunctionDescriptor signature) {
        MemorySegment address = lookup.find(symbol).orElseThrow(() -> new CudaException(symbol,
                library + " has no " + symbol + ": not an NVIDIA driver, or one too old for vigil", null));
        return Linker.nativeLinker().downcallHandle(address, signature);
    }

    /** A downcall, as a lambda, so that {@link #invoke} can wrap the {@code Throwable} that invokeExact declares. */
    @FunctionalInterface
    private interface NativeCall {
        int invoke() throws Throwable;
    }
}
