package io.vigil.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.picture.PictureMatching;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.Engines;
import io.vigil.kernels.engine.StatisticsEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictures and clips for the logo and card checks, made with the ffmpeg command line: a logo (white text and a ring
 * on a transparent field, as a logo inserter keys it), cards (a no-signal screen, a technical-difficulties card, a
 * colour-field fallback slate), and natural backgrounds from Debian's mate-backgrounds photographs, panned so that
 * every checked frame differs. Skipped without ffmpeg, libx264 or the photographs.
 */
public final class PictureClips {
    public static final String PHOTO_DIR = "/usr/share/backgrounds/mate/nature";
    public static final String FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    /** The photographs, one per clean clip: foliage, sand, water, wood, sky. */
    public static final List<String> PHOTOS = List.of("GreenMeadow.jpg", "Dune.jpg", "Aqua.jpg", "Wood.jpg",
            "Storm.jpg", "LadyBird.jpg", "Garden.jpg", "RainDrops.jpg");

    private PictureClips() {
    }

    /** Runs ffmpeg with {@code args}; fails with its output when it fails. */
    public static void ffmpeg(List<String> args) {
        try {
            Ffmpeg.run(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Skips the test without the photographs or the font. */
    public static void assumePictures() {
        assumeTrue(Files.isDirectory(Path.of(PHOTO_DIR)), "Debian's mate-backgrounds photographs (" + PHOTO_DIR
                + ") are not installed: apt-get install --no-install-recommends mate-backgrounds");
        assumeTrue(Files.isRegularFile(Path.of(FONT)), "no DejaVu font at " + FONT);
    }

    /** The logo, 240x100 RGBA with alpha, drawn for a 1280-wide picture. */
    public static Path logo(Path dir) {
        Path logo = dir.resolve("logo.png");
        if (!Files.exists(logo)) {
            ffmpeg(List.of("-f", "lavfi", "-i", "color=c=black@0.0:s=240x100,format=rgba", "-vf",
                    "drawbox=x=4:y=8:w=84:h=84:color=white@1:t=10,"
                            + "drawtext=fontfile=" + FONT + ":text='V9':fontsize=76:fontcolor=white@1:x=100:y=14,"
                            + "drawbox=x=30:y=34:w=32:h=32:color=0xffcc00@1:t=fill",
                    "-frames:v", "1", logo.toString()));
        }
        return logo;
    }

    /** The cards, each 1920x1080 (the no-signal screen 4:3, 1440x1080), as their makers ship them. */
    public static List<Path> cards(Path dir) {
        List<Path> cards = List.of(dir.resolve("no-signal.png"), dir.resolve("technical-difficulties.png"),
                dir.resolve("fallback.png"));
        if (!Files.exists(cards.get(2))) {
            ffmpeg(List.of("-f", "lavfi", "-i", "color=c=0x1030a0:s=1440x1080", "-vf",
                    "drawtext=fontfile=" + FONT + ":text='NO SIGNAL':fontsize=150:fontcolor=white:x=(w-tw)/2:y=380,"
                            + "drawtext=fontfile=" + FONT + ":text='Input 1  SDI':fontsize=70:fontcolor=0xd0d0d0"
                            + ":x=(w-tw)/2:y=640",
                    "-frames:v", "1", cards.get(0).toString()));
            ffmpeg(List.of("-f", "lavfi", "-i", "nullsrc=s=1920x1080,geq=lum='60+X/20':cb=150:cr=110", "-vf",
                    "drawbox=x=160:y=300:w=1600:h=480:color=white:t=12,"
                            + "drawtext=fontfile=" + FONT + ":text='We are experiencing':fontsize=90:fontcolor=white"
                            + ":x=(w-tw)/2:y=380,"
                            + "drawtext=fontfile=" + FONT + ":text='technical difficulties':fontsize=90"
                            + ":fontcolor=white:x=(w-tw)/2:y=560",
                    "-frames:v", "1", cards.get(1).toString()));
            ffmpeg(List.of("-f", "lavfi", "-i", "color=c=0x303030:s=1920x1080", "-vf",
                    "drawbox=x=0:y=0:w=640:h=1080:color=0xa02020:t=fill,"
                            + "drawbox=x=1280:y=0:w=640:h=1080:color=0x20a020:t=fill,"
                            + "drawtext=fontfile=" + FONT + ":text='ENC-07 FALLBACK':fontsize=80:fontcolor=white"
                            + ":x=(w-tw)/2:y=900",
                    "-frames:v", "1", cards.get(2).toString()));
        }
        return cards;
    }

    /** A photograph panned slowly across a 1280x720 picture at 25 fps for {@code seconds}, as a filter graph input. */
    public static List<String> pannedPhoto(String photo, double seconds) {
        return List.of("-loop", "1", "-framerate", "25", "-t", Double.toString(seconds), "-i",
                PHOTO_DIR + "/" + photo);
    }

    /** The filter that pans input {@code in} into a 1280x720 picture labelled {@code out}. */
    public static String pan(String in, String out) {
        return "[" + in + "]scale=1600:-2,crop=1280:720:x='min(300,t*30)':y='min(200,t*12)',setsar=1,format=yuv420p["
                + out + "]";
    }

    /** An engine that makes small pictures on the CPU, as the analysis does without a GPU. */
    public static StatisticsEngine cpuEngine() {
        return Engines.select(new EngineOptions(BackendChoice.CPU, 0, 128, Duration.ofMillis(10))).engine();
    }

    /** What one check of a clip found. */
    public record Check(double seconds, double logoScore, double cardScore, int card) {
    }

    /** Runs {@code matching} over every frame of {@code clip}; returns the checks it made. */
    public static List<Check> checks(Path clip, PictureMatching matching) {
        List<Check> checks = new ArrayList<>();
        FrameStats stats = new FrameStats();
        try (MediaInput input = MediaInput.open(clip.toString(), DecodeOptions.DEFAULTS)) {
            input.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    stats.begin(frame);
                    matching.compute(frame, stats);
                    if (!Double.isNaN(stats.logoScore) || !Double.isNaN(stats.cardScore)) {
                        checks.add(new Check(stats.ptsSeconds, stats.logoScore, stats.cardScore, stats.cardIndex));
                    }
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
        return checks;
    }
}
