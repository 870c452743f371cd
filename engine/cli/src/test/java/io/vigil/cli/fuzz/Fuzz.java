package io.vigil.cli.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One fuzz campaign: {@code count} inputs made from the seeds (the seeds themselves first, then mutations of each in
 * turn, chosen by the campaign's seed number), each analysed in its own JVM ({@link ForkedAnalyze}) and judged
 * ({@link Verdict}); defects are kept (the input and what vigil said) in a folder; totals by container and outcome.
 *
 * <pre>
 * java -cp TEST_CLASS_PATH [-Dvigil.fuzz.classpath=VIGIL_JAR] io.vigil.cli.fuzz.Fuzz COUNT SEED WORKDIR [JOBS]
 *      [TIMEOUT_SECONDS]
 * </pre>
 * (bench/fuzz.sh builds, copies the runnable jar for the analyses and runs this; without
 * {@code vigil.fuzz.classpath} they run on this JVM's class path). Exit 0 when no input was a defect, 1 otherwise.
 */
public final class Fuzz {
    /** One input of the campaign and how it fared. */
    record Result(int index, String seed, String container, Mutation mutation, int bytes, Verdict verdict,
                  double seconds) {
    }

    private final List<Seeds.Made> seeds;
    private final long campaignSeed;
    private final Path workDir;
    private final Path keepDir;
    private final ForkedAnalyze analyzer;
    private final int jobs;
    private final boolean seedsFirst;
    private final PrintStream log;

    /** @param seedsFirst the first round analyses the seeds themselves, unmutated; else every input is mutated */
    Fuzz(List<Seeds.Made> seeds, long campaignSeed, Path workDir, Path keepDir, ForkedAnalyze analyzer, int jobs,
         boolean seedsFirst, PrintStream log) {
        this.seeds = List.copyOf(seeds);
        this.campaignSeed = campaignSeed;
        this.workDir = workDir;
        this.keepDir = keepDir;
        this.analyzer = analyzer;
        this.jobs = jobs;
        this.seedsFirst = seedsFirst;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: Fuzz COUNT SEED WORKDIR [JOBS] [TIMEOUT_SECONDS]");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        Path work = Path.of(args[2]).toAbsolutePath();
        int jobs = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        Duration timeout = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 60);
        List<Seeds.Made> made = Seeds.make(work.resolve("seeds"), Seeds.ALL);
        String vigil = System.getProperty("vigil.fuzz.classpath");
        ForkedAnalyze analyzer = vigil == null ? new ForkedAnalyze(timeout) : new ForkedAnalyze(timeout, vigil);
        Fuzz fuzz = new Fuzz(made, seed, work.resolve("inputs"), work.resolve("defects"), analyzer, jobs, true,
                System.out);
        long started = System.nanoTime();
        List<Result> results = fuzz.run(count);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.print(report(results, seed, seconds, jobs, timeout));
        System.exit(results.stream().anyMatch(r -> r.verdict().defect()) ? 1 : 0);
    }

    /** Makes and analyses inputs 0 to {@code count - 1}; returns them in order. */
    List<Result> run(int count) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        log.printf(Locale.ROOT, "fuzz: %d inputs from %d seeds, campaign seed %d, %d jobs, timeout %d s, zzuf %s%n",
                count, seeds.size(), campaignSeed, jobs, analyzer.timeout().toSeconds(),
                Mutation.zzufAvailable() ? "installed" : "not installed (its mutations are left out)");
        List<Future<Result>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(jobs)) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> one(index)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                try {
                    Result r = f.get();
                    results.add(r);
                    if (r.verdict().defect()) {
                        log.printf(Locale.ROOT, "fuzz: DEFECT %s #%d %s %s: %s%n", r.verdict().outcome(), r.index(),
                                r.seed(), r.mutation(), r.verdict().detail());
                    }
                    if (results.size() % 50 == 0) {
                        log.printf(Locale.ROOT, "fuzz: %d/%d done%n", results.size(), count);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("the harness failed on an input", e.getCause());
                }
            }
            return results;
        }
    }

    /** Input {@code index}: seed {@code index % seeds}, unmutated in the first round (if so), then a mutation. */
    Result one(int index) throws IOException, InterruptedException {
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
        ForkedAnalyze.Run run = analyzer.analyze(input, workDir.resolve(name + ".run"));
        Verdict verdict = Verdict.of(run);
        if (verdict.defect()) {
            keep(input, run, verdict, seed, mutation);
        }
        Files.deleteIfExists(input);
        Files.deleteIfExists(workDir.resolve(name + ".run.hs_err"));
        return new Result(index, seed.seed().file(), seed.seed().container(), mutation, bytes.length, verdict,
                run.seconds());
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
                        + " and a %d s timeout (%.2f s per input in its JVM, %.2f inputs/s; 10,000 would take about"
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
