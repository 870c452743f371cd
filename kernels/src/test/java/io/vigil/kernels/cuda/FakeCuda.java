package io.vigil.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.cuda.CudaDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

/**
 * The stand-in libcuda of src/test/c/fake_libcuda.c, built once per test run with the host's C compiler: a driver
 * whose kernels run the real per-thread code of vigil_stats.h on the CPU, so that CudaStats and every driver binding
 * it uses run end to end on a host without a GPU. Tests that need it are skipped where there is no C compiler.
 */
public final class FakeCuda {
    /** The fake's CUdevice for ordinal 0 (not 0, so that an ordinal passed for a handle fails). */
    public static final int DEVICE = 40;

    private static Path library;
    private static CudaDriver driver;
    private static MethodHandle live;
    private static MethodHandle fail;
    private static MethodHandle adopt;
    private static MethodHandle disown;

    private FakeCuda() {
    }

    /** The stand-in driver, bound through the same {@link CudaDriver} as the real one; skips the test without cc. */
    public static synchronized CudaDriver driver() {
        if (driver == null) {
            Path lib = library();
            driver = CudaDriver.load(lib.toString()).orElseThrow();
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            live = Linker.nativeLinker().downcallHandle(lookup.find("fake_cuda_live").orElseThrow(),
                    FunctionDescriptor.ofVoid(ADDRESS));
            fail = Linker.nativeLinker().downcallHandle(lookup.find("fake_cuda_fail").orElseThrow(),
                    FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
            adopt = Linker.nativeLinker().downcallHandle(lookup.find("fake_cuda_adopt").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
            disown = Linker.nativeLinker().downcallHandle(lookup.find("fake_cuda_disown").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        }
        return driver;
    }

    private static Path library() {
        if (library == null) {
            assumeTrue(NativeTools.cc().isPresent(), "no C compiler (cc) to build the stand-in CUDA driver");
            assumeTrue(NativeTools.cudaSources().isPresent(), "no kernels sources (src/main/cuda) here");
            Path out = NativeTools.tempDir("vigil-fake-cuda").resolve("libvigil-fake-cuda.so");
            NativeTools.runOk(List.of(NativeTools.cc().orElseThrow().toString(), "-std=c11", "-shared", "-fPIC",
                    "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-I", NativeTools.cudaSources().orElseThrow().toString(),
                    "-o", out.toString(), NativeTools.testCSources().resolve("fake_libcuda.c").toString(),
                    "-lpthread"));
            library = out;
        }
        return library;
    }

    /** What is alive in the stand-in driver now. */
    public record Live(long deviceAllocations, long hostAllocations, long modules, long streams, long events,
                       long primaryContextRefs, long contextStackDepth, long launches) {
        /** The same resources, ignoring the launch count. */
        public boolean sameResourcesAs(Live other) {
            return deviceAllocations == other.deviceAllocations && hostAllocations == other.hostAllocations
                    && modules == other.modules && streams == other.streams && events == other.events
                    && primaryContextRefs == other.primaryContextRefs && contextStackDepth == other.contextStackDepth;
        }
    }

    public static Live live() {
        driver();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG, 8);
            live.invokeExact(out);
            long[] v = out.toArray(JAVA_LONG);
            return new Live(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Makes the next call of {@code function} (a driver symbol, such as "cuMemAlloc_v2") return {@code code}. */
    public static void failNext(String function, int code) {
        driver();
        try (Arena arena = Arena.ofConfined()) {
            fail.invokeExact(arena.allocateFrom(function), code);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Takes {@code bytes} of host memory at {@code address} (a test picture's planes, in FFmpeg's buffers) as device
     * memory that the kernels may read, until {@link #disown}: an NVDEC frame's planes, on a host without NVDEC.
     */
    public static void adopt(long address, long bytes) {
        driver();
        int code;
        try {
            code = (int) adopt.invokeExact(address, bytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (code != 0) {
            throw new IllegalArgumentException("fake_cuda_adopt(" + address + ", " + bytes + ") returned " + code);
        }
    }

    /** Gives back what {@link #adopt} took at {@code address}. */
    public static void disown(long address) {
        driver();
        int code;
        try {
            code = (int) disown.invokeExact(address);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (code != 0) {
            throw new IllegalArgumentException("fake_cuda_disown(" + address + ") returned " + code);
        }
    }

    /** Cancels a {@link #failNext} that did not happen. */
    public static void failNothing() {
        failNext("", 0);
    }
}
