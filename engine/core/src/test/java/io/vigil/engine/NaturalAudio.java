package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Natural audio for the audio detectors' tests, made in the test's directory (never committed): music from Debian's
 * asc-music package (three MP3 tracks of game music, 22 kHz stereo), speech from espeak-ng, and music-like content
 * that ffmpeg makes alone. Everything comes out as 48 kHz stereo 16-bit PCM at -23 LUFS integrated, as a
 * broadcaster delivers it. A test that needs a package that is missing is skipped, saying which.
 */
public final class NaturalAudio {
    /** Where asc-music puts its tracks. */
    static final Path MUSIC = Path.of("/usr/share/games/asc/music");
    static final List<String> TRACKS = List.of("frontiers.mp3", "machine_wars.mp3", "time_to_strike.mp3");
    private static final Pattern INTEGRATED = Pattern.compile("I:\\s+(-?[\\d.]+) LUFS");

    private NaturalAudio() {
    }

    /** Skips the calling test unless asc-music's tracks are installed. */
    public static void assumeMusic() {
        Assumptions.assumeTrue(TRACKS.stream().allMatch(t -> Files.isReadable(MUSIC.resolve(t))),
                "natural music missing: apt-get install --no-install-recommends asc-music (" + MUSIC + ")");
    }

    /** Skips the calling test unless espeak-ng runs. */
    public static void assumeSpeech() {
        boolean runs;
        try {
            Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            runs = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            runs = false;
        }
        Assumptions.assumeTrue(runs, "natural speech missing: apt-get install --no-install-recommends espeak-ng");
    }

    /**
     * {@code seconds} of asc-music track {@code track} (0..2) from {@code fromSeconds}, at -23 LUFS, then through
     * {@code filter} (an FFmpeg audio filter chain, or null) at that level: a gain error, a quiet passage.
     */
    public static Path music(Path dir, String name, int track, double fromSeconds, double seconds, String filter)
            throws IOException, InterruptedException {
        assumeMusic();
        Path raw = dir.resolve(name + "-raw.wav");
        Ffmpeg.run(List.of("-ss", Double.toString(fromSeconds), "-t", Double.toString(seconds), "-i",
                MUSIC.resolve(TRACKS.get(track)).toString(), "-af", "aresample=48000", "-ac", "2", "-c:a", "pcm_s24le",
                raw.toString()));
        return normalised(raw, dir.resolve(name + ".wav"), filter);
    }

    /**
     * Sentences of espeak-ng speech with pauses of 0.7 to 1.6 s between them (espeak-ng's own 0.4 s of silence after
     * each, and 0.3 to 1.2 s more: a newsreader's pauses, shorter than silence's 2 s), about {@code seconds} long,
     * at -23 LUFS, then through {@code filter} (or null).
     */
    public static Path speech(Path dir, String name, double seconds, String filter)
            throws IOException, InterruptedException {
        assumeSpeech();
        String[] sentences = {
            "Good evening, and welcome to the news at six.",
            "The council met this afternoon to discuss the new bridge over the river.",
            "Work is expected to begin in the spring, and to last for two years.",
            "In sport, the home side won by three goals to one.",
            "And now the weather. A cold night, with frost in sheltered places.",
            "Tomorrow will be bright and dry, with sunny spells in the south."};
        List<String> args = new ArrayList<>();
        StringBuilder graph = new StringBuilder();
        int inputs = 0;
        double total = 0;
        for (int i = 0; total < seconds; i++) {
            Path wav = dir.resolve(name + "-s" + i + ".wav");
            run(List.of("espeak-ng", "-v", i % 2 == 0 ? "en" : "en-us", "-s", "150", "-w", wav.toString(),
                    sentences[i % sentences.length]));
            double pause = 0.3 + 0.3 * (i % 4);
            args.addAll(List.of("-i", wav.toString()));
            graph.append('[').append(inputs).append(":a]aresample=48000,apad=pad_dur=").append(pause).append("[p")
                    .append(inputs).append("];");
            inputs++;
            total += duration(wav) + pause;
        }
        for (int i = 0; i < inputs; i++) {
            graph.append("[p").append(i).append(']');
        }
        graph.append("concat=n=").append(inputs).append(":v=0:a=1,pan=stereo|c0=c0|c1=c0[a]");
        Path raw = dir.resolve(name + "-raw.wav");
        args.addAll(List.of("-filter_complex", graph.toString(), "-map", "[a]", "-c:a", "pcm_s24le", raw.toString()));
        Ffmpeg.run(args);
        return normalised(raw, dir.resolve(name + ".wav"), filter);
    }

    /**
     * Music-like content that needs no package: pink noise, different in each channel, under a chord, swelling
     * and ebbing, at -23 LUFS, then through {@code filter} (or null).
     */
    public static Path musicLike(Path dir, String name, double seconds, String filter)
            throws IOException, InterruptedException {
        Path raw = dir.resolve(name + "-raw.wav");
        String d = ":d=" + seconds;
        Ffmpeg.run(List.of("-filter_complex", "anoisesrc=color=pink:r=48000:a=0.2:seed=3" + d + "[l];"
                + "anoisesrc=color=pink:r=48000:a=0.2:seed=5" + d + "[r];"
                + "sine=f=220:r=48000" + d + "[s1];sine=f=277.2:r=48000" + d + "[s2];sine=f=329.6:r=48000" + d + "[s3];"
                + "[s1][s2][s3]amix=inputs=3,tremolo=f=0.25:d=0.4[c];"
                + "[l][r][c]join=inputs=3:channel_layout=3.0,pan=stereo|c0=c0+0.8*c2|c1=c1+0.8*c2,"
                + "tremolo=f=0.1:d=0.3[a]", "-map", "[a]", "-c:a", "pcm_s24le", raw.toString()));
        return normalised(raw, dir.resolve(name + ".wav"), filter);
    }

    /** BS.1770 integrated loudness of {@code clip} after FFmpeg's ebur128. */
    public static double integratedLufs(Path clip) throws IOException, InterruptedException {
        String log = Ffmpeg.run(List.of("-i", clip.toString(), "-af", "ebur128", "-f", "null", "-"));
        Matcher m = INTEGRATED.matcher(log.substring(log.lastIndexOf("Summary:")));
        assertThat(m.find()).as("ebur128's summary of %s", clip).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static Path normalised(Path raw, Path out, String filter) throws IOException, InterruptedException {
        double gainDb = -23.0 - integratedLufs(raw);
        String chain = "volume=" + gainDb + "dB" + (filter == null ? "" : "," + filter);
        Ffmpeg.run(List.of("-i", raw.toString(), "-af", chain, "-c:a", "pcm_s16le", out.toString()));
        return out;
    }

    private static double duration(Path clip) throws IOException, InterruptedException {
        return Double.parseDouble(run(List.of("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                "csv=p=0", clip.toString())).trim());
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
