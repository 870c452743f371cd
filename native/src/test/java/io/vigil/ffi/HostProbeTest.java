package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostProbeTest {
    /** Hosts without the NVIDIA kernel driver have no libcuda.so.1 either (this build host, CI). */
    private static final boolean NO_NVIDIA_HERE = Files.notExists(Path.of("/proc/driver/nvidia/version"));

    @TempDir
    static Path dir;

    @Test
    void probeNeverThrowsAndSaysWhyThereIsNoGpu() {
        HostReport report = HostProbe.probe();
        report.lines().forEach(line -> System.out.println("doctor | " + line));

        assertThat(report.javaVersion()).startsWith(Runtime.version().feature() + "");
        assertThat(report.ffmpegVersion()).isNotBlank().matches("[0-9n].*");
        assertThat(report.ffmpegLibraries()).containsOnlyKeys("avutil", "avcodec", "avformat", "swscale", "swresample");
        assertThat(report.ffmpegLibraries().values()).allMatch(v -> v.matches("\\d+\\.\\d+\\.\\d+"));
        assertThat(report.cpu().kind()).isEqualTo(Device.Kind.CPU);
        assertThat(report.cpu().computeUnits()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(report.lines()).isNotEmpty().noneMatch(line -> line.contains("Exception") || line.contains("\n"));

        HostReport.CudaStatus cuda = report.cuda();
        assertThat(cuda.usable()).isEqualTo(cuda.reason().isEmpty());
        assumeTrue(NO_NVIDIA_HERE, "this host has an NVIDIA driver");
        assertThat(cuda.driverFound()).isFalse();
        assertThat(cuda.driverVersion()).isEmpty();
        assertThat(cuda.gpus()).isEmpty();
        assertThat(cuda.reason()).isEqualTo("no NVIDIA driver on this host (libcuda.so.1 not found)");
        assertOneSentence(cuda.reason());
        assertThat(report.lines()).anyMatch(line -> line.startsWith("CUDA:") && line.endsWith(cuda.reason()));
    }

    @Test
    void listsTheHwaccelsThisFfmpegWasBuiltWith() {
        List<String> hwaccels = HostProbe.probe().hwaccels();
        System.out.println("hwaccels: " + hwaccels);
        // The bytedeco linux-x86_64 build has NVDEC through the CUDA hwdevice, plus vaapi, vdpau, drm, opencl, vulkan.
        assertThat(hwaccels).contains("cuda", "vaapi").doesNotHaveDuplicates().noneMatch(String::isBlank);
    }

    @Test
    void loadingTheDriverOnThisHostThrowsNothingButCudaException() {
        Optional<CudaDriver> driver;
        try {
            driver = CudaDriver.load();
        } catch (CudaException e) {
            return; // a libcuda.so.1 that is not a usable driver: allowed, and said in the exception
        }
        assertThat(CudaDriver.load()).isSameAs(driver);
        assumeTrue(NO_NVIDIA_HERE, "this host has an NVIDIA driver");
        assertThat(driver).isEmpty();
    }

    @Test
    void aMissingLibraryMeansNoDriver() {
        assertThat(CudaDriver.load("libcuda-vigil-absent.so.1")).isEmpty();
        HostReport.CudaStatus cuda = HostProbe.cuda(() -> CudaDriver.load("libcuda-vigil-absent.so.1"));
        assertThat(cuda).isEqualTo(HostReport.CudaStatus.none(false, "", HostProbe.NO_DRIVER));
    }

    @Test
    void aLibraryThatIsNotTheDriverIsACudaException() {
        assertThatThrownBy(() -> CudaDriver.load("libm.so.6"))
                .isInstanceOf(CudaException.class)
                .hasMessage("libm.so.6 has no cuInit: not an NVIDIA driver, or one too old for vigil");
        HostReport.CudaStatus cuda = HostProbe.cuda(() -> CudaDriver.load("libm.so.6"));
        assertThat(cuda.driverFound()).isFalse();
        assertOneSentence(cuda.reason());
    }

    @Test
    void aLoaderThatThrowsAnythingStillGivesAReport() {
        HostReport.CudaStatus cuda = HostProbe.cuda(() -> {
            throw new OutOfMemoryError("Direct buffer memory");
        });
        assertThat(cuda.gpus()).isEmpty();
        assertThat(cuda.reason()).isEqualTo("the NVIDIA driver library could not be used (Direct buffer memory)");
    }

    @Test
    void cudaExceptionNamesTheCallAndTheDriversError() {
        var e = new CudaException("cuDeviceGet", 100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected");
        assertThat(e).hasMessage("cuDeviceGet failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected");
        assertThat(e.call()).isEqualTo("cuDeviceGet");
        assertThat(e.code()).isEqualTo(100);
        assertThat(e.errorName()).isEqualTo("CUDA_ERROR_NO_DEVICE");
        assertThat(e).isInstanceOf(RuntimeException.class);
    }

    @Test
    void driverVersionsAreMajorDotMinor() {
        assertThat(CudaDriver.formatVersion(13000)).isEqualTo("13.0");
        assertThat(CudaDriver.formatVersion(12080)).isEqualTo("12.8");
        assertThat(CudaDriver.formatVersion(11020)).isEqualTo("11.2");
    }

    @Test
    void linesShowOneLinePerGpu() {
        var gpu = new Device(Device.Kind.CUDA, 0, "NVIDIA H100 80GB HBM3", 85_029_158_912L, "9.0", 132);
        var libraries = new LinkedHashMap<String, String>();
        libraries.put("avutil", "60.8.100");
        var report = new HostReport("25 (Vendor)", "8.0.1", libraries, List.of("cuda"),
                new Device(Device.Kind.CPU, 0, "Some CPU", 0, "", 4),
                new HostReport.CudaStatus(true, "13.0", List.of(gpu), ""));
        assertThat(report.lines()).containsExactly(
                "Java:     25 (Vendor)",
                "FFmpeg:   8.0.1 (avutil 60.8.100)",
                "hwaccels: cuda",
                "CPU:      Some CPU, 4 logical cores",
                "CUDA:     driver 13.0, 1 GPU",
                "GPU 0:    NVIDIA H100 80GB HBM3, 79.2 GiB, compute capability 9.0, 132 SMs");
    }

    @Test
    void cpuIsDescribedFromThisHost() {
        Device cpu = Device.cpu();
        assertThat(cpu.name()).isNotBlank();
        assertThat(cpu.computeCapability()).isEmpty();
        assertThat(cpu.computeUnits()).isPositive();
        assertThat(cpu.totalMemoryBytes()).isPositive();
    }

    // A stand-in libcuda.so.1, built from C when a compiler is at hand, drives every binding through real downcalls
    // with the driver's real signatures: the checks a GPU host would make, on a host without one.

    @Test
    void bindsEveryDriverCallWithItsRealSignature() throws Exception {
        Path library = fakeDriver("ok", "");
        CudaDriver driver = CudaDriver.load(library.toString()).orElseThrow();
        driver.init();
        assertThat(driver.driverVersion()).isEqualTo(13000);
        assertThat(driver.devices()).containsExactly(
                new Device(Device.Kind.CUDA, 0, "NVIDIA H100 80GB HBM3", 85_029_158_912L, "9.0", 132),
                new Device(Device.Kind.CUDA, 1, "NVIDIA L4", 23_580_639_232L, "8.9", 58));
        assertThatThrownBy(() -> driver.device(7))
                .isInstanceOf(CudaException.class)
                .hasMessage("cuDeviceGet failed: CUDA_ERROR_INVALID_DEVICE (101): invalid device ordinal");
        assertThatThrownBy(() -> driver.check(100, "cuDeviceGet"))
                .hasMessage("cuDeviceGet failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected");
        assertThat(driver.errorName(12345)).isEqualTo("CUresult 12345");
        assertThat(driver.errorString(12345)).isEmpty();
        driver.check(CudaDriver.CUDA_SUCCESS, "cuInit");

        HostReport.CudaStatus cuda = HostProbe.cuda(() -> Optional.of(driver));
        assertThat(cuda.driverFound()).isTrue();
        assertThat(cuda.driverVersion()).isEqualTo("13.0");
        assertThat(cuda.gpus()).hasSize(2);
        assertThat(cuda.reason()).isEmpty();
    }

    @Test
    void aDriverWithoutAGpuSaysSoInOneSentence() throws Exception {
        Path library = fakeDriver("nodevice", "-DNO_DEVICE");
        HostReport.CudaStatus cuda = HostProbe.cuda(() -> CudaDriver.load(library.toString()));
        assertThat(cuda.driverFound()).isTrue();
        assertThat(cuda.driverVersion()).isEqualTo("13.0");
        assertThat(cuda.gpus()).isEmpty();
        assertThat(cuda.reason()).isEqualTo("NVIDIA driver found but cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
        assertOneSentence(cuda.reason());
    }

    private static void assertOneSentence(String reason) {
        assertThat(reason).isNotBlank().doesNotContain("\n").doesNotContain("Exception");
        assertThat(reason.charAt(reason.length() - 1)).isIn(')', '.');
    }

    private static final String FAKE_DRIVER = """
            #include <stddef.h>
            #include <string.h>
            typedef int CUresult;
            #ifdef NO_DEVICE
            #define INIT_RESULT 100
            #else
            #define INIT_RESULT 0
            #endif
            static int initialised;
            CUresult cuInit(unsigned int flags) {
                if (flags != 0) return 1;
                initialised = INIT_RESULT == 0;
                return INIT_RESULT;
            }
            CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
            CUresult cuDeviceGetCount(int *c) { if (!initialised) return 3; *c = 2; return 0; }
            CUresult cuDeviceGet(int *d, int ordinal) {
                if (!initialised) return 3;
                if (ordinal < 0 || ordinal > 1) return 101;
                *d = 10 + ordinal;
                return 0;
            }
            CUresult cuDeviceGetName(char *name, int len, int dev) {
                strncpy(name, dev == 10 ? "NVIDIA H100 80GB HBM3" : "NVIDIA L4", (size_t) len);
                return 0;
            }
            CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) {
                *bytes = dev == 10 ? 85029158912UL : 23580639232UL;
                return 0;
            }
            CUresult cuDeviceGetAttribute(int *pi, int attrib, int dev) {
                switch (attrib) {
                case 75: *pi = dev == 10 ? 9 : 8; return 0;
                case 76: *pi = dev == 10 ? 0 : 9; return 0;
                case 16: *pi = dev == 10 ? 132 : 58; return 0;
                default: return 1;
                }
            }
            static const char *pick(CUresult e, const char *a, const char *b, const char *c, const char *d) {
                switch (e) { case 1: return a; case 3: return b; case 100: return c; case 101: return d; }
                return NULL;
            }
            CUresult cuGetErrorName(CUresult e, const char **s) {
                *s = pick(e, "CUDA_ERROR_INVALID_VALUE", "CUDA_ERROR_NOT_INITIALIZED", "CUDA_ERROR_NO_DEVICE",
                        "CUDA_ERROR_INVALID_DEVICE");
                return *s ? 0 : 1;
            }
            CUresult cuGetErrorString(CUresult e, const char **s) {
                *s = pick(e, "invalid argument", "initialization error", "no CUDA-capable device is detected",
                        "invalid device ordinal");
                return *s ? 0 : 1;
            }
            """;

    private static Path fakeDriver(String name, String define) throws IOException, InterruptedException {
        Path source = dir.resolve("fake-cuda-" + name + ".c");
        Path library = dir.resolve("libfake-cuda-" + name + ".so");
        Files.writeString(source, FAKE_DRIVER);
        List<String> command = new java.util.ArrayList<>(List.of("cc", "-shared", "-fPIC", "-O1", "-o",
                library.toString(), source.toString()));
        if (!define.isEmpty()) {
            command.add(define);
        }
        int status;
        try {
            Process cc = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(cc.getInputStream().readAllBytes());
            status = cc.waitFor();
            if (status != 0) {
                System.out.println(out);
            }
        } catch (IOException noCompiler) {
            status = -1;
        }
        assumeTrue(status == 0, "no C compiler to build the stand-in driver");
        return library;
    }
}
