package io.vigil.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's ffmpeg program, for tests: makes clips and runs FFmpeg's own detectors as the oracle. */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    /** Runs ffmpeg with {@code args}; returns its stderr (where FFmpeg's filters log); fails on a non-zero exit. */
    public static String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-y"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /** An interval FFmpeg reported. */
    public record Interval(String detector, double start, double end) {
    }

    private static final Pattern BLACK = Pattern.compile("black_start:([\\d.]+) black_end:([\\d.]+)");
    private static final Pattern FREEZE_START = Pattern.compile("freeze_start: ([\\d.]+)");
    private static final Pattern FREEZE_END = Pattern.compile("freeze_end: ([\\d.]+)");
    private static final Pattern SILENCE_START = Pattern.compile("silence_start: ([-\\d.]+)");
    private static final Pattern SILENCE_END = Pattern.compile("silence_end: ([\\d.]+)");

    /**
     * Runs blackdetect, freezedetect and silencedetect (their defaults) on {@code clip} and returns what they report.
     * An interval still open at the end of the input gets {@code end = NaN}.
     */
    public static List<Interval> detect(Path clip, boolean video, boolean audio) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-i", clip.toString()));
        if (video) {
            args.addAll(List.of("-vf", "blackdetect,freezedetect"));
        }
        if (audio) {
            args.addAll(List.of("-af", "silencedetect"));
        }
        args.addAll(List.of("-f", "null", "-"));
        String log = run(args);
        List<Interval> out = new ArrayList<>();
        Double freezeStart = null;
        Double silenceStart = null;
        for (String line : log.split("\n")) {
            Matcher m;
            if ((m = BLACK.matcher(line)).find()) {
                out.add(new Interval("black", Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))));
            } else if ((m = FREEZE_START.matcher(line)).find()) {
                freezeStart = Double.parseDouble(m.group(1));
            } else if ((m = FREEZE_END.matcher(line)).find()) {
                out.add(new Interval("freeze", freezeStart, Double.parseDouble(m.group(1))));
                freezeStart = null;
            } else if ((m = SILENCE_START.matcher(line)).find()) {
                silenceStart = Double.parseDouble(m.group(1));
            } else if ((m = SILENCE_END.matcher(line)).find()) {
                out.add(new Interval("silence", silenceStart, Double.parseDouble(m.group(1))));
                silenceStart = null;
            }
        }
        if (freezeStart != null) {
            out.add(new Interval("freeze", freezeStart, Double.NaN));
        }
        if (silenceStart != null) {
            out.add(new Interval("silence", silenceStart, Double.NaN));
        }
        return out;
    }
}
