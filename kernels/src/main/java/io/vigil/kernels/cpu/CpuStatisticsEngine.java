package io.vigil.kernels.cpu;

import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.Device;
import io.vigil.ffi.VigilPixels;
import io.vigil.kernels.Loops;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsRequest;

/**
 * Statistics computed in place on frames decoded into host memory, on each stream's analysis thread, by the Java
 * loops or libvigilpixels' C passes. Holds nothing shared: one instance per choice of loops serves every stream.
 */
public final class CpuStatisticsEngine implements StatisticsEngine {
    private static final CpuStatisticsEngine JAVA = new CpuStatisticsEngine(Loops.JAVA);

    private final Loops loops;

    private CpuStatisticsEngine(Loops loops) {
        this.loops = loops;
    }

    /** The Java reference: always there, no native code but FFmpeg's; for callers that want no choice made. */
    public static CpuStatisticsEngine reference() {
        return JAVA;
    }

    /**
     * The engine whose per-plane loops are {@code loops}, for a caller that must have those (a benchmark); throws
     * when the C loops cannot run here. Everyone else asks {@link io.vigil.kernels.engine.Engines#select}.
     */
    public static CpuStatisticsEngine of(Loops loops) {
        if (loops == Loops.JAVA) {
            return JAVA;
        }
        if (!VigilPixels.loaded()) {
            throw new IllegalStateException("the C loops cannot run: " + VigilPixels.unavailableReason().orElseThrow());
        }
        return new CpuStatisticsEngine(loops);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        Device cpu = Device.cpu();
        return "CPU: " + cpu.name() + ", " + cpu.computeUnits() + " logical cores, "
                + (loops == Loops.C ? "C loops (" + VigilPixels.describe() + ")" : "Java loops");
    }

    @Override
    public DecodeTarget decodeTarget() {
        return DecodeTarget.HOST;
    }

    @Override
    public FrameStatistics open(StatisticsRequest request) {
        return VideoStatistics.open(request, loops);
    }

    @Override
    public void close() {
        // nothing shared to free
    }
}
