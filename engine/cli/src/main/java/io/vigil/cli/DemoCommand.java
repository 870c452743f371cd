package io.vigil.cli;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.SyntheticClip;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.engine.sink.TextSink;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil demo}: the live demo by default, {@code vigil serve} watching a few synthetic live channels made in
 * this process (see {@link LiveDemo}) until Ctrl-C, with the dashboard's URL printed. With {@code --offline} (or
 * {@code --keep}): makes a short clip with a black stretch, a frozen stretch and a silent stretch at known times
 * (through FFmpeg's libraries), analyses it, and shows what was found beside what was injected.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Serve a few synthetic live channels with black, frozen, silent and clipped stretches now and then,"
                + " and print the dashboard's URL; runs until Ctrl-C.",
                "--offline: make a 20 s clip with black, frozen and silent stretches at known times, analyse it, and compare."})
final class DemoCommand implements Callable<Integer> {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int FPS = 25;
    static final int SAMPLE_RATE = 48_000;
    static final double LENGTH_SECONDS = 20;

    /** What the demo injects: detector, from, to (seconds). */
    record Defect(String detector, double fromSeconds, double toSeconds) {
    }

    static final List<Defect> DEFECTS = List.of(
            new Defect("black", 4.0, 7.0),
            new Defect("freeze", 10.0, 13.0),
            new Defect("silence", 15.0, 18.0));

    @Option(names = "--keep", paramLabel = "FILE", description = "Offline: write the clip here (.mkv) and keep it, instead of a temporary file (implies --offline).")
    Path keep;

    @Option(names = "--offline", description = "Analyse one 20 s clip and compare with what was injected, instead of the live demo.")
    boolean offline;

    @Option(names = "--channels", paramLabel = "N", description = "Live: how many synthetic channels (1..16, default 4).")
    int channels = 4;

    @Option(names = "--port", paramLabel = "PORT", description = "Live: the dashboard's port on 127.0.0.1 (default 8321; 0 picks one).")
    int port = 8321;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or jsonl.")
    AnalyzeCommand.Format format = AnalyzeCommand.Format.text;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!offline && keep == null) {
            return live();
        }
        // Alarms go to stdout; with jsonl, the lines for people go to stderr so that stdout stays pure JSON lines.
        PrintStream out = format == AnalyzeCommand.Format.jsonl ? System.err : System.out;
        Path clip = keep != null ? keep : Files.createTempFile("vigil-demo-", ".mkv");
        try {
            out.println("vigil demo: making a 20 s clip (640x360, 25 fps, stereo tone) with "
                    + String.join(", ", DEFECTS.stream().map(d -> String.format(Locale.ROOT, "%s %.1f-%.1f s",
                            d.detector(), d.fromSeconds(), d.toSeconds())).toList()));
            write(clip);
            out.println("analysing " + clip + " ...");
            List<Event.Alarm> fired = new ArrayList<>();
            EventSink print = format == AnalyzeCommand.Format.text ? new TextSink(System.out) : new JsonLinesSink(System.out);
            EventSink sink = e -> {
                if (e instanceof Event.Alarm a && !a.firing()) {
                    fired.add(a);
                }
                print.accept(e);
            };
            Analysis.Outcome outcome;
            try (var backend = BackendOption.open(VigilConfig.defaults())) {
                outcome = Analysis.run(clip.toString(), "demo", VigilConfig.defaults(), sink, null,
                        note -> System.err.println("vigil: " + note), backend);
            }
            if (outcome != Analysis.Outcome.COMPLETE) {
                return outcome.exitCode();
            }
            out.println();
            boolean all = true;
            for (Defect d : DEFECTS) {
                // The black stretch also holds a still picture, so match each defect to the alarm nearest it.
                var found = fired.stream().filter(a -> a.detector().equals(d.detector()))
                        .min(java.util.Comparator.comparingDouble(a -> Math.abs(a.start() - d.fromSeconds())));
                boolean ok = found.isPresent() && Math.abs(found.get().start() - d.fromSeconds()) <= 0.05
                        && Math.abs(found.get().end() - d.toSeconds()) <= 0.05;
                all &= ok;
                out.printf(Locale.ROOT, "%s %-8s injected %5.2f-%5.2f s, found %s%n", ok ? "ok  " : "MISS", d.detector(),
                        d.fromSeconds(), d.toSeconds(), found.map(a -> String.format(Locale.ROOT, "%5.2f-%5.2f s",
                                a.start(), a.end())).orElse("nothing"));
            }
            out.println(all ? "vigil found every injected defect at its time." : "vigil missed an injected defect.");
            return all ? 0 : 1;
        } finally {
            if (keep == null) {
                Files.deleteIfExists(clip);
            }
        }
    }

    /** The live demo: serve on 127.0.0.1 with the synthetic channels as its streams, until Ctrl-C. */
    private int live() throws IOException, InterruptedException {
        if (channels < 1 || channels > 16) {
            throw new Main.UserError("--channels must be between 1 and 16, got " + channels + ".", Main.EXIT_USAGE);
        }
        Path dir = Files.createTempDirectory("vigil-demo-");
        LiveDemo sources = new LiveDemo(dir, channels);
        java.util.List<io.vigil.server.StreamSpec> streams = new ArrayList<>();
        for (String[] s : sources.urls()) {
            streams.add(new io.vigil.server.StreamSpec(s[0], s[1], null, null));
        }
        io.vigil.server.config.ServeConfig standard = io.vigil.server.config.ServeConfig.standard();
        // The channels are served on loopback, which streams may not reach unless the config allows it.
        io.vigil.server.config.ServeConfig cfg = ServeCommand.withFlags(standard.withLimits(standard.limits()
                .withHosts(io.vigil.server.config.HostRules.allowing("127.0.0.1/32"))), "127.0.0.1", port, null)
                .withStreams(streams);
        // Before anything answers: a signal sent once the demo is seen up must not meet the JVM's default handling.
        ServeSignals signals = ServeSignals.install();
        ServeRuntime runtime;
        try {
            runtime = ServeCommand.start(cfg);
        } catch (RuntimeException e) {
            sources.close();
            signals.restore();
            throw e;
        }
        System.out.printf(Locale.ROOT, "vigil demo: %d live channel%s (%dx%d, %d fps, HLS over HTTP on loopback), each"
                + " with, every %d s: %s.%n", channels, channels == 1 ? "" : "s", LiveDemo.WIDTH, LiveDemo.HEIGHT, LiveDemo.FPS,
                LiveDemo.CYCLE_SECONDS, String.join(", ", LiveDemo.CYCLE.stream().map(d -> String.format(Locale.ROOT,
                        "%s %.0f s", d.detector(), d.toSeconds() - d.fromSeconds())).toList()));
        System.out.println("vigil demo: dashboard at " + runtime.dashboard() + "  (Ctrl-C to stop)");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(sources::close));
        return ServeCommand.awaitShutdown(runtime, signals);
    }

    /** Writes the demo clip: a moving picture and a tone, with the defects above. */
    static void write(Path file) {
        int frames = (int) (LENGTH_SECONDS * FPS);
        int samplesPerFrame = SAMPLE_RATE / FPS;
        float[][] audio = {new float[samplesPerFrame], new float[samplesPerFrame]};
        // One keyframe every 10 s: none falls inside the freeze, so the frozen frames decode bit-identical.
        try (SyntheticClip writer = SyntheticClip.create(file, WIDTH, HEIGHT, FPS, SAMPLE_RATE, 2, 10 * FPS)) {
            for (int f = 0; f < frames; f++) {
                double t = (double) f / FPS;
                boolean black = inside("black", t);
                // A frozen picture repeats the frame shown when the freeze began.
                long shown = inside("freeze", t) ? Math.round(defect("freeze").fromSeconds() * FPS) : f;
                writer.writeVideo((index, y, yStride, u, v, cStride) -> paint(shown, black, y, yStride, u, v, cStride));
                for (int i = 0; i < samplesPerFrame; i++) {
                    long n = (long) f * samplesPerFrame + i;
                    double ts = (double) n / SAMPLE_RATE;
                    // At -23 dBFS: about -23 LUFS, R 128's target, so that loudness has nothing to report.
                    float s = inside("silence", ts) ? 0f : (float) (0.07 * Math.sin(2 * Math.PI * (440 + 110 * ((n / SAMPLE_RATE) % 3)) * ts));
                    audio[0][i] = s;
                    audio[1][i] = s;
                }
                writer.writeAudio(audio, samplesPerFrame);
            }
        }
    }

    private static void paint(long frame, boolean black, MemorySegment y, int yStride, MemorySegment u,
                              MemorySegment v, int cStride) {
        for (int row = 0; row < HEIGHT; row++) {
            for (int x = 0; x < WIDTH; x++) {
                int value = black ? 16 : 60 + (int) ((x + row / 2 + 3 * frame) % 128) + ((row / 60 + x / 80) % 2) * 30;
                y.set(JAVA_BYTE, (long) row * yStride + x, (byte) value);
            }
        }
        for (int row = 0; row < HEIGHT / 2; row++) {
            for (int x = 0; x < WIDTH / 2; x++) {
                u.set(JAVA_BYTE, (long) row * cStride + x, (byte) (black ? 128 : 100 + (x + frame) % 56));
                v.set(JAVA_BYTE, (long) row * cStride + x, (byte) (black ? 128 : 150 - row % 40));
            }
        }
    }

    private static boolean inside(String detector, double t) {
        Defect d = defect(detector);
        return t >= d.fromSeconds() - 1e-9 && t < d.toSeconds() - 1e-9;
    }

    private static Defect defect(String detector) {
        return DEFECTS.stream().filter(d -> d.detector().equals(detector)).findFirst().orElseThrow();
    }
}
