package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX is what kernels/build-ptx.sh makes of the committed .cu and .h: rebuilt with the host's nvcc
 * and compared line by line, leaving out comment lines (the compiler's banner and build id). Skipped without nvcc,
 * and with an nvcc of another release than the one that built the committed file (its banner says which), whose
 * output may legitimately differ.
 */
class PtxUpToDateTest {
    private static final Pattern RELEASE = Pattern.compile("release (\\d+\\.\\d+), V([\\d.]+)");

    @Test
    void committedPtxIsWhatBuildPtxMakesOfTheSources(@TempDir Path dir) throws IOException {
        assumeTrue(NativeTools.nvcc().isPresent(), "no nvcc here: cannot check that vigil_stats.ptx is up to date");
        assumeTrue(NativeTools.cudaSources().isPresent(), "no kernels sources (src/main/cuda) here");
        String nvcc = NativeTools.nvcc().orElseThrow().toString();
        Path committed = NativeTools.moduleDir().resolve("src/main/resources/io/vigil/kernels/cuda/vigil_stats.ptx");
        String committedPtx = Files.readString(committed, StandardCharsets.US_ASCII);

        String version = NativeTools.runOk(List.of(nvcc, "--version"));
        Matcher here = RELEASE.matcher(version);
        Matcher there = RELEASE.matcher(committedPtx);
        assertThat(here.find()).as("nvcc --version says its release: %s", version).isTrue();
        assertThat(there.find()).as("the committed PTX's banner names the nvcc release that built it").isTrue();
        if (!here.group(2).equals(there.group(2))) {
            abort("vigil_stats.ptx was built by nvcc " + there.group(2) + ", this host has " + here.group(2)
                    + ": not comparable line by line");
        }

        Path rebuilt = dir.resolve("vigil_stats.ptx");
        NativeTools.runOk(List.of("env", "NVCC=" + nvcc, "sh", NativeTools.moduleDir().resolve("build-ptx.sh").toString(),
                rebuilt.toString()));
        assertThat(code(Files.readString(rebuilt, StandardCharsets.US_ASCII)))
                .as("vigil_stats.ptx is stale: run kernels/build-ptx.sh and commit the PTX")
                .isEqualTo(code(committedPtx));
    }

    /** The PTX without its comment lines. */
    private static List<String> code(String ptx) {
        return ptx.lines().filter(line -> !line.stripLeading().startsWith("//")).toList();
    }
}
