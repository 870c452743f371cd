package io.vigil.cli;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.ConfigException;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.sink.JsonLinesSink;
import io.vigil.engine.sink.TextSink;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.StatisticsEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SequencedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil analyze}: each input from start to end, alarms as they happen, a summary per input. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Analyse files or live URLs and report alarms as they happen.",
                "Exit codes (the worst input's): 0 analysed to the end; 2 bad command line or config;%n"
                        + "3 an input could not be opened; 4 an input broke off before its end;%n"
                        + "5 vigil's analysis of an input failed (a fault in vigil: please report it);%n"
                        + "130 or 143 stopped by Ctrl-C (SIGINT) or SIGTERM, after each input's summary."})
final class AnalyzeCommand implements Callable<Integer> {
    enum Format { text, jsonl }

    /** The positional parameters' label, by which {@link InputSchemes} finds them. */
    static final String INPUT_LABEL = "INPUT";

    @Parameters(arity = "1..*", paramLabel = INPUT_LABEL, description = InputSchemes.PLACEHOLDER)
    List<String> inputs;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The stream id of the input in the same place (repeat it: the first --name names the first input); "
                    + "NAME=INPUT does the same. Letters, digits, '.', '_' and '-'.")
    List<String> names;

    @Option(names = "--detectors", paramLabel = "LIST",
            description = "Comma-separated detectors to run, 'all' (the default: those enabled in the config) or 'none' (decode only).")
    String detectors;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = "text (for people; the default on a terminal) or jsonl (one JSON object per line; the default otherwise).")
    Format format;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with detector settings (see README).")
    Path config;

    @Option(names = "--threads", paramLabel = "N", description = "FFmpeg decoder threads per input (0: FFmpeg chooses; default from config, 0).")
    Integer threads;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest wait for data from a network input (default 10).")
    Double timeoutSeconds;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Inputs analysed at once; the others wait their turn (default: the number of cores, or of network inputs when more).")
    Integer jobs;

    @Option(names = "--no-progress", description = "Never draw the progress line (it is drawn only when stderr is a terminal).")
    boolean noProgress;

    @Option(names = "--backend", paramLabel = "BACKEND",
            description = "Where video statistics are computed: auto (the GPU when there is a usable one; the default), cpu, or gpu (an error without one).")
    String backend;

    @Option(names = "--thumbnails", paramLabel = "DIR",
            description = "Write a small JPEG (320 px wide) of the frame where each video alarm starts into DIR (created if missing); its path goes in the alarm's thumbnail field.")
    Path thumbnails;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        List<NamedInput> named = NamedInput.of(inputs, names == null ? List.of() : names);
        VigilConfig cfg = configuration();
        int parallel = parallelism(named);
        if (thumbnails != null) {
            try {
                io.vigil.engine.pipeline.StartFrames.prepare(thumbnails);
            } catch (java.io.IOException e) {
                throw new Main.UserError("--thumbnails: " + e.getMessage(), Main.EXIT_USAGE);
            }
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        Format fmt = format != null ? format : Terminal.stdout() ? Format.text : Format.jsonl;
        ProgressLine progress = !noProgress && Terminal.stderr() ? new ProgressLine(err) : null;
        Analysis.Stop stop = new Analysis.Stop();
        try (StatisticsEngine statistics = BackendOption.open(cfg);
             StopSignals signals = StopSignals.install(() -> {
                 if (progress != null) {
                     progress.clear();
                 }
                 err.println("vigil: stopping; each input's summary follows, with its firing alarms resolved.");
                 stop.request();
             })) {
            int code = analyse(named, cfg, fmt, progress, statistics, parallel, stop, out, err);
            return signals.exitCode().orElse(code);
        }
    }

    private int analyse(List<NamedInput> named, VigilConfig cfg, Format fmt, ProgressLine progress,
                        StatisticsEngine statistics, int parallel, Analysis.Stop stop, PrintStream out,
                        PrintStream err) throws InterruptedException {
        EventSink base = fmt == Format.text ? new TextSink(out) : new JsonLinesSink(out);
        boolean errorsToStderr = fmt == Format.jsonl;
        EventSink sink = event -> {
            if (progress != null) {
                progress.clear();
            }
            base.accept(event);
            if (errorsToStderr && event instanceof Event.Error e) {
                // The contract: an error object on stdout and one clear line on stderr.
                err.println("vigil: " + e.message());
            }
        };
        List<String> ids = streamIds(named);
        List<Callable<Integer>> jobs = new ArrayList<>();
        for (int i = 0; i < named.size(); i++) {
            String input = named.get(i).input();
            String id = ids.get(i);
            jobs.add(() -> Analysis.run(input, id, cfg, sink, progress, note -> {
                if (progress != null) {
                    progress.clear();
                }
                err.println("vigil: " + note);
            }, statistics, thumbnails, stop).exitCode());
        }
        int code = runAll(jobs, parallel, err);
        if (progress != null) {
            progress.clear();
        }
        return code;
    }

    /**
     * {@code --jobs}, checked; by default the number of cores, or the number of network inputs when there are more:
     * a live input never ends, so each needs a place of its own or the inputs after it would never start.
     */
    private int parallelism(List<NamedInput> named) {
        int live = (int) named.stream().map(NamedInput::input).filter(AnalyzeCommand::network).count();
        if (jobs == null) {
            return Math.max(Runtime.getRuntime().availableProcessors(), live);
        }
        if (jobs < 1 || jobs > 1024) {
            throw new Main.UserError("--jobs must be between 1 and 1024, got " + jobs + ".", Main.EXIT_USAGE);
        }
        if (live > jobs) {
            System.err.println("vigil: " + live + " network inputs and --jobs " + jobs + ": those after the first "
                    + jobs + " wait until one ends, and a live one may never end.");
        }
        return jobs;
    }

    private static boolean network(String input) {
        try {
            return InputAddress.parse(input).remote();
        } catch (InputException e) {
            return false;
        }
    }

    /**
     * Runs {@code jobs} (each an input's analysis, returning its exit code), at most {@code parallel} at once on as
     * many threads (one input runs on the caller's); returns the worst exit code. A job that throws (Analysis never
     * does, but a sink may) counts as a failed analysis.
     */
    static int runAll(List<Callable<Integer>> jobs, int parallel, PrintStream err) throws InterruptedException {
        if (jobs.size() == 1) {
            return exitCodeOf(jobs.getFirst(), err);
        }
        int threads = Math.min(parallel, jobs.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("vigil-input-", 1).factory());
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (Callable<Integer> job : jobs) {
                done.add(pool.submit(() -> exitCodeOf(job, err)));
            }
            int code = 0;
            for (Future<Integer> f : done) {
                try {
                    code = Math.max(code, f.get());
                } catch (ExecutionException e) {
                    code = Math.max(code, Analysis.Outcome.FAILED.exitCode());
                }
            }
            return code;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int exitCodeOf(Callable<Integer> job, PrintStream err) {
        try {
            return job.call();
        } catch (Exception | Error e) {
            err.println("vigil: " + Analysis.failure(e));
            return Analysis.Outcome.FAILED.exitCode();
        }
    }

    private VigilConfig configuration() {
        VigilConfig cfg;
        try {
            cfg = config == null ? VigilConfig.defaults() : ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new Main.UserError(e.getMessage(), Main.EXIT_USAGE);
        }
        if (threads != null) {
            if (threads < 0 || threads > 64) {
                throw new Main.UserError("--threads must be between 0 and 64, got " + threads, Main.EXIT_USAGE);
            }
            cfg = cfg.withDecodeThreads(threads);
        }
        if (timeoutSeconds != null) {
            if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) {
                throw new Main.UserError("--timeout must be between 0 and 3600 seconds, got " + timeoutSeconds, Main.EXIT_USAGE);
            }
            cfg = cfg.withIoTimeout(Duration.ofMillis(Math.round(timeoutSeconds * 1000)));
        }
        if (detectors != null) {
            cfg = cfg.withDetectors(select(cfg.detectors(), detectors));
        }
        if (backend != null) {
            try {
                cfg = cfg.withBackend(BackendChoice.parse(backend));
            } catch (IllegalArgumentException e) {
                throw new Main.UserError("--backend: " + e.getMessage(), Main.EXIT_USAGE);
            }
        }
        return cfg;
    }

    /** Applies {@code --detectors}: exactly the listed ones run, 'all' keeps the config's choice, 'none' runs none. */
    static SequencedMap<String, DetectorSettings> select(SequencedMap<String, DetectorSettings> all, String list) {
        String trimmed = list.trim();
        if (trimmed.equals("all")) {
            return all;
        }
        Set<String> wanted = new LinkedHashSet<>();
        if (!trimmed.equals("none")) {
            for (String name : trimmed.split(",")) {
                String n = name.trim();
                if (n.isEmpty()) {
                    continue;
                }
                if (!all.containsKey(n)) {
                    String why = DetectorRegistry.standard().reserved().contains(n) ? "is not available in this version" : "is not a detector";
                    throw new Main.UserError("--detectors: '" + n + "' " + why + "; choose from "
                            + String.join(", ", all.keySet()) + ", or all, or none.", Main.EXIT_USAGE);
                }
                wanted.add(n);
            }
            if (wanted.isEmpty()) {
                throw new Main.UserError("--detectors is empty; use 'none' to only decode.", Main.EXIT_USAGE);
            }
        }
        SequencedMap<String, DetectorSettings> out = new LinkedHashMap<>();
        all.forEach((name, s) -> out.put(name, s.withEnabled(wanted.contains(name))));
        return out;
    }

    /** Stream ids: the names given, else from the inputs' names, made unique with #2, #3 (never a given name). */
    static List<String> streamIds(List<NamedInput> inputs) {
        Set<String> seen = new HashSet<>();
        inputs.stream().map(NamedInput::name).filter(java.util.Objects::nonNull).forEach(seen::add);
        List<String> ids = new ArrayList<>();
        for (NamedInput in : inputs) {
            if (in.name() != null) {
                ids.add(in.name());   // NamedInput.of refused a name given twice
                continue;
            }
            String base = Analysis.streamIdFor(in.input());
            String id = base;
            for (int k = 2; !seen.add(id); k++) {
                id = base + "#" + k;
            }
            ids.add(id);
        }
        return ids;
    }

    /** {@code --format}: text or jsonl, and a hint for the JSON a user meant. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value);
            } catch (IllegalArgumentException e) {
                String hint = value.equalsIgnoreCase("json") || value.equalsIgnoreCase("ndjson")
                        ? "; for JSON use --format jsonl (one JSON object per line, as the HTTP API's SSE and webhooks carry them)"
                        : "";
                throw new CommandLine.TypeConversionException("'" + value + "' is not a format: use text or jsonl" + hint);
            }
        }
    }

    /** For tests and tools: the JSON of an event as analyze prints it. */
    static String json(Event e) {
        return JsonLinesSink.toJson(e);
    }
}
