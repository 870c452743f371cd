package io.vigil.ffi;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A compute device vigil can run its statistics on: this host's CPU, or one CUDA GPU. A value, not a string, so
 * that the probe, the {@code vigil doctor} output and (later) backend selection all speak about the same thing.
 *
 * @param kind               CPU or CUDA
 * @param index              the CUDA device ordinal; 0 for the CPU
 * @param name               what the vendor calls it, such as "NVIDIA H100 80GB HBM3" or "AMD EPYC 7B13"
 * @param totalMemoryBytes   device memory for a GPU, physical memory (or the container's limit) for the CPU; 0 when
 *                           unknown
 * @param computeCapability  "major.minor" for a GPU, such as "9.0"; "" for the CPU
 * @param computeUnits       logical cores for the CPU, streaming multiprocessors for a GPU; 0 when unknown
 */
public record Device(Kind kind, int index, String name, long totalMemoryBytes, String computeCapability,
                     int computeUnits) {
    /** Where the work runs. */
    public enum Kind { CPU, CUDA }

    private static final double BYTES_PER_GIB = 1024.0 * 1024 * 1024;

    public Device {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(computeCapability, "computeCapability");
    }

    /** This host's CPU: its model name from /proc/cpuinfo (else os.arch), logical cores, total memory. Never throws. */
    public static Device cpu() {
        return new Device(Kind.CPU, 0, cpuName(), physicalMemoryBytes(), "", Runtime.getRuntime().availableProcessors());
    }

    /** {@link #totalMemoryBytes()} in GiB (2^30 bytes). */
    public double totalMemoryGiB() {
        return totalMemoryBytes / BYTES_PER_GIB;
    }

    private static String cpuName() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .filter(name -> !name.isEmpty())
                    .findFirst()
                    .orElseGet(Device::arch);
        } catch (IOException | RuntimeException unreadable) {
            return arch();
        }
    }

    private static String arch() {
        return System.getProperty("os.arch", "unknown CPU");
    }

    private static long physicalMemoryBytes() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return Math.max(0, os.getTotalMemorySize());
            }
        } catch (RuntimeException | LinkageError unavailable) {
            // jdk.management left out of a jlink'd runtime: memory is unknown, not an error.
        }
        return 0;
    }
}
