package io.vigil.kernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles src/test/c/kernel_selftest.c with AddressSanitizer and UndefinedBehaviorSanitizer and runs it: the
 * kernels' per-thread code through the stand-in driver's launch emulation, over random batches with any grid width,
 * negative pitches and exact-size planes, against a naive C reference. A read past a plane, undefined arithmetic, a
 * 128-bit load from an unaligned address or a wrong sum fails it.
 */
class KernelSelfTest {
    @Test
    void perThreadKernelCodeMatchesANaiveReferenceUnderSanitizers(@TempDir Path dir) {
        assumeTrue(NativeTools.cc().isPresent(), "no C compiler (cc) for the kernel self-test");
        assumeTrue(NativeTools.cudaSources().isPresent(), "no kernels sources (src/main/cuda) here");
        String cc = NativeTools.cc().orElseThrow().toString();
        Path program = dir.resolve("kernel_selftest");
        List<String> compile = new ArrayList<>(List.of(cc, "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
                "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-I",
                NativeTools.cudaSources().orElseThrow().toString(), "-o", program.toString(),
                NativeTools.testCSources().resolve("kernel_selftest.c").toString(), "-lpthread"));
        NativeTools.Result compiled = NativeTools.run(compile);
        if (compiled.status() != 0 && compiled.output().contains("asan")) {
            // A compiler without the sanitizer runtimes: the same test without them.
            System.out.println("sanitizers unavailable, running the self-test without them:\n" + compiled.output());
            compile.removeIf(arg -> arg.startsWith("-fsanitize") || arg.startsWith("-fno-sanitize"));
            compiled = NativeTools.run(compile);
        }
        if (compiled.status() != 0) {
            throw new AssertionError("kernel_selftest.c did not compile:\n" + compiled.output());
        }
        long seed = Long.getLong("vigil.seed", System.nanoTime() & 0xFFFF_FFFFL);
        String output = NativeTools.runOk(List.of(program.toString(), Long.toString(seed), "600"));
        System.out.print(output);
    }
}
