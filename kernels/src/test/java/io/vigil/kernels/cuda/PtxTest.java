package io.vigil.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PTX on the classpath, as CudaStats loads it: its target and ISA, the kernels' extern "C" names, parameters
 * and launch bounds as CudaStats launches them, and (where ptxas is installed) that it assembles for the GPUs vigil
 * runs on without spilling registers, which is what the driver's JIT will do with it.
 */
class PtxTest {
    private static final Pattern ENTRY = Pattern.compile(
            "\\.visible \\.entry (\\w+)\\(\\s*([^)]*)\\)\\s*\\.maxntid (\\d+), (\\d+), (\\d+)");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) \\w+");

    static String ptx() {
        try (InputStream in = CudaStats.class.getResourceAsStream(CudaStats.PTX_RESOURCE)) {
            assertThat(in).as("io/vigil/kernels/cuda/%s on the classpath", CudaStats.PTX_RESOURCE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void targetsCompute75With64BitAddresses() {
        String ptx = ptx();
        assertThat(ptx).containsPattern("(?m)^\\.version \\d+\\.\\d+$")
                .containsPattern("(?m)^\\.target sm_75$")
                .containsPattern("(?m)^\\.address_size 64$")
                .doesNotContain("\0");
    }

    @Test
    void kernelsHaveTheNamesParametersAndLaunchBoundsCudaStatsUses() {
        Map<String, String> entries = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx());
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                types.add(p.group(1));
            }
            entries.put(m.group(1), types + " maxntid " + m.group(3) + "," + m.group(4) + "," + m.group(5));
        }
        // (const VigilFrameDesc *descs, VigilFrameResult *results, int count): two 64-bit pointers and an int, the
        // three values CudaStats' kernelParams point at.
        assertThat(entries).containsExactlyInAnyOrderEntriesOf(Map.of(
                CudaStats.INIT_KERNEL, "[u64, u64, u32] maxntid " + FrameRecords.INIT_THREADS + ",1,1",
                CudaStats.STATS_KERNEL, "[u64, u64, u32] maxntid " + FrameRecords.BLOCK_THREADS + ",1,1",
                CudaStats.LETTERBOX_KERNEL, "[u64, u64, u32] maxntid " + FrameRecords.BLOCK_THREADS + ",1,1",
                CudaStats.SAMPLED_KERNEL, "[u64, u64, u32] maxntid " + FrameRecords.BLOCK_THREADS + ",1,1",
                CudaStats.BLOCK_PEAKS_KERNEL, "[u64, u64, u32] maxntid " + FrameRecords.BLOCK_THREADS + ",1,1",
                // (const VigilFrameDesc *desc, uint8_t *out, int outHeight): CudaThumbnails' kernelParams.
                CudaThumbnails.KERNEL, "[u64, u64, u32] maxntid " + CudaThumbnails.THREADS + ",1,1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sm_75", "sm_80", "sm_89", "sm_90"})
    void assemblesWithoutSpills(String arch, @TempDir Path dir) throws IOException {
        assumeTrue(NativeTools.ptxas().isPresent(), "no ptxas here (CUDA toolkit) to assemble the PTX");
        Path ptx = dir.resolve("vigil_stats.ptx");
        Files.writeString(ptx, ptx(), StandardCharsets.US_ASCII);
        String out = NativeTools.runOk(List.of(NativeTools.ptxas().orElseThrow().toString(), "-arch=" + arch, "-O3",
                "-v", "-o", dir.resolve("vigil_stats.cubin").toString(), ptx.toString()));
        System.out.println("ptxas -arch=" + arch + ":\n" + out);
        assertThat(out).contains("Compiling entry function 'vigil_frame_stats'")
                .contains("Compiling entry function 'vigil_stats_init'")
                .contains("Compiling entry function 'vigil_letterbox'")
                .contains("Compiling entry function 'vigil_sampled'")
                .contains("Compiling entry function 'vigil_block_peaks'")
                .doesNotContainPattern("[1-9]\\d* bytes spill (stores|loads)")
                .doesNotContainPattern("[1-9]\\d* bytes stack frame");
    }
}
