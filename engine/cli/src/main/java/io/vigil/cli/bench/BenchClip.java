package io.vigil.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The bench's clip, made once by an ffmpeg program: {@value #SECONDS} s of a moving test picture with temporal noise
 * (so that the decoder and the statistics work as on programme, not on a still), kept within broadcast range, and a
 * stereo tone at about -23 LUFS, so that no detector has anything to say about it; in MPEG-TS at a
 * constant mux rate, the video at the bit rate a broadcaster would give it and a keyframe every second, the sound in
 * MPEG-1 Layer II as DVB carries it. Twelve seconds hold whole frames of both at every usual rate (1152-sample audio
 * frames at 48 kHz), so that the clip loops seamlessly ({@link TsLoop}).
 */
final class BenchClip {
    static final int SECONDS = 12;
    private static final long MAKE_TIMEOUT_SECONDS = 600;

    private BenchClip() {
    }

    /**
     * Makes the clip for {@code spec} in {@code dir} with {@code ffmpeg}, using the first encoder for the codec that
     * this ffmpeg has. Throws {@link IllegalStateException} with one sentence when it has none or fails.
     */
    static Path make(Path ffmpeg, ClipSpec spec, Path dir) {
        String encoder = encoder(ffmpeg, spec.codec());
        long video = spec.videoBitsPerSecond();
        long audio = 192_000;
        // Room above the video's cap for audio, tables and the TS and PES headers.
        long muxRate = Math.round(video * 1.25) + audio + 200_000;
        Path clip = dir.resolve("bench-" + spec.size() + "-" + spec.codec() + "-" + spec.fps() + ".ts");
        List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", String.format(Locale.ROOT, "testsrc2=s=%s:r=%d:d=%d", spec.size(),
                        spec.fps(), SECONDS),
                "-f", "lavfi", "-i", "aevalsrc=0.07*sin(2*PI*440*t)+0.01*(2*random(0)-1)|"
                        + "0.07*sin(2*PI*554*t)+0.01*(2*random(1)-1):s=48000:c=stereo:d=" + SECONDS,
                "-vf", "format=yuv420p,noise=alls=6:allf=t,limiter=min=16:max=235", "-pix_fmt", "yuv420p", "-c:v", encoder));
        cmd.addAll(encoderOptions(encoder, video));
        cmd.addAll(List.of("-g", Integer.toString(spec.fps()), "-c:a", "mp2", "-b:a", Long.toString(audio),
                // PAT and PMT before every picture, and each audio frame its own PES: a receiver can join at any
                // keyframe with the sound that goes with it (TsLoop#joinPointAt).
                "-f", "mpegts", "-mpegts_flags", "+pat_pmt_at_frames", "-pes_payload_size", "0",
                "-muxrate", Long.toString(muxRate), clip.toString()));
        Path log = dir.resolve("ffmpeg.log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(MAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ffmpeg took over " + MAKE_TIMEOUT_SECONDS + " s to make the clip");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(clip) || Files.size(clip) == 0) {
                throw new IllegalStateException("ffmpeg (" + ffmpeg + ", encoder " + encoder + ") could not make the"
                        + " clip: " + lastLine(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + ffmpeg + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the clip", e);
        }
        return clip;
    }

    /** The first encoder this ffmpeg has for {@code codec}: software first, then NVENC (a GPU host's bundled ffmpeg). */
    static String encoder(Path ffmpeg, String codec) {
        List<String> candidates = switch (codec) {
            case "hevc" -> List.of("libx265", "hevc_nvenc");
            case "mpeg2" -> List.of("mpeg2video");
            default -> List.of("libx264", "libopenh264", "h264_nvenc");
        };
        String listed = run(ffmpeg, "-hide_banner", "-encoders");
        for (String c : candidates) {
            if (listed.contains(" " + c + " ")) {
                return c;
            }
        }
        throw new IllegalStateException(ffmpeg + " has no encoder for " + codec + " (tried " + String.join(", ",
                candidates) + ")");
    }

    private static List<String> encoderOptions(String encoder, long bitsPerSecond) {
        String rate = Long.toString(bitsPerSecond);
        // A one-second buffer caps each second near the rate, so that the constant mux rate always has room.
        List<String> capped = List.of("-b:v", rate, "-maxrate", rate, "-bufsize", rate);
        List<String> options = new ArrayList<>(switch (encoder) {
            case "libx264" -> List.of("-preset", "veryfast");
            case "libx265" -> List.of("-preset", "ultrafast", "-x265-params", "log-level=error");
            case "h264_nvenc", "hevc_nvenc" -> List.of("-preset", "p1");
            case "mpeg2video" -> List.of("-bf", "2");
            default -> List.<String>of();
        });
        options.addAll(capped);
        return options;
    }

    private static String run(Path ffmpeg, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffmpeg.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + ffmpeg + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "no message" : lines.getLast();
        } catch (IOException e) {
            return "no message";
        }
    }
}
