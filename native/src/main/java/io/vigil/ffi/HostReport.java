package io.vigil.ffi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * What {@link HostProbe} found on this host: the Java runtime, the FFmpeg build and the hardware decoders compiled
 * into it, the CPU, and the NVIDIA driver and GPUs. Facts only; choosing a backend from them is someone else's job.
 *
 * @param javaVersion     the runtime version and vendor, such as "25+36-LTS (Eclipse Adoptium)"
 * @param ffmpegVersion   FFmpeg's own version string, such as "8.0.1"; "unavailable (...)" when FFmpeg did not load
 * @param ffmpegLibraries each FFmpeg library vigil uses, by name, with its major.minor.micro version
 * @param hwaccels        the hardware device types compiled into this FFmpeg, such as "cuda" and "vaapi"
 * @param cpu             this host's CPU
 * @param cuda            the NVIDIA driver and its GPUs, or why there are none
 */
public record HostReport(String javaVersion, String ffmpegVersion, SequencedMap<String, String> ffmpegLibraries,
                         List<String> hwaccels, Device cpu, CudaStatus cuda) {
    private static final String LINE = "%-10s%s";

    public HostReport {
        Objects.requireNonNull(javaVersion, "javaVersion");
        Objects.requireNonNull(ffmpegVersion, "ffmpegVersion");
        ffmpegLibraries = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(ffmpegLibraries));
        hwaccels = List.copyOf(hwaccels);
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(cuda, "cuda");
    }

    /**
     * The NVIDIA side of the host.
     *
     * @param driverFound   whether libcuda.so.1 was found and bound
     * @param driverVersion the CUDA version the driver supports, such as "13.0"; "" when unknown
     * @param gpus          the GPUs the driver reports, in ordinal order; empty when none is usable
     * @param reason        one sentence saying why there is no usable GPU, such as "no NVIDIA driver on this host
     *                      (libcuda.so.1 not found)"; "" when there are GPUs
     */
    public record CudaStatus(boolean driverFound, String driverVersion, List<Device> gpus, String reason) {
        public CudaStatus {
            Objects.requireNonNull(driverVersion, "driverVersion");
            gpus = List.copyOf(gpus);
            Objects.requireNonNull(reason, "reason");
        }

        /** No GPU, for {@code reason}. */
        public static CudaStatus none(boolean driverFound, String driverVersion, String reason) {
            return new CudaStatus(driverFound, driverVersion, List.of(), reason);
        }

        /** Whether at least one GPU was found. */
        public boolean usable() {
            return !gpus.isEmpty();
        }
    }

    /** The lines {@code vigil doctor} prints, one fact each, with no stack traces. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(line("Java", javaVersion));
        StringBuilder ffmpeg = new StringBuilder(ffmpegVersion);
        if (!ffmpegLibraries.isEmpty()) {
            ffmpeg.append(" (");
            ffmpegLibraries.forEach((name, version) -> ffmpeg.append(name).append(' ').append(version).append(", "));
            ffmpeg.setLength(ffmpeg.length() - 2);
            ffmpeg.append(')');
        }
        lines.add(line("FFmpeg", ffmpeg.toString()));
        lines.add(line("hwaccels", hwaccels.isEmpty() ? "none compiled in" : String.join(", ", hwaccels)));
        lines.add(line("CPU", String.format(Locale.ROOT, "%s, %d logical cores%s", cpu.name(), cpu.computeUnits(),
                cpu.totalMemoryBytes() > 0 ? String.format(Locale.ROOT, ", %.1f GiB", cpu.totalMemoryGiB()) : "")));
        String driver = cuda.driverVersion().isEmpty() ? "driver" : "driver " + cuda.driverVersion();
        if (cuda.usable()) {
            int count = cuda.gpus().size();
            lines.add(line("CUDA", driver + ", " + count + (count == 1 ? " GPU" : " GPUs")));
            for (Device gpu : cuda.gpus()) {
                lines.add(line("GPU " + gpu.index(), String.format(Locale.ROOT,
                        "%s, %.1f GiB, compute capability %s, %d SMs", gpu.name(), gpu.totalMemoryGiB(),
                        gpu.computeCapability(), gpu.computeUnits())));
            }
        } else if (cuda.driverFound()) {
            lines.add(line("CUDA", driver + ", no usable GPU: " + cuda.reason()));
        } else {
            lines.add(line("CUDA", "none: " + cuda.reason()));
        }
        return List.copyOf(lines);
    }

    private static String line(String label, String value) {
        return String.format(Locale.ROOT, LINE, label + ":", value);
    }
}
