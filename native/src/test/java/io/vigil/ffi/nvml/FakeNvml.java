package io.vigil.ffi.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The stand-in libnvidia-ml of src/test/c/fake_libnvidia_ml.c, built once per test run with the host's C compiler
 * (tests that need it are skipped without one), and its controls: make a call fail, count inits and shutdowns.
 */
final class FakeNvml {
    private static Path library;
    private static MethodHandle fail;
    private static MethodHandle reset;
    private static MethodHandle counts;

    private FakeNvml() {
    }

    /** The stand-in's path, for {@link Nvml#open(String)}; skips the test where there is no C compiler. */
    static synchronized Path library() {
        if (library == null) {
            Optional<Path> cc = program("cc");
            assumeTrue(cc.isPresent(), "no C compiler (cc) to build the stand-in NVML");
            try {
                // Surefire runs in the module's folder; a bundle of test classes without their sources skips.
                Path source = Path.of("src/test/c/fake_libnvidia_ml.c");
                assumeTrue(Files.exists(source), "no " + source + " here");
                Path dir = Files.createTempDirectory("vigil-fake-nvml");
                dir.toFile().deleteOnExit();
                Path out = dir.resolve("libvigil-fake-nvml.so");
                Process p = new ProcessBuilder(cc.get().toString(), "-std=c11", "-shared", "-fPIC", "-O2", "-Wall",
                        "-Wextra", "-Werror", "-o", out.toString(), source.toString()).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("cc could not build " + source);
                }
                out.toFile().deleteOnExit();
                SymbolLookup lookup = SymbolLookup.libraryLookup(out, Arena.global());
                Linker linker = Linker.nativeLinker();
                fail = linker.downcallHandle(lookup.find("fake_nvml_fail").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
                reset = linker.downcallHandle(lookup.find("fake_nvml_reset").orElseThrow(), FunctionDescriptor.ofVoid());
                counts = linker.downcallHandle(lookup.find("fake_nvml_counts").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS));
                library = out;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return library;
    }

    /** Makes {@code function} (an NVML symbol) return {@code code} until {@link #reset}. */
    static void failNext(String function, int code) {
        library();
        try (Arena arena = Arena.ofConfined()) {
            fail.invokeExact(arena.allocateFrom(function), code);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void reset() {
        library();
        try {
            reset.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** nvmlInit_v2 calls, nvmlShutdown calls, and the inits not yet shut down. */
    static int[] counts() {
        library();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT, 3);
            counts.invokeExact(out);
            return out.toArray(JAVA_INT);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static Optional<Path> program(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
