package io.vigil.cli.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fuzz campaign: {@code count} inputs made from the seeds (the seeds themselves first, then mutations of each in
 * turn, chosen by the campaign's seed number), analysed in forked JVMs ({@link ForkedAnalyze}), each alone or a
 * batch of them per JVM ({@link BatchSplit}: what is not clearly one input's is analysed again input by input), and
 * judged ({@link Verdict}); defects are kept (the input and what vigil said) in a folder; running totals every
 * {@value #PROGRESS_EVERY} inputs, then totals by container and outcome (also when stopped early, and in
 * WORKDIR/totals.md).
 *
 * <pre>
 * java -cp TEST_CLASS_PATH [-Dvigil.fuzz.classpath=VIGIL_JAR] io.vigil.cli.fuzz.Fuzz COUNT SEED WORKDIR [JOBS]
 *      [TIMEOUT_SECONDS] [BATCH]
 * </pre>
 * (bench/fuzz.sh builds, copies the runnable jar for the analyses and runs this; without
 * {@code vigil.fuzz.classpath} they run on this JVM's class path). Exit 0 when no input was a defect, 1 otherwise.
 */
public final class Fuzz {
    /** One input of the campaign and how it fared. */
    record Result(int index, String seed, String container, Mutation mutation, int bytes, Verdict verdict,
                  double seconds) {
    }

    /** Inputs per JVM in bench/fuzz.sh: start-up (most of an input's second alone) shared by this many. */
    static final int DEFAULT_BATCH = 25;
    /** A line of running totals every this many inputs. */
    static final int PROGRESS_EVERY = 500;

    private final List<Seeds.Made> seeds;
    private final long campaignSeed;
    private final Path workDir;
    private final Path keepDir;
    private final ForkedAnalyze analyzer;
    private final int jobs;
    private final int batchSize;
    private final boolean seedsFirst;
    private final PrintStream log;
    private final List<Result> done = new ArrayList<>();
    private final AtomicInteger rerunBatches = new AtomicInteger();
    private volatile long started = System.nanoTime();
    private volatile boolean stopped;

    /**
     * @param batchSize  how many inputs one JVM analyses (1: each alone)
     * @param seedsFirst the first round analyses the seeds themselves, unmutated; else every input is mutated
     */
    Fuzz(List<Seeds.Made> seeds, long campaignSeed, Path workDir, Path keepDir, ForkedAnalyze analyzer, int jobs,
         int batchSize, boolean seedsFirst, PrintStream log) {
        this.seeds = List.copyOf(seeds);
        this.campaignSeed = campaignSeed;
        this.workDir = workDir;
        this.keepDir = keepDir;
        this.analyzer = analyzer;
        this.jobs = jobs;
        this.batchSize = Math.max(1, batchSize);
        this.seedsFirst = seedsFirst;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: Fuzz COUNT SEED WORKDIR [JOBS] [TIMEOUT_SECONDS] [BATCH]");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        Path work = Path.of(args[2]).toAbsolutePath();
        int jobs = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        Duration timeout = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 60);
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : DEFAULT_BATCH;
        List<Seeds.Made> made = Seeds.make(work.resolve("seeds"), Seeds.ALL);
        String vigil = System.getProperty("vigil.fuzz.classpath");
        ForkedAnalyze analyzer = vigil == null ? new ForkedAnalyze(timeout) : new ForkedAnalyze(timeout, vigil);
        Fuzz fuzz = new Fuzz(made, seed, work.resolve("inputs"), work.resolve("defects"), analyzer, jobs, batch,
                true, System.out);
        long started = System.nanoTime();
        AtomicBoolean reported = new AtomicBoolean();
        // Stopped early (SIGTERM, Ctrl-C): the analyses still running are ended, the totals so far printed and kept.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!reported.getAndSet(true)) {
                List<Fuzz.Result> soFar = fuzz.stop();
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                String report = "\nfuzz: stopped early, after " + soFar.size() + " of " + count + " inputs\n"
                        + report(soFar, seed, (System.nanoTime() - started) / 1e9, jobs, timeout);
                System.out.print(report);
                System.out.flush();
                writeQuietly(work.resolve("totals.md"), report);
            }
        }, "fuzz-totals"));
        List<Result> results = fuzz.run(count);
        String report = report(results, seed, (System.nanoTime() - started) / 1e9, jobs, timeout);
        if (!reported.getAndSet(true)) {
            System.out.print(report);
            writeQuietly(work.resolve("totals.md"), report);
        }
        System.exit(results.stream().anyMatch(r -> r.verdict().defect()) ? 1 : 0);
    }

    private static void writeQuietly(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            System.err.println("fuzz: could not write " + file + ": " + e.getMessage());
        }
    }

    /** Makes and analyses inputs 0 to {@code count - 1}; returns them in order. */
    List<Result> run(int count) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        log.printf(Locale.ROOT, "fuzz: %d inputs from %d seeds, campaign seed %d, %d jobs, %s, timeout %d s per"
                        + " input, zzuf %s%n", count, seeds.size(), campaignSeed, jobs,
                batchSize > 1 ? "batches of " + batchSize + " inputs per JVM" : "one input per JVM",
                analyzer.timeout().toSeconds(),
                Mutation.zzufAvailable() ? "installed" : "not installed (its mutations are left out)");
        started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(jobs)) {
            ExecutorCompletionService<List<Result>> completion = new ExecutorCompletionService<>(pool);
            int tasks = 0;
            for (int first = 0; first < count; first += batchSize) {
                int from = first;
                int to = Math.min(count, first + batchSize);
                completion.submit(() -> to - from == 1 ? List.of(alone(make(from))) : batch(from, to));
                tasks++;
            }
            for (int i = 0; i < tasks; i++) {
                try {
                    List<Result> finished = completion.take().get();
                    if (stopped) {
                        break;
                    }
                    int before;
                    synchronized (done) {
                        before = done.size();
                        done.addAll(finished);
                    }
                    for (Result r : finished) {
                        if (r.verdict().defect()) {
                            log.printf(Locale.ROOT, "fuzz: DEFECT %s #%d %s %s: %s%n", r.verdict().outcome(),
                                    r.index(), r.seed(), r.mutation(), r.verdict().detail());
                        }
                    }
                    int after = before + finished.size();
                    if (after / PROGRESS_EVERY > before / PROGRESS_EVERY || after == count) {
                        log.println(progress(count));
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("the harness failed on an input", e.getCause());
                }
            }
        }
        return soFar();
    }

    /**
     * Stops counting: what the analyses still running (ended by the caller) would report is left out, and a batch
     * they break is not analysed again. Returns the inputs analysed until now, in order.
     */
    List<Result> stop() {
        stopped = true;
        return soFar();
    }

    /** The inputs analysed so far, in order (the whole campaign once {@link #run} has returned). */
    List<Result> soFar() {
        synchronized (done) {
            return done.stream().sorted(Comparator.comparingInt(Result::index)).toList();
        }
    }

    /** A line of running totals: inputs done, the rate, the count of each outcome seen. */
    private String progress(int count) {
        List<Result> now = soFar();
        Map<Verdict.Outcome, Integer> all = new EnumMap<>(Verdict.Outcome.class);
        now.forEach(r -> all.merge(r.verdict().outcome(), 1, Integer::sum));
        double seconds = (System.nanoTime() - started) / 1e9;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "fuzz: %d/%d done in %.0f s (%.2f inputs/s), %d batches re-run alone:", now.size(), count, seconds,
                now.size() / seconds, rerunBatches.get()));
        all.forEach((o, n) -> line.append(' ').append(o.name().toLowerCase(Locale.ROOT)).append(' ').append(n));
        return line.toString();
    }

    /** An input made and written, not yet analysed. */
    private record Input(int index, Seeds.Made seed, Mutation mutation, Path path, int bytes) {
    }

    /** Input {@code index}: seed {@code index % seeds}, unmutated in the first round (if so), then a mutation. */
    private Input make(int index) throws IOException {
        Seeds.Made seed = seeds.get(index % seeds.size());
        // Neighbouring seeds give java.util.Random correlated first draws: spread them first.
        Random random = new Random(new SplittableRandom(campaignSeed * 1_000_003L + index).nextLong());
        Mutation mutation = seedsFirst && index < seeds.size() ? Mutation.NONE
                : Mutation.pick(seed.seed().container(), random);
        byte[] bytes = mutation.apply(Files.readAllBytes(seed.path()), random, campaignSeed * 7919L + index);
        String name = String.format(Locale.ROOT, "%05d-%s-%s", index, mutation.name().toLowerCase(Locale.ROOT),
                seed.seed().file());
        Path input = workDir.resolve(name);
        Files.write(input, bytes);
        return new Input(index, seed, mutation, input, bytes.length);
    }

    /** Analyses {@code input} in its own JVM, keeps it if it is a defect, and deletes it. */
    private Result alone(Input input) throws IOException, InterruptedException {
        String name = input.path().getFileName().toString();
        ForkedAnalyze.Run run = analyzer.analyze(input.path(), workDir.resolve(name + ".run"));
        Verdict verdict = Verdict.of(run);
        if (verdict.defect()) {
            keep(input.path(), run, verdict, input.seed(), input.mutation());
        }
        Files.deleteIfExists(input.path());
        Files.deleteIfExists(workDir.resolve(name + ".run.hs_err"));
        return result(input, verdict, run.seconds());
    }

    /**
     * Inputs {@code from} to {@code to - 1} analysed in one JVM, each judged from its share of the output; when the
     * batch shows anything that is not clearly one input's, or an input is a defect, each is analysed alone instead,
     * so that a defect is always pinned to one input (and kept as such).
     */
    private List<Result> batch(int from, int to) throws IOException, InterruptedException {
        List<Input> inputs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            inputs.add(make(i));
        }
        List<Path> paths = inputs.stream().map(Input::path).toList();
        Path base = workDir.resolve(String.format(Locale.ROOT, "batch-%05d.run", from));
        BatchSplit split = BatchSplit.of(paths, analyzer.analyze(paths, base));
        Files.deleteIfExists(base.resolveSibling(base.getFileName() + ".hs_err"));
        List<Result> results = new ArrayList<>();
        String why = split.unattributable();
        for (Input input : inputs) {
            if (why != null) {
                break;
            }
            ForkedAnalyze.Run run = split.runs().get(input.path());
            Verdict verdict = Verdict.of(run);
            if (verdict.defect()) {
                why = input.path().getFileName() + " " + verdict.outcome() + ": " + verdict.detail();
            }
            results.add(result(input, verdict, run.seconds()));
        }
        if (why == null) {
            for (Input input : inputs) {
                Files.deleteIfExists(input.path());
            }
            return results;
        }
        if (stopped) {
            return List.of();
        }
        rerunBatches.incrementAndGet();
        log.printf(Locale.ROOT, "fuzz: inputs #%d to #%d re-run alone (%s)%n", from, to - 1, why);
        results.clear();
        for (Input input : inputs) {
            results.add(alone(input));
        }
        return results;
    }

    private Result result(Input input, Verdict verdict, double seconds) {
        return new Result(input.index(), input.seed().seed().file(), input.seed().seed().container(),
                input.mutation(), input.bytes(), verdict, seconds);
    }

    private void keep(Path input, ForkedAnalyze.Run run, Verdict verdict, Seeds.Made seed, Mutation mutation)
            throws IOException {
        Path dir = Files.createDirectories(keepDir.resolve(verdict.outcome().name().toLowerCase(Locale.ROOT)));
        Path kept = dir.resolve(input.getFileName());
        Files.copy(input, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve(input.getFileName() + ".txt"), String.format(Locale.ROOT,
                "seed %s (%s), mutation %s, campaign seed %d%nverdict %s: %s%nexit %d after %.1f s%n--- stdout%n%s"
                        + "--- stderr%n%s", seed.seed().file(), seed.seed().container(), mutation, campaignSeed,
                verdict.outcome(), verdict.detail(), run.exit(), run.seconds(), run.stdout(), run.stderr()));
        Path crash = workDir.resolve(input.getFileName() + ".run.hs_err");
        if (Files.exists(crash)) {
            Files.copy(crash, dir.resolve(input.getFileName() + ".hs_err"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The totals: inputs by container and outcome, the defects listed, the time taken. */
    static String report(List<Result> results, long seed, double seconds, int jobs, Duration timeout) {
        Map<String, Map<Verdict.Outcome, Integer>> byContainer = new TreeMap<>();
        Map<Verdict.Outcome, Integer> all = new EnumMap<>(Verdict.Outcome.class);
        Map<Mutation, Integer> byMutation = new EnumMap<>(Mutation.class);
        for (Result r : results) {
            byContainer.computeIfAbsent(r.container(), c -> new EnumMap<>(Verdict.Outcome.class))
                    .merge(r.verdict().outcome(), 1, Integer::sum);
            all.merge(r.verdict().outcome(), 1, Integer::sum);
            byMutation.merge(r.mutation(), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n| container | inputs |"));
        Verdict.Outcome[] outcomes = Verdict.Outcome.values();
        for (Verdict.Outcome o : outcomes) {
            out.append(' ').append(o.name().toLowerCase(Locale.ROOT)).append(" |");
        }
        out.append("\n|---|---:|").append("---:|".repeat(outcomes.length)).append('\n');
        byContainer.forEach((container, counts) -> row(out, container, counts, outcomes));
        row(out, "**all**", all, outcomes);
        out.append("\nmutations: ");
        byMutation.forEach((m, n) -> out.append(m.name().toLowerCase(Locale.ROOT)).append(' ').append(n).append(", "));
        out.setLength(out.length() - 2);
        long defects = results.stream().filter(r -> r.verdict().defect()).count();
        double perInput = results.stream().mapToDouble(Result::seconds).average().orElse(0);
        out.append(String.format(Locale.ROOT, "%n%nfuzz: %d inputs, %d defects, campaign seed %d, %.0f s with %d jobs"
                        + " and a %d s timeout per input (%.2f s of a JVM's time per input, %.2f inputs/s; 10,000 would take about"
                        + " %.1f h)%n", results.size(), defects, seed, seconds, jobs, timeout.toSeconds(), perInput,
                results.size() / seconds,
                10_000 / (results.size() / seconds) / 3600));
        results.stream().filter(r -> r.verdict().defect()).forEach(r -> out.append(String.format(Locale.ROOT,
                "  defect #%d %s %s %s: %s%n", r.index(), r.seed(), r.mutation(), r.verdict().outcome(),
                r.verdict().detail())));
        return out.toString();
    }

    private static void row(StringBuilder out, String name, Map<Verdict.Outcome, Integer> counts,
                            Verdict.Outcome[] outcomes) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        out.append("| ").append(name).append(" | ").append(total).append(" |");
        for (Verdict.Outcome o : outcomes) {
            out.append(' ').append(counts.getOrDefault(o, 0)).append(" |");
        }
        out.append('\n');
    }
}
