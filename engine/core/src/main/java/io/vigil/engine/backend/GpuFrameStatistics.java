package io.vigil.engine.backend;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStatistics;
import io.vigil.kernels.Blockiness;
import io.vigil.kernels.Blur;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.Letterbox;
import io.vigil.kernels.LumaStats;
import io.vigil.kernels.VideoStatistics;

/**
 * One stream's statistics on the GPU: frames in CUDA memory go to the batcher and only their figures come back;
 * freeze's reference frame stays on the device, held by reference. Frames that a stream decodes on the CPU (NVDEC
 * refused it) take the CPU reference path, with the same definitions.
 */
final class GpuFrameStatistics implements FrameStatistics {
    private final StatsBatcher batcher;
    private final StatsRequest request;
    private final StatsBatcher.Request pending = new StatsBatcher.Request();
    private final VideoFrame reference = new VideoFrame();
    private final VideoStatistics cpu;
    private boolean sawDeviceFrames;

    GpuFrameStatistics(StatsBatcher batcher, StatsRequest request) {
        this.batcher = batcher;
        this.request = request;
        this.cpu = CpuBackend.cpuStatistics(request);
        pending.brng = request.brng();
        pending.blockiness = request.blockiness();
        pending.blur = request.blur();
        pending.colorBars = request.colorBars();
        pending.letterboxLimit = -1;
        batcher.register();
    }

    @Override
    public void compute(VideoFrame frame, FrameStats out) {
        if (!frame.onDevice()) {
            cpu.compute(frame, out);
            return;
        }
        sawDeviceFrames = true;
        VideoStatistics.fillCommon(frame, out);
        boolean comparable = request.difference() && reference.isFilled() && reference.width() == frame.width()
                && reference.height() == frame.height() && reference.layout().format() == frame.layout().format();
        int threshold = LumaStats.blackCodeValue(request.pixelThreshold(), frame.layout().bitDepth(), frame.fullRange());
        pending.letterboxLimit = request.letterbox()
                ? (int) Letterbox.limitCode((float) request.letterboxLimit(), frame.layout().bitDepth()) : -1;
        batcher.compute(pending, frame, comparable ? reference : null, threshold);
        if (request.luma()) {
            double count = (double) frame.width() * frame.height();
            out.darkFraction = pending.darkCount / count;
            out.lumaMean = pending.lumaSum / count;
            out.lumaMin = pending.lumaMin;
            out.lumaMax = pending.lumaMax;
        }
        if (request.letterbox()) {
            out.barTop = pending.barTop;
            out.barBottom = pending.barBottom;
            out.barLeft = pending.barLeft;
            out.barRight = pending.barRight;
        }
        if (request.blockiness()) {
            long[] b = pending.blockSums;
            out.blockiness = Blockiness.score(b[0], b[1], b[2], b[3], frame.layout().bitDepth());
        }
        if (request.blur()) {
            long[] b = pending.blurSums;
            out.blur = Blur.score(b[0], b[1], b[2]);
        }
        if (request.colorBars()) {
            long[] f = pending.flatSums;
            out.colorBars = pending.barsMatched / 7.0;
            out.flatShare = f[2] == 0 ? 0 : (double) f[0] / f[2];
            out.edgeShare = f[2] == 0 ? 0 : (double) f[1] / f[2];
        }
        if (request.brng()) {
            out.brngFraction = pending.brngCount / ((double) frame.width() * frame.height());
        }
        if (request.difference()) {
            if (comparable) {
                out.mafd = (double) pending.sad / pending.samples / (1L << frame.layout().bitDepth());
                out.referencePtsSeconds = reference.ptsSeconds();
            }
            if (!comparable || out.mafd > request.freezeNoise()) {
                reference.refFrom(frame);
            }
        }
    }

    @Override
    public String backend() {
        return sawDeviceFrames ? "gpu" : "cpu";
    }

    @Override
    public void close() {
        batcher.unregister();
        reference.close();
        cpu.close();
    }
}
