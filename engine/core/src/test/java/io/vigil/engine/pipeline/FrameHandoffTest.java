package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Ffmpeg;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live input drops frames only when the analysis is what holds it back: an analysis slower than the source loses
 * frames (so alarms stay timely), a source that is itself late and delivers in bursts loses none.
 */
class FrameHandoffTest {
    @TempDir
    static Path dir;
    static Path clip;
    static final int FPS = 50;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("live.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=" + FPS + ":d=4", "-an", "-c:v", "libx264",
                "-preset", "ultrafast", clip.toString()));
    }

    /**
     * Feeds the clip to a live handoff as a source would: each frame when the wall clock reaches its time divided by
     * {@code speed}, in bursts of {@code burst} frames; the analysis spends {@code analysisMillis} on each frame.
     */
    static long dropped(double speed, int burst, long analysisMillis, AtomicLong analysed) throws Exception {
        MediaSink analysis = new MediaSink() {
            @Override
            public void onVideo(VideoFrame frame) {
                analysed.incrementAndGet();
                if (analysisMillis > 0) {
                    sleepMillis(analysisMillis);
                }
            }

            @Override
            public void onAudio(AudioBlock block) {
            }
        };
        try (FrameHandoff handoff = new FrameHandoff(analysis, "test", true);
             MediaInput in = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS)) {
            long start = System.nanoTime();
            in.readAll(new MediaSink() {
                long index;

                @Override
                public void onVideo(VideoFrame frame) {
                    if (index++ % burst == 0) {
                        // A burst arrives when the source has its last frame ready.
                        double dueSeconds = (frame.ptsSeconds() + (double) (burst - 1) / FPS) / speed;
                        long waitMillis = Math.round(dueSeconds * 1000 - (System.nanoTime() - start) / 1e6);
                        if (waitMillis > 0) {
                            sleepMillis(waitMillis);
                        }
                    }
                    handoff.onVideo(frame);
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
            handoff.drain();
            return handoff.droppedFrames();
        }
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anAnalysisSlowerThanTheSourceDropsFrames() throws Exception {
        AtomicLong analysed = new AtomicLong();
        // 50 frames a second arrive, the analysis manages 25.
        long dropped = dropped(1.0, 1, 40, analysed);
        assertThat(dropped).as("dropped of %d", 4 * FPS).isGreaterThan(FPS / 2);
        assertThat(dropped + analysed.get()).isEqualTo(4L * FPS);
    }

    @Test
    void aLateSourceDeliveringInBurstsLosesNothing() throws Exception {
        AtomicLong analysed = new AtomicLong();
        // Half real time, a second of frames at a time (as an HLS segment arrives), analysis at 500 fps: the
        // source falls 2 s behind real time, yet the analysis keeps up with every burst.
        long dropped = dropped(0.5, FPS, 2, analysed);
        assertThat(dropped).isZero();
        assertThat(analysed.get()).isEqualTo(4L * FPS);
    }
}
