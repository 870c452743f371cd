package io.vigil.engine.pipeline;

import io.vigil.ffi.nvml.Nvml;
import io.vigil.ffi.nvml.NvmlReading;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/** NVML's figures as the engine's {@link GpuFigures}. */
final class NvmlTelemetry implements GpuTelemetry {
    private final Nvml nvml;

    NvmlTelemetry(Nvml nvml) {
        this.nvml = nvml;
    }

    @Override
    public Optional<String> unavailableReason() {
        return nvml.unavailableReason();
    }

    @Override
    public String summary() {
        return nvml.unavailableReason().map(why -> "not available (" + why + ")")
                .orElseGet(() -> "driver " + (nvml.driverVersion().isEmpty() ? "version unknown" : nvml.driverVersion())
                        + ", " + nvml.gpuCount() + (nvml.gpuCount() == 1 ? " GPU" : " GPUs")
                        + (nvml.notes().isEmpty() ? "" : " (" + String.join("; ", nvml.notes()) + ")"));
    }

    @Override
    public List<GpuFigures> read() {
        return nvml.read().stream().map(NvmlTelemetry::figures).toList();
    }

    private static GpuFigures figures(NvmlReading r) {
        SequencedMap<String, Boolean> reasons = new LinkedHashMap<>();
        if (r.clocksEventReasons() >= 0) {
            for (Map.Entry<Long, String> e : Nvml.CLOCKS_EVENT_REASONS.entrySet()) {
                reasons.put(e.getValue(), (r.clocksEventReasons() & e.getKey()) != 0);
            }
        }
        return new GpuFigures(r.index(), r.name(), r.decoderUtilization(), r.encoderUtilization(),
                r.gpuUtilization(), r.memoryUtilization(), r.memoryUsedBytes(), r.memoryTotalBytes(),
                r.temperatureCelsius(), r.powerWatts(), r.powerLimitWatts(), reasons, r.eccCorrectedErrors(),
                r.eccUncorrectedErrors(), r.problems());
    }

    @Override
    public void close() {
        nvml.close();
    }
}
