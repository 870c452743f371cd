package io.vigil.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SequencedMap;

/**
 * One GPU's own telemetry at one moment (from NVML), for {@code vigil doctor}, {@code /metrics} and the bench. A
 * figure the GPU does not report, or that could not be read, is NaN; {@code problems} says why for the latter.
 *
 * @param index               NVML's index of the GPU (PCI bus order)
 * @param name                the product name
 * @param decoderUtilization  share of time NVDEC was busy, 0..1: what limits how many streams a GPU decodes
 * @param encoderUtilization  share of time NVENC was busy, 0..1
 * @param gpuUtilization      share of time kernels ran on the SMs, 0..1
 * @param memoryUtilization   share of time device memory was read or written, 0..1
 * @param memoryUsedBytes     device memory in use
 * @param memoryTotalBytes    device memory installed
 * @param temperatureCelsius  the die's temperature
 * @param powerWatts          power drawn now
 * @param powerLimitWatts     the power limit the board enforces
 * @param throttleReasons     every clock event (throttle) reason NVML names, and whether it holds the clocks down
 *                            now; empty when unknown
 * @param eccCorrectedErrors   corrected (single-bit) ECC errors since the driver loaded
 * @param eccUncorrectedErrors uncorrected (double-bit) ECC errors since the driver loaded
 * @param problems            figures that could not be read, each "figure: NVML's error"
 */
public record GpuFigures(int index, String name, double decoderUtilization, double encoderUtilization,
                         double gpuUtilization, double memoryUtilization, double memoryUsedBytes,
                         double memoryTotalBytes, double temperatureCelsius, double powerWatts, double powerLimitWatts,
                         SequencedMap<String, Boolean> throttleReasons, double eccCorrectedErrors,
                         double eccUncorrectedErrors, List<String> problems) {
    private static final double GIB = 1L << 30;

    public GpuFigures {
        throttleReasons = java.util.Collections.unmodifiableSequencedMap(
                new java.util.LinkedHashMap<>(throttleReasons));
        problems = List.copyOf(problems);
    }

    /** The reasons holding the clocks down now. */
    public List<String> activeThrottleReasons() {
        return throttleReasons.entrySet().stream().filter(java.util.Map.Entry::getValue)
                .map(java.util.Map.Entry::getKey).toList();
    }

    /** The figures in one line for people, those not reported left out. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        part(parts, "decoder %.0f%%", decoderUtilization * 100);
        part(parts, "encoder %.0f%%", encoderUtilization * 100);
        part(parts, "SM %.0f%%", gpuUtilization * 100);
        part(parts, "memory bus %.0f%%", memoryUtilization * 100);
        if (!Double.isNaN(memoryUsedBytes) && !Double.isNaN(memoryTotalBytes)) {
            parts.add(String.format(Locale.ROOT, "%.1f of %.1f GiB used", memoryUsedBytes / GIB, memoryTotalBytes / GIB));
        }
        part(parts, "%.0f °C", temperatureCelsius);
        if (!Double.isNaN(powerWatts)) {
            parts.add(Double.isNaN(powerLimitWatts) ? String.format(Locale.ROOT, "%.0f W", powerWatts)
                    : String.format(Locale.ROOT, "%.0f of %.0f W", powerWatts, powerLimitWatts));
        }
        if (!throttleReasons.isEmpty()) {
            List<String> active = activeThrottleReasons();
            parts.add(active.isEmpty() ? "clocks not held down" : "clocks held down by " + String.join(", ", active));
        }
        if (!Double.isNaN(eccCorrectedErrors) || !Double.isNaN(eccUncorrectedErrors)) {
            parts.add(String.format(Locale.ROOT, "ECC errors %.0f corrected, %.0f uncorrected", eccCorrectedErrors,
                    eccUncorrectedErrors));
        }
        problems.forEach(p -> parts.add("unreadable " + p));
        return name + ": " + String.join(", ", parts);
    }

    private static void part(List<String> parts, String format, double value) {
        if (!Double.isNaN(value)) {
            parts.add(String.format(Locale.ROOT, format, value));
        }
    }
}
