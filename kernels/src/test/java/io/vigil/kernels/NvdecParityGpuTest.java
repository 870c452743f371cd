package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.ClipWriter;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.cuda.CudaStats;
import io.vigil.kernels.cuda.FrameResult;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU path end to end on a GPU host: an H.264 clip decoded by NVDEC into CUDA frames (NV12, on the primary
 * context CudaStats shares), described with {@link CudaStats#set(int, VideoFrame, VideoFrame, int)}, against the
 * same clip decoded by FFmpeg on the CPU (yuv420p) through LumaStats and BlockSad. H.264 decoding is bit-exact, and
 * NV12's interleaved chroma plane holds the same samples as yuv420p's two, so every integer must be equal. Blur and
 * ColorBars too (asked for with the frame's own layout, as the engine's StatsBatcher asks), on frames that show bars.
 */
class NvdecParityGpuTest {
    private static final int FRAMES = 24;

    /** dark, sum, min, max, sad, samples of one frame; Blur's sums; ColorBars' score and flatness counts. */
    private record Figures(long dark, long sum, long min, long max, long sad, long samples, List<Long> blur,
                           double bars, List<Long> flatness) {
    }

    @Test
    void nvdecFramesThroughCudaStatsEqualCpuFramesThroughTheCpuTwins(@TempDir Path dir) {
        Path clip = dir.resolve("parity.mkv");
        try (ClipWriter writer = ClipWriter.create(clip, 320, 240, 25, 8000, 1)) {
            assumeTrue(writer.videoEncoder().contains("264"), "needs an H.264 clip for bit-exact decoding, this FFmpeg"
                    + " encodes with " + writer.videoEncoder());
            for (int i = 0; i < FRAMES; i++) {
                writer.writeVideo(NvdecParityGpuTest::paint);
            }
        }

        List<Figures> cpu = new ArrayList<>();
        decode(clip, DecodeOptions.DEFAULTS, (frame, previous) -> {
            assertThat(frame.onDevice()).isFalse();
            cpu.add(cpuFigures(frame, previous));
        });
        assertThat(cpu).hasSize(FRAMES);
        assertThat(cpu.get(7).dark()).as("a black frame is all dark").isEqualTo(320 * 240);
        assertThat(cpu.get(13).sad()).as("a frozen frame against its twin (lossy: near 0)")
                .isLessThan(cpu.get(3).sad() / 10);
        assertThat(cpu.get(13).samples()).isEqualTo(320 * 240 * 3 / 2);
        assertThat(cpu.get(19).bars()).as("a frame of bars").isEqualTo(1.0);
        assertThat(cpu.get(3).blur().get(1)).as("the gradient's edges").isPositive();

        CudaDriver driver = GpuAvailability.driverOrSkip(); // the CPU half above runs everywhere

        List<Figures> gpu = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (CudaStats stats = CudaStats.open(driver, 0, 2)) {
            decode(clip, new DecodeOptions(0, Duration.ofSeconds(10), DecodeTarget.cuda(0)), (frame, previous) -> {
                if (!frame.onDevice()) {
                    notes.add("frame " + frame.index() + " decoded on the CPU");
                    return;
                }
                int threshold = LumaStats.blackCodeValue(0.10, frame.layout().bitDepth(), frame.fullRange());
                var layout = frame.layout();
                stats.set(0, frame, previous.isFilled() ? previous : null, threshold);
                stats.setBlur(0, layout.bitDepth());
                stats.setColorBars(0, layout.bitDepth(), layout.log2ChromaW(), layout.log2ChromaH(),
                        layout.chromaInterleaved());
                stats.set(1, frame, null, threshold); // the same frame in a second slot, without a reference
                stats.run(2);
                long[] blur = new long[3];
                long[] flat = new long[3];
                FrameResult first = stats.result(0);
                FrameResult second = stats.result(1);
                first.blurSums(blur);
                first.flatnessSums(flat);
                gpu.add(new Figures(first.darkCount(), first.lumaSum(), first.lumaMin(), first.lumaMax(),
                        first.sad(), first.samples(), List.of(blur[0], blur[1], blur[2]),
                        first.barsMatched() / 7.0, List.of(flat[0], flat[1], flat[2])));
                assertThat(new long[] {second.darkCount(), second.lumaSum(), second.sad(), second.samples()})
                        .containsExactly(first.darkCount(), first.lumaSum(), 0, 0);
                second.blurSums(blur);
                second.flatnessSums(flat);
                assertThat(blur).as("slot 1 asked for no blur").containsOnly(0);
                assertThat(flat).as("slot 1 asked for no flatness").containsOnly(0);
                assertThat(second.barsMatched()).isZero();
            });
        }
        if (!notes.isEmpty()) {
            abort("NVDEC did not decode the clip here (" + notes.getFirst() + "), so there are no device frames");
        }
        assertThat(gpu).hasSize(FRAMES).isEqualTo(cpu);
        assertThat(gpu.subList(1, FRAMES)).as("frames that differ from their reference").anyMatch(f -> f.sad() > 0);
    }

    /** BT.601 Y, Cb, Cr of 75% bars, white to blue. */
    private static final int[][] BARS = {{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
        {84, 184, 198}, {65, 100, 212}, {35, 212, 114}};

    /**
     * A moving gradient, a black stretch, a frozen stretch and bars (frames 18 to 20: seven bars over the upper two
     * thirds, black below), so that every statistic takes several values.
     */
    private static void paint(long index, MemorySegment y, int yStride, MemorySegment u, MemorySegment v,
                              int chromaStride) {
        long shown = index >= 12 && index < 16 ? 12 : index; // frozen
        for (int row = 0; row < 240; row++) {
            for (int x = 0; x < 320; x++) {
                int value = index >= 6 && index < 9 ? 16 : (int) ((x + 3 * row + 7 * shown) % 220) + 16;
                if (index >= 18 && index < 21) {
                    value = row < 160 ? BARS[x * 7 / 320][0] : 16;
                }
                y.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) row * yStride + x, (byte) value);
            }
        }
        for (int row = 0; row < 120; row++) {
            for (int x = 0; x < 160; x++) {
                int cb = 64 + x % 128;
                int cr = 200 - (int) ((row + shown) % 128);
                if (index >= 18 && index < 21) {
                    cb = row < 80 ? BARS[x * 7 / 160][1] : 128;
                    cr = row < 80 ? BARS[x * 7 / 160][2] : 128;
                }
                u.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) row * chromaStride + x, (byte) cb);
                v.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) row * chromaStride + x, (byte) cr);
            }
        }
    }

    private static void decode(Path clip, DecodeOptions options, BiConsumer<VideoFrame, VideoFrame> each) {
        try (MediaInput input = MediaInput.open(clip.toString(), options); VideoFrame previous = new VideoFrame()) {
            input.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    each.accept(frame, previous);
                    previous.refFrom(frame);
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
    }

    private static Figures cpuFigures(VideoFrame frame, VideoFrame previous) {
        int threshold = LumaStats.blackCodeValue(0.10, frame.layout().bitDepth(), frame.fullRange());
        FrameStats out = new FrameStats();
        LumaStats.compute8(frame.plane(0), frame.linesize(0), frame.width(), frame.height(), threshold, out);
        long count = (long) frame.width() * frame.height();
        long sad = 0;
        long samples = 0;
        if (previous.isFilled()) {
            for (int p = 0; p < frame.layout().planes(); p++) {
                sad += BlockSad.sad8(frame.plane(p), frame.linesize(p), previous.plane(p),
                        previous.linesize(p), frame.planeWidth(p), frame.planeHeight(p));
                samples += (long) frame.planeWidth(p) * frame.planeHeight(p);
            }
        }
        long[] blur = new Blur(Loops.JAVA).sums(frame);
        new ColorBars(Loops.JAVA).compute(frame, out);
        long[] flat = new long[3];
        ColorBars.flatnessJava(frame.plane(0), frame.linesize(0), frame.width(), frame.height(),
                frame.layout().bytesPerSample(), frame.layout().shift(), frame.layout().bitDepth(), flat);
        return new Figures(Math.round(out.darkFraction * count), Math.round(out.lumaMean * count), out.lumaMin,
                out.lumaMax, sad, samples, List.of(blur[0], blur[1], blur[2]), out.colorBars,
                List.of(flat[0], flat[1], flat[2]));
    }
}
