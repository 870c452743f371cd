package io.vigil.engine.pipeline;

import io.vigil.ffi.FfmpegProgram;
import io.vigil.ffi.HostProbe;
import io.vigil.ffi.NvdecCodecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What this host offers the pipeline, for {@code vigil doctor}: the runtime, the FFmpeg build, the GPUs, NVDEC and
 * the GPUs' own telemetry (NVML); and the ffmpeg program that makes the bench's clips.
 */
public final class DecodingHost {
    private DecodingHost() {
    }

    /** One line per fact, for people; never throws (what is missing is said in its line). */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>(HostProbe.probe().lines());
        lines.add("NVDEC:    FFmpeg decodes these codecs into CUDA memory: " + String.join(", ", NvdecCodecs.names())
                + " (a stream whose profile or size NVDEC refuses is decoded on the CPU, and analyze says so)");
        try (GpuTelemetry gpus = GpuTelemetry.open()) {
            lines.addAll(telemetryLines(gpus));
        }
        return lines;
    }

    /** NVML in one line (its driver and GPU count, or why it is not available), then one line per GPU. */
    static List<String> telemetryLines(GpuTelemetry gpus) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-10s%s", "NVML:", gpus.summary()));
        for (GpuFigures gpu : gpus.read()) {
            lines.add(String.format(Locale.ROOT, "%-10s%s", "NVML " + gpu.index() + ":", gpu.describe()));
        }
        return lines;
    }

    /**
     * The ffmpeg program that makes test media: the one on the PATH, else the one in vigil's FFmpeg jar; empty when
     * neither can run.
     */
    public static Optional<Path> ffmpegProgram() {
        return FfmpegProgram.find();
    }
}
