package io.vigil.engine;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticsRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** For tests that compare a statistic with FFmpeg's filter frame by frame: the statistic of every frame of a clip. */
public final class ClipStatistics {
    private ClipStatistics() {
    }

    /** Decodes {@code clip}, computes {@code request} on the Java reference engine, and keeps {@code figure} of each frame. */
    public static <T> List<T> perFrame(Path clip, StatisticsRequest request, Function<FrameStats, T> figure) {
        List<T> out = new ArrayList<>();
        FrameStats stats = new FrameStats();
        try (MediaInput in = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS);
             FrameStatistics statistics = CpuStatisticsEngine.reference().open(request)) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    statistics.compute(f, stats);
                    out.add(figure.apply(stats));
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
        return out;
    }
}
