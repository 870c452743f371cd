package io.vigil.engine.backend;

import io.vigil.ffi.Device;
import io.vigil.kernels.Blockiness;
import io.vigil.kernels.Blur;
import io.vigil.kernels.BroadcastRange;
import io.vigil.kernels.ColorBars;
import io.vigil.kernels.FrameDifference;
import io.vigil.kernels.FrameStatistics;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.LumaStats;
import io.vigil.kernels.VideoStatistics;

/** The CPU reference: statistics computed in place on decoded frames, on the stream's analysis thread. */
public final class CpuBackend implements StatisticsBackend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int cudaDevice() {
        return -1;
    }

    @Override
    public String description() {
        Device cpu = Device.cpu();
        return "CPU: " + cpu.name() + ", " + cpu.computeUnits() + " logical cores";
    }

    @Override
    public FrameStatistics open(StatsRequest request) {
        return cpuStatistics(request);
    }

    static VideoStatistics cpuStatistics(StatsRequest r) {
        return new VideoStatistics(r.luma() ? new LumaStats(r.pixelThreshold()) : null,
                r.difference() ? new FrameDifference(r.freezeNoise()) : null,
                r.brng() ? new BroadcastRange() : null,
                r.letterbox() ? new Letterbox(r.letterboxLimit()) : null,
                r.blockiness() ? new Blockiness() : null,
                r.colorBars() ? new ColorBars() : null,
                r.blur() ? new Blur() : null);
    }

    @Override
    public void close() {
        // nothing shared to free
    }
}
