package io.vigil.kernels;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.cuda.NativeTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The clips of {@link StillRunContract}, made once per test run by the ffmpeg command line (skipped without it or
 * without libx264) and kept in a temporary folder: 4 s at 25 fps, 320x240 cut from one textured picture (a rendered
 * Mandelbrot set, softened and grained: smooth gradients and fine structure), coded by x264 at a broadcast-like
 * constant bit rate (250 kb/s, a 0.2 s buffer) with a keyframe every second, as channels carry a picture.
 */
final class StillRunClips {
    /** What the picture does. */
    enum Clip {
        /** Held still the whole time: the encoder codes it again at every keyframe. */
        HELD("crop=320:240:300:60", "yuv420p"),
        /** The same, 10-bit: 16-bit samples. */
        HELD_10BIT("crop=320:240:300:60", "yuv420p10le"),
        /** Panned 6 pixels a second. */
        SLOW_PAN("crop=320:240:x='300+6*t':y=60", "yuv420p"),
        /** Held, but for a 40x48 patch that moves a few pixels back and forth: a head that talks. */
        LOCAL_CHANGE("crop=320:240:300:60,split[a][b];[b]crop=40:48:140:90[f];"
                + "[a][f]overlay=x='140+6*sin(2*PI*t/3)':y='90+3*sin(2*PI*t/2)'", "yuv420p");

        final String filter;
        final String pixelFormat;

        Clip(String filter, String pixelFormat) {
            this.filter = filter;
            this.pixelFormat = pixelFormat;
        }
    }

    private static Path dir;

    private StillRunClips() {
    }

    /** The clip's decoded frames, in host memory; the caller closes them. */
    static List<VideoFrame> frames(Clip clip) {
        List<VideoFrame> frames = new ArrayList<>();
        try (MediaInput input = MediaInput.open(file(clip).toString(), DecodeOptions.DEFAULTS)) {
            input.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    VideoFrame kept = new VideoFrame();
                    kept.refFrom(frame);
                    frames.add(kept);
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
        return frames;
    }

    private static synchronized Path file(Clip clip) {
        String ffmpeg = NativeTools.program("ffmpeg", "/usr/bin/ffmpeg").map(Path::toString).orElse(null);
        assumeTrue(ffmpeg != null, "no ffmpeg command to make the clips");
        try {
            if (dir == null) {
                assumeTrue(NativeTools.run(List.of(ffmpeg, "-hide_banner", "-encoders")).output().contains("libx264"),
                        "this ffmpeg has no libx264");
                Path made = Files.createTempDirectory("vigil-still-run");
                made.toFile().deleteOnExit();
                Path still = made.resolve("still.png");
                NativeTools.runOk(List.of(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i",
                        "mandelbrot=size=960x540:start_scale=0.3", "-frames:v", "1", "-vf",
                        "gblur=sigma=1,noise=alls=4:allf=u", still.toString()));
                still.toFile().deleteOnExit();
                dir = made;
            }
            Path out = dir.resolve(clip + ".mkv");
            if (!Files.exists(out)) {
                NativeTools.runOk(List.of(ffmpeg, "-v", "error", "-y", "-loop", "1", "-framerate", "25", "-t", "4",
                        "-i", dir.resolve("still.png").toString(), "-filter_complex", "[0]" + clip.filter,
                        "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-keyint_min", "25", "-sc_threshold",
                        "0", "-b:v", "400k", "-maxrate", "400k", "-bufsize", "200k", "-pix_fmt", clip.pixelFormat,
                        out.toString()));
                out.toFile().deleteOnExit();
            }
            return out;
        } catch (UncheckedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
