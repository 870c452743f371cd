package io.vigil.ffi.nvml;

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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * NVML, the driver's management library, for as long as this object is open: {@link #open} loads libnvidia-ml.so.1,
 * calls {@code nvmlInit_v2} once and finds the GPUs; {@link #read} reads every GPU's figures; {@link #close} calls
 * {@code nvmlShutdown} once. Every call's return code is checked, and one that is not NVML_SUCCESS becomes NVML's own
 * text ({@code nvmlErrorString}).
 *
 * <p>Never throws for a host without NVML: without the library, without the kernel driver, or with a library that
 * lacks a call vigil makes, the object is open but {@link #unavailableReason} says why in one line, and it reads no
 * GPU. Thread-safe: reads and the close are serialised (NVML itself is thread-safe; the lock only keeps a read from
 * running into the shutdown).
 */
public final class Nvml implements AutoCloseable {
    /** The library's soname, as every NVIDIA driver installs it. */
    public static final String LIBRARY = "libnvidia-ml.so.1";

    static final int NVML_SUCCESS = 0;
    static final int NVML_ERROR_NOT_SUPPORTED = 3;
    static final int NVML_ERROR_UNKNOWN = 999;
    static final int NVML_TEMPERATURE_GPU = 0;
    static final int NVML_MEMORY_ERROR_TYPE_CORRECTED = 0;
    static final int NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1;
    static final int NVML_VOLATILE_ECC = 0;
    /** NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE, rounded up. */
    private static final int TEXT_BYTES = 128;

    /**
     * The clock event (throttle) reasons, by their bit in {@link NvmlReading#clocksEventReasons()}, named as
     * nvml.h's {@code nvmlClocksEventReason*} constants in snake case.
     */
    public static final SequencedMap<Long, String> CLOCKS_EVENT_REASONS = clocksEventReasons();

    private final String unavailableReason;
    private final Calls calls;
    private final List<MemorySegment> handles;
    private final List<String> names;
    private final String driverVersion;
    private final List<String> notes;
    private boolean closed;

    private Nvml(String unavailableReason, Calls calls, List<MemorySegment> handles, List<String> names,
                 String driverVersion, List<String> notes) {
        this.unavailableReason = unavailableReason;
        this.calls = calls;
        this.handles = handles;
        this.names = names;
        this.driverVersion = driverVersion;
        this.notes = notes;
        this.closed = calls == null;
    }

    /** NVML of this host's driver ({@value #LIBRARY}). Never throws. */
    public static Nvml open() {
        return open(LIBRARY);
    }

    /** NVML from {@code library} (a soname or a path: tests bind a stand-in). Never throws. */
    public static Nvml open(String library) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException notFound) {
            return unavailable(library + " not found, so no NVIDIA driver on this host");
        } catch (RuntimeException e) {
            // IllegalCallerException: native access denied to this module.
            return unavailable("cannot load " + library + ": " + e.getMessage());
        }
        Calls calls;
        try {
            calls = new Calls(lookup, library);
        } catch (RuntimeException e) {
            // IllegalStateException: a call is missing; IllegalCallerException: native access denied.
            return unavailable(e.getMessage());
        }
        int rc = calls.invoke(() -> (int) calls.init.invokeExact());
        if (rc != NVML_SUCCESS) {
            return unavailable("nvmlInit: " + calls.errorString(rc));
        }
        try {
            return started(calls);
        } catch (RuntimeException e) {
            calls.invoke(() -> (int) calls.shutdown.invokeExact());
            return unavailable(e.getMessage());
        }
    }

    private static Nvml unavailable(String reason) {
        return new Nvml(reason, null, List.of(), List.of(), "", List.of());
    }

    /** After a successful init: the driver's version and every GPU NVML can open. */
    private static Nvml started(Calls calls) {
        List<String> notes = new ArrayList<>();
        String driver;
        int count;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(TEXT_BYTES);
            int rc = calls.invoke(() -> (int) calls.driverVersion.invokeExact(text, TEXT_BYTES));
            driver = rc == NVML_SUCCESS ? text.getString(0) : "";
            if (rc != NVML_SUCCESS) {
                notes.add("driver version: " + calls.errorString(rc));
            }
            MemorySegment n = arena.allocate(JAVA_INT);
            rc = calls.invoke(() -> (int) calls.deviceCount.invokeExact(n));
            if (rc != NVML_SUCCESS) {
                throw new IllegalStateException("nvmlDeviceGetCount: " + calls.errorString(rc));
            }
            count = n.get(JAVA_INT, 0);
        }
        List<MemorySegment> handles = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ADDRESS);
                int rc = calls.invoke(() -> (int) calls.handleByIndex.invokeExact(index, out));
                if (rc != NVML_SUCCESS) {
                    // A GPU this process may not see (a container's cgroup): the others still count.
                    notes.add("GPU " + i + ": nvmlDeviceGetHandleByIndex: " + calls.errorString(rc));
                    continue;
                }
                MemorySegment handle = out.get(ADDRESS, 0);
                MemorySegment text = arena.allocate(TEXT_BYTES);
                rc = calls.invoke(() -> (int) calls.name.invokeExact(handle, text, TEXT_BYTES));
                handles.add(handle);
                names.add(rc == NVML_SUCCESS ? text.getString(0) : "GPU " + i);
                if (rc != NVML_SUCCESS) {
                    notes.add("GPU " + i + ": nvmlDeviceGetName: " + calls.errorString(rc));
                }
            }
        }
        return new Nvml(null, calls, List.copyOf(handles), List.copyOf(names), driver, List.copyOf(notes));
    }

    /** Why NVML cannot be read here, in one line; empty when it can. */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /** The driver's version as NVML reports it ("550.54.15"); empty when unavailable or unknown. */
    public String driverVersion() {
        return driverVersion;
    }

    /** How many GPUs {@link #read} reports. */
    public int gpuCount() {
        return handles.size();
    }

    /** What went wrong while opening (a GPU that could not be opened), one line each; usually none. */
    public List<String> notes() {
        return notes;
    }

    /** Every GPU's figures now, in NVML's order; empty when NVML is unavailable or closed. */
    public synchronized List<NvmlReading> read() {
        if (closed) {
            return List.of();
        }
        List<NvmlReading> readings = new ArrayList<>(handles.size());
        for (int i = 0; i < handles.size(); i++) {
            readings.add(read(i));
        }
        return readings;
    }

    private NvmlReading read(int i) {
        MemorySegment gpu = handles.get(i);
        List<String> problems = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(JAVA_LONG);
            MemorySegment b = arena.allocate(JAVA_LONG);
            MemorySegment c = arena.allocate(JAVA_LONG);
            double decoder = readOk(problems, "decoder utilisation",
                    calls.invoke(() -> (int) calls.decoderUtilization.invokeExact(gpu, a, b)))
                    ? a.get(JAVA_INT, 0) / 100.0 : Double.NaN;
            double encoder = readOk(problems, "encoder utilisation",
                    calls.invoke(() -> (int) calls.encoderUtilization.invokeExact(gpu, a, b)))
                    ? a.get(JAVA_INT, 0) / 100.0 : Double.NaN;
            // nvmlUtilization_t: unsigned int gpu, memory
            MemorySegment rates = arena.allocate(2L * JAVA_INT.byteSize(), JAVA_INT.byteAlignment());
            boolean ratesOk = readOk(problems, "utilisation",
                    calls.invoke(() -> (int) calls.utilizationRates.invokeExact(gpu, rates)));
            double sm = ratesOk ? rates.get(JAVA_INT, 0) / 100.0 : Double.NaN;
            double memoryBusy = ratesOk ? rates.get(JAVA_INT, 4) / 100.0 : Double.NaN;
            // nvmlMemory_t: unsigned long long total, free, used
            MemorySegment memory = arena.allocate(3 * JAVA_LONG.byteSize(), JAVA_LONG.byteAlignment());
            boolean memoryOk = readOk(problems, "memory",
                    calls.invoke(() -> (int) calls.memoryInfo.invokeExact(gpu, memory)));
            double total = memoryOk ? unsigned(memory.get(JAVA_LONG, 0)) : Double.NaN;
            double used = memoryOk ? unsigned(memory.get(JAVA_LONG, 16)) : Double.NaN;
            double temperature = readOk(problems, "temperature",
                    calls.invoke(() -> (int) calls.temperature.invokeExact(gpu, NVML_TEMPERATURE_GPU, a)))
                    ? Integer.toUnsignedLong(a.get(JAVA_INT, 0)) : Double.NaN;
            double power = readOk(problems, "power",
                    calls.invoke(() -> (int) calls.powerUsage.invokeExact(gpu, a)))
                    ? Integer.toUnsignedLong(a.get(JAVA_INT, 0)) / 1000.0 : Double.NaN;
            double powerLimit = readOk(problems, "power limit",
                    calls.invoke(() -> (int) calls.powerLimit.invokeExact(gpu, a)))
                    ? Integer.toUnsignedLong(a.get(JAVA_INT, 0)) / 1000.0 : Double.NaN;
            long reasons = readOk(problems, "clock event reasons",
                    calls.invoke(() -> (int) calls.clocksEventReasons.invokeExact(gpu, c)))
                    ? c.get(JAVA_LONG, 0) : -1;
            double corrected = readOk(problems, "ECC corrected",
                    calls.invoke(() -> (int) calls.eccErrors.invokeExact(gpu, NVML_MEMORY_ERROR_TYPE_CORRECTED,
                            NVML_VOLATILE_ECC, a)))
                    ? unsigned(a.get(JAVA_LONG, 0)) : Double.NaN;
            double uncorrected = readOk(problems, "ECC uncorrected",
                    calls.invoke(() -> (int) calls.eccErrors.invokeExact(gpu, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                            NVML_VOLATILE_ECC, a)))
                    ? unsigned(a.get(JAVA_LONG, 0)) : Double.NaN;
            return new NvmlReading(i, names.get(i), decoder, encoder, sm, memoryBusy, used, total, temperature, power,
                    powerLimit, reasons, corrected, uncorrected, problems);
        }
    }

    /** Whether a figure's call succeeded; "not supported" is quietly no figure, any other failure a problem. */
    private boolean readOk(List<String> problems, String figure, int rc) {
        if (rc == NVML_SUCCESS) {
            return true;
        }
        if (rc != NVML_ERROR_NOT_SUPPORTED) {
            problems.add(figure + ": " + calls.errorString(rc));
        }
        return false;
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : v + 0x1p64;
    }

    /** nvmlShutdown, once; later reads return nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        calls.invoke(() -> (int) calls.shutdown.invokeExact());
    }

    private static SequencedMap<Long, String> clocksEventReasons() {
        SequencedMap<Long, String> reasons = new LinkedHashMap<>();
        reasons.put(0x1L, "gpu_idle");
        reasons.put(0x2L, "applications_clocks_setting");
        reasons.put(0x4L, "sw_power_cap");
        reasons.put(0x8L, "hw_slowdown");
        reasons.put(0x10L, "sync_boost");
        reasons.put(0x20L, "sw_thermal_slowdown");
        reasons.put(0x40L, "hw_thermal_slowdown");
        reasons.put(0x80L, "hw_power_brake_slowdown");
        reasons.put(0x100L, "display_clock_setting");
        return Collections.unmodifiableSequencedMap(reasons);
    }

    /** The NVML calls vigil makes, bound once; a library that lacks one is not an NVML vigil can use. */
    private static final class Calls {
        private static final FunctionDescriptor OF_VOID = FunctionDescriptor.of(JAVA_INT);
        private static final FunctionDescriptor OF_POINTER = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        private static final FunctionDescriptor OF_TWO_POINTERS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        private static final FunctionDescriptor OF_THREE_POINTERS =
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

        final MethodHandle init;
        final MethodHandle shutdown;
        final MethodHandle errorString;
        final MethodHandle driverVersion;
        final MethodHandle deviceCount;
        final MethodHandle handleByIndex;
        final MethodHandle name;
        final MethodHandle decoderUtilization;
        final MethodHandle encoderUtilization;
        final MethodHandle utilizationRates;
        final MethodHandle memoryInfo;
        final MethodHandle temperature;
        final MethodHandle powerUsage;
        final MethodHandle powerLimit;
        final MethodHandle clocksEventReasons;
        final MethodHandle eccErrors;

        Calls(SymbolLookup lookup, String library) {
            init = bind(lookup, library, OF_VOID, "nvmlInit_v2");
            shutdown = bind(lookup, library, OF_VOID, "nvmlShutdown");
            // const char *nvmlErrorString(nvmlReturn_t result)
            errorString = bind(lookup, library, FunctionDescriptor.of(ADDRESS, JAVA_INT), "nvmlErrorString");
            // nvmlSystemGetDriverVersion(char *version, unsigned int length)
            driverVersion = bind(lookup, library, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                    "nvmlSystemGetDriverVersion");
            deviceCount = bind(lookup, library, OF_POINTER, "nvmlDeviceGetCount_v2");
            // nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
            handleByIndex = bind(lookup, library, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS),
                    "nvmlDeviceGetHandleByIndex_v2");
            // nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
            name = bind(lookup, library, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                    "nvmlDeviceGetName");
            // (device, unsigned int *utilization, unsigned int *samplingPeriodUs)
            decoderUtilization = bind(lookup, library, OF_THREE_POINTERS, "nvmlDeviceGetDecoderUtilization");
            encoderUtilization = bind(lookup, library, OF_THREE_POINTERS, "nvmlDeviceGetEncoderUtilization");
            utilizationRates = bind(lookup, library, OF_TWO_POINTERS, "nvmlDeviceGetUtilizationRates");
            memoryInfo = bind(lookup, library, OF_TWO_POINTERS, "nvmlDeviceGetMemoryInfo");
            // nvmlDeviceGetTemperature(device, nvmlTemperatureSensors_t sensorType, unsigned int *temp)
            temperature = bind(lookup, library, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS),
                    "nvmlDeviceGetTemperature");
            powerUsage = bind(lookup, library, OF_TWO_POINTERS, "nvmlDeviceGetPowerUsage");
            powerLimit = bind(lookup, library, OF_TWO_POINTERS, "nvmlDeviceGetEnforcedPowerLimit");
            // Drivers since R535 name it ClocksEventReasons; older ones only ClocksThrottleReasons (the same call).
            clocksEventReasons = bind(lookup, library, OF_TWO_POINTERS, "nvmlDeviceGetCurrentClocksEventReasons",
                    "nvmlDeviceGetCurrentClocksThrottleReasons");
            // (device, nvmlMemoryErrorType_t, nvmlEccCounterType_t, unsigned long long *eccCounts)
            eccErrors = bind(lookup, library, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                    "nvmlDeviceGetTotalEccErrors");
        }

        /** The first of {@code symbols} the library has; IllegalStateException naming the first when none. */
        private static MethodHandle bind(SymbolLookup lookup, String library, FunctionDescriptor signature,
                                         String... symbols) {
            for (String symbol : symbols) {
                Optional<MemorySegment> address = lookup.find(symbol);
                if (address.isPresent()) {
                    return Linker.nativeLinker().downcallHandle(address.get(), signature);
                }
            }
            throw new IllegalStateException(library + " has no " + symbols[0] + ": not NVML, or a driver too old");
        }

        /** Runs one call; a failure of the call itself (never expected) is NVML_ERROR_UNKNOWN. */
        int invoke(NativeCall call) {
            try {
                return call.invoke();
            } catch (Throwable t) {
                return NVML_ERROR_UNKNOWN;
            }
        }

        /** NVML's text for a return code, and the code: "Insufficient Permissions (4)". */
        String errorString(int rc) {
            try {
                MemorySegment text = (MemorySegment) errorString.invokeExact(rc);
                String s = text.equals(MemorySegment.NULL) ? "unknown error" : text.reinterpret(TEXT_BYTES).getString(0);
                return s + " (" + rc + ")";
            } catch (Throwable t) {
                return "error " + rc;
            }
        }
    }

    /** A downcall as a lambda, so that {@link Calls#invoke} can catch what {@code invokeExact} declares. */
    @FunctionalInterface
    private interface NativeCall {
        int invoke() throws Throwable;
    }
}
