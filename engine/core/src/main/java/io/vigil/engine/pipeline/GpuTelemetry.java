package io.vigil.engine.pipeline;

import io.vigil.ffi.nvml.Nvml;
import java.util.List;
import java.util.Optional;

/**
 * The GPUs' own telemetry, read on demand: NVDEC's load (what limits how many streams a GPU host decodes), SMs,
 * memory, temperature, power, throttling and ECC errors. {@link #open} reads it through NVML; where NVML is absent it
 * says why in one line and reads nothing. The server takes this interface (tests hand it made-up figures) and never
 * sees NVML itself.
 */
public interface GpuTelemetry extends AutoCloseable {
    /** Why there are no figures here, in one line; empty when the GPUs can be read. */
    Optional<String> unavailableReason();

    /** What reads the GPUs, in one line: the driver's version and how many GPUs, or "not available (why)". */
    String summary();

    /** Every GPU's figures now; empty when unavailable. Never throws. */
    List<GpuFigures> read();

    /** Lets go of what reading took (NVML's shutdown); later reads return nothing. */
    @Override
    void close();

    /** This host's GPUs through NVML (libnvidia-ml.so.1). Never throws; the caller closes it. */
    static GpuTelemetry open() {
        return new NvmlTelemetry(Nvml.open());
    }

    /** NVML from {@code library} (a path: tests bind a stand-in). */
    static GpuTelemetry open(String library) {
        return new NvmlTelemetry(Nvml.open(library));
    }
}
