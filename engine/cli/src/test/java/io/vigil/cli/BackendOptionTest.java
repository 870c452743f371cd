package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.cuda.CudaDriver;
import org.junit.jupiter.api.Test;

/** {@code --backend} on a host without an NVIDIA GPU: gpu is a one-line usage error, auto runs on the CPU. */
class BackendOptionTest {
    @Test
    void gpuWithoutAGpuIsAUsageError() {
        assumeTrue(CudaDriver.load().isEmpty(), "this host has an NVIDIA driver");
        CliResult r = CliResult.run("analyze", "--format", "jsonl", "--no-progress", "--backend", "gpu", "whatever.mp4");
        assertThat(r.exit).as(r.toString()).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err.strip()).isEqualTo(
                "vigil: --backend gpu: there is no NVIDIA driver on this host (libcuda.so.1 not found).");
    }

    @Test
    void unknownBackendIsAUsageError() {
        CliResult r = CliResult.run("analyze", "--backend", "tpu", "whatever.mp4");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err.strip()).isEqualTo("vigil: --backend: backend must be auto, cpu or gpu; got 'tpu'");
    }

    @Test
    void doctorSaysWhichBackendAnalyzeUsesAndWhy() {
        assumeTrue(CudaDriver.load().isEmpty(), "this host has an NVIDIA driver");
        CliResult r = CliResult.run("doctor");
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("Backend:  cpu (CPU: ")
                .contains("because there is no NVIDIA driver on this host (libcuda.so.1 not found)")
                .containsPattern("NVDEC: .*h264");
        r.assertNoStackTrace();
    }

    @Test
    void doctorListsEveryProviderWithItsRankAndWhyOneCannotRun() {
        CliResult r = CliResult.run("doctor");
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("Providers: statistics providers, highest rank first")
                .containsPattern("\n  cuda  rank 30  (can run|cannot run: .+)\n  c     rank 20  (can run|cannot run: .+)"
                        + "\n  java  rank 10  can run\n");
        if (CudaDriver.load().isEmpty()) {
            assertThat(r.out).contains(
                    "  cuda  rank 30  cannot run: there is no NVIDIA driver on this host (libcuda.so.1 not found)");
        }
        if (io.vigil.ffi.VigilPixels.class.getResource("/io/vigil/ffi/linux-x86_64/libvigilpixels.so") != null
                && System.getenv("VIGIL_PIXELS") == null) {
            assertThat(r.out).contains("  c     rank 20  can run");
            if (CudaDriver.load().isEmpty()) {
                assertThat(r.out).contains("Backend:  cpu (CPU: ").contains(", C loops (libvigilpixels, ");
            }
        }
        r.assertNoStackTrace();
    }
}
