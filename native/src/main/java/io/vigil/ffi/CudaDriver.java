package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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

    private CudaDriver(SymbolLookup lookup, String library) {
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

    /** Binds {@code library} (a soname or a path), for tests with a stand-in driver. Not cached. */
    static Optional<CudaDriver> load(String library) {
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
