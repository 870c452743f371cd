package io.vigil.ffi.nvml;

import java.util.List;

/**
 * One GPU's figures as NVML gave them at one moment. A figure this GPU does not report (NVML_ERROR_NOT_SUPPORTED:
 * ECC on a card without it, power on some boards) or could not be read is NaN ({@code clocksEventReasons}: -1), and a
 * figure that failed for another reason also has a line in {@code problems}, such as "temperature: Insufficient
 * Permissions".
 *
 * @param index               NVML's index of the GPU (PCI bus order, which is not always CUDA's order)
 * @param name                the product name, e.g. "NVIDIA H100 80GB HBM3"
 * @param decoderUtilization  share of the last sampling period NVDEC was busy, 0..1
 * @param encoderUtilization  share NVENC was busy, 0..1
 * @param gpuUtilization      share of time one or more kernels ran on the SMs, 0..1
 * @param memoryUtilization   share of time device memory was read or written, 0..1
 * @param memoryUsedBytes     device memory in use
 * @param memoryTotalBytes    device memory installed
 * @param temperatureCelsius  the GPU die's temperature
 * @param powerWatts          power drawn by the board now
 * @param powerLimitWatts     the power limit the board enforces
 * @param clocksEventReasons  bitmask of why the clocks are held down now ({@link Nvml#CLOCKS_EVENT_REASONS}); -1 when
 *                            unknown
 * @param eccCorrectedErrors   single-bit ECC errors corrected since the driver loaded (volatile)
 * @param eccUncorrectedErrors double-bit ECC errors since the driver loaded (volatile)
 * @param problems            the figures that failed other than as "not supported", each "figure: NVML's error"
 */
public record NvmlReading(int index, String name, double decoderUtilization, double encoderUtilization,
                          double gpuUtilization, double memoryUtilization, double memoryUsedBytes,
                          double memoryTotalBytes, double temperatureCelsius, double powerWatts,
                          double powerLimitWatts, long clocksEventReasons, double eccCorrectedErrors,
                          double eccUncorrectedErrors, List<String> problems) {
    public NvmlReading {
        problems = List.copyOf(problems);
    }
}
