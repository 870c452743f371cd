package io.vigil.cli.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The seed inputs: one short clip (about a second, tiny pictures) per container and codec, made with ffmpeg into a
 * folder where they are kept for the next run; plus an empty file and random bytes. A seed whose encoder this
 * ffmpeg lacks is left out, with a line on stderr.
 */
final class Seeds {
    /** A seed: its file name (the extension is the format's), the container it is counted under, ffmpeg's args. */
    record Seed(String file, String container, List<String> ffmpegArgs) {
    }

    private static final String V = "testsrc2=s=64x48:r=25:d=1";
    private static final String A48 = "sine=f=440:r=48000:d=1";
    private static final String A44 = "sine=f=440:r=44100:d=1";
    private static final String X264 = "libx264 -preset ultrafast -pix_fmt yuv420p";
    private static final String X265 = "libx265 -preset ultrafast -x265-params log-level=none -pix_fmt yuv420p";

    /** Every seed; the first of each container is the one {@link #SMOKE} takes. */
    static final List<Seed> ALL = List.of(
            av("h264-aac.mp4", "mp4", V, A48, "-c:v " + X264 + " -c:a aac"),
            av("mpeg4-mp3.mp4", "mp4", V, A44, "-c:v mpeg4 -c:a libmp3lame"),
            av("hevc-aac.mov", "mov", V, A48, "-c:v " + X265 + " -c:a aac"),
            av("prores-pcm.mov", "mov", V, A48, "-c:v prores -c:a pcm_s16le"),
            av("h263-aac.3gp", "3gp", "testsrc2=s=176x144:r=25:d=1", A48, "-c:v h263 -c:a aac -ar 16000 -ac 1"),
            av("h264-opus.mkv", "mkv", V, A48, "-c:v " + X264 + " -c:a libopus"),
            av("ffv1-flac.mkv", "mkv", V, A48, "-c:v ffv1 -c:a flac"),
            av("mpeg4-aac.mkv", "mkv", V, A48, "-c:v mpeg4 -c:a aac"),
            av("vp9-opus.webm", "webm", V, A48, "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -c:a libopus"),
            av("vp8-vorbis.webm", "webm", V, A48, "-c:v libvpx -deadline realtime -c:a libvorbis"),
            av("av1-opus.webm", "webm", "testsrc2=s=64x64:r=25:d=1", A48, "-c:v libsvtav1 -preset 12 -c:a libopus"),
            av("h264-mp2.ts", "ts", V, A48, "-c:v " + X264 + " -c:a mp2"),
            av("mpeg2-mp2.ts", "ts", V, A48, "-c:v mpeg2video -c:a mp2"),
            av("hevc-aac.ts", "ts", V, A48, "-c:v " + X265 + " -c:a aac"),
            av("h264-ac3.m2ts", "ts", V, A48, "-c:v " + X264 + " -c:a ac3 -f mpegts"),
            av("h264-aac.flv", "flv", V, A44, "-c:v " + X264 + " -c:a aac"),
            av("flv1-mp3.flv", "flv", V, A44, "-c:v flv -c:a libmp3lame"),
            av("mpeg4-mp3.avi", "avi", V, A44, "-c:v mpeg4 -c:a libmp3lame"),
            av("mjpeg-pcm.avi", "avi", V, A48, "-c:v mjpeg -pix_fmt yuvj420p -c:a pcm_s16le"),
            av("huffyuv-pcm.avi", "avi", V, A48, "-c:v huffyuv -c:a pcm_u8"),
            av("msmpeg4-wma.asf", "asf", V, A44, "-c:v msmpeg4 -c:a wmav2"),
            av("wmv2-wma.wmv", "asf", V, A44, "-c:v wmv2 -c:a wmav2"),
            av("ffv1-pcm.nut", "nut", V, A48, "-c:v ffv1 -c:a pcm_s16le"),
            av("mpeg2-pcm.mxf", "mxf", "testsrc2=s=720x576:r=25:d=0.2", "sine=f=440:r=48000:d=0.2",
                    "-c:v mpeg2video -pix_fmt yuv422p -c:a pcm_s16le"),
            av("dv.dv", "dv", "testsrc2=s=720x576:r=25:d=0.12", "sine=f=440:r=48000:d=0.12",
                    "-c:v dvvideo -pix_fmt yuv420p -c:a pcm_s16le -ac 2"),
            av("theora-vorbis.ogv", "ogg", V, A48, "-c:v libtheora -c:a libvorbis"),
            av("mpeg1-mp2.mpg", "mpeg-ps", V, A44, "-c:v mpeg1video -c:a mp2 -f mpeg"),
            video("y4m.y4m", "y4m", V, "-pix_fmt yuv420p"),
            audio("pcm.wav", "wav", A48, "-c:a pcm_s16le"),
            audio("float.wav", "wav", A48, "-c:a pcm_f32le"),
            audio("mp3.mp3", "mp3", A44, "-c:a libmp3lame"),
            audio("aac.aac", "aac", A48, "-c:a aac"),
            audio("aac.m4a", "aac", A48, "-c:a aac"),
            audio("flac.flac", "flac", A48, "-c:a flac"),
            audio("opus.opus", "opus", A48, "-c:a libopus"),
            audio("vorbis.ogg", "ogg", A48, "-c:a libvorbis"),
            audio("ac3.ac3", "ac3", A48, "-c:a ac3"),
            audio("aiff.aiff", "aiff", A48, ""),
            video("png.png", "image", "testsrc2=s=64x48", "-frames:v 1 -update 1"),
            video("jpeg.jpg", "image", "testsrc2=s=64x48", "-frames:v 1 -update 1"),
            video("gif.gif", "image", V, "-pix_fmt rgb8"),
            video("webp.webp", "image", V, "-c:v libwebp"),
            video("raw.h264", "raw-es", V, "-c:v " + X264 + " -f h264"),
            video("raw.hevc", "raw-es", V, "-c:v " + X265 + " -f hevc"),
            video("raw.m2v", "raw-es", V, "-c:v mpeg2video -f mpeg2video"),
            video("raw.m4v", "raw-es", V, "-c:v mpeg4 -f m4v"),
            video("raw.ivf", "raw-es", V, "-c:v libvpx -deadline realtime -f ivf"),
            video("raw.obu", "raw-es", "testsrc2=s=64x64:r=25:d=1", "-c:v libaom-av1 -cpu-used 8 -f obu"),
            // Edge cases: 2x2 pictures, 7.1 sound at 8 kHz, 1000 fps; and two that broke an analysis in issue 12
            // (a 2 MHz sample rate, a picture 66,000 wide: the per-stream fault boundary's to handle).
            video("tiny.nut", "edge", "testsrc2=s=2x2:r=25:d=1", "-c:v ffv1"),
            audio("surround.wav", "edge", "sine=f=440:r=8000:d=1",
                    "-af pan=7.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0|c6=c0|c7=c0 -c:a pcm_s16le"),
            video("fast.nut", "edge", "testsrc2=s=64x48:r=1000:d=0.2", "-c:v ffv1"),
            audio("hirate.wav", "edge", "sine=f=440:r=2000000:d=0.2", "-c:a pcm_s16le"),
            video("wide.png", "edge", "color=c=gray:s=66000x16:r=1:d=1", "-frames:v 1 -update 1"),
            new Seed("empty.bin", "none", List.of()),
            new Seed("random.bin", "none", List.of()));

    /** One seed per container (the first listed), for the short run in CI. */
    static final List<Seed> SMOKE = ALL.stream()
            .filter(s -> ALL.stream().filter(o -> o.container().equals(s.container())).findFirst().orElseThrow() == s)
            .toList();

    private Seeds() {
    }

    private static Seed av(String file, String container, String video, String audio, String codecs) {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio));
        args.addAll(split(codecs));
        return new Seed(file, container, args);
    }

    private static Seed video(String file, String container, String video, String codecs) {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", video));
        args.addAll(split(codecs));
        return new Seed(file, container, args);
    }

    private static Seed audio(String file, String container, String audio, String codecs) {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", audio));
        args.addAll(split(codecs));
        return new Seed(file, container, args);
    }

    private static List<String> split(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
    }

    /** A seed made (or found made) in a folder. */
    record Made(Seed seed, Path path) {
    }

    /** Makes the seeds missing from {@code dir}; returns those there are. */
    static List<Made> make(Path dir, List<Seed> seeds) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Made> made = new ArrayList<>();
        for (Seed s : seeds) {
            Path path = dir.resolve(s.file());
            if (!Files.isRegularFile(path)) {
                if (!create(s, path)) {
                    continue;
                }
            }
            made.add(new Made(s, path));
        }
        return made;
    }

    private static boolean create(Seed s, Path path) throws IOException, InterruptedException {
        // Made under a temporary name with the same extension (ffmpeg picks the muxer by it), then moved in place.
        Path part = path.resolveSibling("making-" + s.file());
        switch (s.file()) {
            case "empty.bin" -> Files.write(part, new byte[0]);
            case "random.bin" -> {
                byte[] noise = new byte[4096];
                new Random(4096).nextBytes(noise);
                Files.write(part, noise);
            }
            default -> {
                List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                        "-y"));
                cmd.addAll(s.ffmpegArgs());
                cmd.add(part.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(path.resolveSibling(s.file() + ".log").toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(part)
                        || Files.size(part) == 0) {
                    p.destroyForcibly();
                    System.err.println("fuzz: seed " + s.file() + " could not be made (this ffmpeg lacks an encoder?);"
                            + " see " + path.resolveSibling(s.file() + ".log"));
                    Files.deleteIfExists(part);
                    return false;
                }
            }
        }
        Files.move(part, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return true;
    }
}
