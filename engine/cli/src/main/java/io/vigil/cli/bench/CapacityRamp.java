package io.vigil.cli.bench;

import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.engine.pipeline.GpuTelemetry;
import io.vigil.kernels.engine.StatisticsEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The capacity ramp: live streams of one clip are added step by step (each watched with every detector, as the
 * service watches a stream), and each step is held for a while and judged. A step holds when, over its window, no
 * frame was dropped, no picture came damaged (the clip is clean: damage is data lost on the way in), no input broke
 * off, every stream was analysed at its frame rate, the analysis stayed within the latency bound of the live
 * sources, this process used less than its share of the CPUs and the GPU's decoders stayed below their bound. The
 * capacity is the last step that held.
 */
public final class CapacityRamp {
    /** Length of the clip each stream loops. */
    public static final int CLIP_SECONDS = BenchClip.SECONDS;
    /** Longest a new stream may take to deliver its first frame (the UDP probe waits for a keyframe). */
    private static final long START_TIMEOUT_NANOS = 20_000_000_000L;
    /** After the new streams start, before the window opens: their start-up burst is not the steady state. */
    private static final double SETTLE_SECONDS = 2;
    private static final long GPU_SAMPLE_EVERY_MILLIS = 500;
    /** The detector that reports damaged pictures: on the bench's clean clip, data lost before decoding. */
    private static final String CORRUPTION = "corruption";
    /** A stream analysed at less than this share of its frame rate (less two frames of slack) fell behind. */
    private static final double FPS_SHARE = 0.95;

    /**
     * @param start                 streams in the first step
     * @param add                   streams added each step
     * @param maxStreams            the ramp stops here even if it held
     * @param stepSeconds           how long each step is measured
     * @param maxLatencySeconds     the most the analysis may fall behind the live sources
     * @param maxCpuShare           the most of all the CPUs this process may use, 0..1
     * @param maxDecoderUtilization the most NVDEC may be busy (by NVML), 0..1
     */
    public record Settings(ClipSpec clip, int start, int add, int maxStreams, double stepSeconds,
                           double maxLatencySeconds, double maxCpuShare, double maxDecoderUtilization) {
    }

    /**
     * One step, measured over its window.
     *
     * @param failure            why it did not hold, null when it held
     * @param slowestFps         the lowest frame rate any stream was analysed at
     * @param behindSeconds      the most the analysis fell behind a live source
     * @param cpuShare           this process's CPU time over the window, as a share of all the CPUs
     * @param hostCpuShare       the whole host's busy share over the window (other processes too); NaN if unknown
     * @param decoderUtilization the busiest NVDEC (NVML), 0..1; NaN without NVML
     * @param gpuUtilization     the busiest GPU's SMs (NVML), 0..1; NaN without NVML
     * @param alarms             alarms raised over the window, by detector (the clip gives none a reason)
     */
    public record Step(int streams, boolean held, String failure, double slowestFps, long droppedFrames,
                       long decodeErrors, long inputFailures, double behindSeconds, double cpuShare,
                       double hostCpuShare, double decoderUtilization, double gpuUtilization,
                       SortedMap<String, Long> alarms) {
        public Step {
            alarms = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(alarms));
        }

        /** Alarms raised over the window, all detectors. */
        public long alarmCount() {
            return alarms.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * @param capacity  the most streams that held (0: not even the first step)
     * @param limitedBy why the ramp stopped, null when it reached its maximum
     * @param backend   where the streams' video statistics ran: cpu or gpu
     * @param decoders  how their video was decoded (nvdec, cpu; both when NVDEC refused some)
     */
    public record Result(ClipSpec clip, int capacity, String limitedBy, String backend, String decoders,
                         List<Step> steps) {
    }

    private final Settings settings;
    private final VigilConfig config;
    private final StatisticsEngine backend;
    private final GpuTelemetry gpus;
    private final Consumer<String> progress;

    public CapacityRamp(Settings settings, VigilConfig config, StatisticsEngine backend, GpuTelemetry gpus,
                        Consumer<String> progress) {
        this.settings = settings;
        this.config = config;
        this.backend = backend;
        this.gpus = gpus;
        this.progress = progress;
    }

    /** Makes the clip with {@code ffmpeg} in {@code workDir}, then ramps. */
    public Result run(Path ffmpeg, Path workDir) throws IOException, InterruptedException {
        Path clip = BenchClip.make(ffmpeg, settings.clip(), workDir);
        return run(TsLoop.parse(Files.readAllBytes(clip), BenchClip.SECONDS));
    }

    private Result run(TsLoop loop) throws InterruptedException {
        List<BenchStream> streams = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int capacity = 0;
        String limitedBy = null;
        try {
            for (int n = Math.min(settings.start(), settings.maxStreams()); ; n = Math.min(n + settings.add(),
                    settings.maxStreams())) {
                while (streams.size() < n) {
                    int i = streams.size();
                    // Spread over the clip, so that streams started together do not decode their keyframes in step.
                    double phase = (i * 0.381966 % 1.0) * BenchClip.SECONDS;
                    streams.add(new BenchStream("bench-" + (i + 1), loop, phase, config, backend));
                }
                Step step = step(streams);
                steps.add(step);
                progress.accept(describe(step));
                if (!step.held()) {
                    limitedBy = step.failure() + " at " + n + (n == 1 ? " stream" : " streams");
                    break;
                }
                capacity = n;
                if (n >= settings.maxStreams()) {
                    break;
                }
            }
        } finally {
            // All at once first: each close then finds its reader already on its way out.
            streams.forEach(BenchStream::stop);
            streams.forEach(BenchStream::close);
        }
        TreeSet<String> decoders = new TreeSet<>();
        String backendName = backend.name();
        for (BenchStream s : streams) {
            if (s.decoder() != null) {
                decoders.add(s.decoder());
            }
            backendName = s.backend();
        }
        return new Result(settings.clip(), capacity, limitedBy, backendName,
                decoders.isEmpty() ? "unknown" : String.join("+", decoders), steps);
    }

    /** Waits for the new streams to start and settle, then measures the window and judges it. */
    private Step step(List<BenchStream> streams) throws InterruptedException {
        int n = streams.size();
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        for (BenchStream s : streams) {
            while (!s.started() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (!s.started()) {
                String why = s.lastFailure() == null ? "" : " (" + s.lastFailure() + ")";
                return failed(n, s.id() + " delivered no frame within " + START_TIMEOUT_NANOS / 1_000_000_000 + " s"
                        + why);
            }
        }
        Thread.sleep(Math.round(Math.min(SETTLE_SECONDS, settings.stepSeconds()) * 1000));

        long[] frames = new long[n];
        long dropped = 0;
        long errors = 0;
        long failures = 0;
        SortedMap<String, Long> alarms = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            BenchStream s = streams.get(i);
            frames[i] = s.framesAnalysed();
            dropped -= s.droppedFrames();
            errors -= s.decodeErrors();
            failures -= s.inputFailures();
            s.alarms().forEach((detector, count) -> alarms.merge(detector, -count, Long::sum));
            s.takeWorstBehindSeconds();
        }
        CpuClock cpu = CpuClock.now();
        long windowStart = System.nanoTime();
        long windowEnd = windowStart + Math.round(settings.stepSeconds() * 1e9);
        double decoder = Double.NaN;
        double sm = Double.NaN;
        while (System.nanoTime() < windowEnd) {
            for (GpuFigures g : gpus.read()) {
                decoder = max(decoder, g.decoderUtilization());
                sm = max(sm, g.gpuUtilization());
            }
            Thread.sleep(Math.max(1, Math.min(GPU_SAMPLE_EVERY_MILLIS, (windowEnd - System.nanoTime()) / 1_000_000)));
        }
        double seconds = (System.nanoTime() - windowStart) / 1e9;
        CpuClock.Shares shares = cpu.sharesSince();

        double slowestFps = Double.POSITIVE_INFINITY;
        String slowest = null;
        double behind = 0;
        double sourceLate = 0;
        String lastFailure = null;
        for (int i = 0; i < n; i++) {
            BenchStream s = streams.get(i);
            double fps = (s.framesAnalysed() - frames[i]) / seconds;
            if (fps < slowestFps) {
                slowestFps = fps;
                slowest = s.id();
            }
            dropped += s.droppedFrames();
            errors += s.decodeErrors();
            failures += s.inputFailures();
            s.alarms().forEach((detector, count) -> alarms.merge(detector, count, Long::sum));
            behind = Math.max(behind, s.takeWorstBehindSeconds());
            sourceLate = Math.max(sourceLate, s.sourceLateSeconds());
            if (s.lastFailure() != null) {
                lastFailure = s.lastFailure();
            }
        }
        int fps = settings.clip().fps();
        String failure = null;
        long corrupted = alarms.getOrDefault(CORRUPTION, 0L);
        if (dropped > 0) {
            failure = dropped + " frames dropped (the analysis fell behind)";
        } else if (corrupted > 0 || errors > 0) {
            // The clip is clean: damage means data lost on the way in (a receive buffer overrun under load).
            failure = "pictures damaged (" + corrupted + " corruption alarms, " + errors + " decode errors: data lost"
                    + " before decoding)";
        } else if (failures > 0) {
            failure = "the input broke off " + failures + (failures == 1 ? " time" : " times") + " (" + lastFailure + ")";
        } else if (slowestFps * seconds < fps * seconds * FPS_SHARE - 2) {
            // Frames late (the analysis falling behind) or lost whole before decoding: not keeping up.
            failure = String.format(Locale.ROOT, "%s kept up with only %.1f of %d fps", slowest, slowestFps, fps);
        } else if (behind > settings.maxLatencySeconds()) {
            failure = String.format(Locale.ROOT, "the analysis fell %.2f s behind the live source (bound %.2f s)",
                    behind, settings.maxLatencySeconds());
        } else if (sourceLate > settings.maxLatencySeconds()) {
            failure = String.format(Locale.ROOT, "the host fell %.2f s behind playing out its sources", sourceLate);
        } else if (shares.process() >= settings.maxCpuShare()) {
            failure = String.format(Locale.ROOT, "the CPUs are saturated (vigil used %.0f%% of %d, bound %.0f%%)",
                    shares.process() * 100, Runtime.getRuntime().availableProcessors(), settings.maxCpuShare() * 100);
        } else if (decoder >= settings.maxDecoderUtilization()) {
            failure = String.format(Locale.ROOT, "NVDEC was %.0f%% busy (bound %.0f%%)", decoder * 100,
                    settings.maxDecoderUtilization() * 100);
        }
        alarms.values().removeIf(count -> count == 0);
        return new Step(n, failure == null, failure, round(slowestFps), dropped, errors, failures, round(behind),
                round(shares.process()), round(shares.host()), decoder, sm, alarms);
    }

    private Step failed(int n, String why) {
        return new Step(n, false, why, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                new TreeMap<>());
    }

    /** The progress line of one step, for stderr. */
    static String describe(Step s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "vigil bench: %3d %s  %s", s.streams(),
                s.streams() == 1 ? "stream " : "streams", s.held() ? "held  " : "FAILED"));
        if (!Double.isNaN(s.cpuShare())) {
            line.append(String.format(Locale.ROOT, "  slowest %.1f fps, dropped %d, behind %.2f s, cpu %.0f%%",
                    s.slowestFps(), s.droppedFrames(), s.behindSeconds(), s.cpuShare() * 100));
            if (!Double.isNaN(s.hostCpuShare())) {
                line.append(String.format(Locale.ROOT, " (host %.0f%%)", s.hostCpuShare() * 100));
            }
            if (!Double.isNaN(s.decoderUtilization())) {
                line.append(String.format(Locale.ROOT, ", NVDEC %.0f%%, SM %.0f%%", s.decoderUtilization() * 100,
                        s.gpuUtilization() * 100));
            }
        }
        if (!s.held()) {
            line.append(": ").append(s.failure());
        }
        return line.toString();
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    /** CPU time of this process and of the whole host (Linux's /proc/stat), to take shares over a window. */
    private record CpuClock(long processNanos, long wallNanos, long[] host) {
        record Shares(double process, double host) {
        }

        static CpuClock now() {
            return new CpuClock(processCpuNanos(), System.nanoTime(), hostTicks());
        }

        Shares sharesSince() {
            CpuClock end = now();
            int cores = Runtime.getRuntime().availableProcessors();
            double process = processNanos < 0 || end.processNanos < 0 ? Double.NaN
                    : (double) (end.processNanos - processNanos) / ((end.wallNanos - wallNanos) * (double) cores);
            double hostShare = Double.NaN;
            if (host != null && end.host != null) {
                double busy = end.host[0] - host[0];
                double total = end.host[1] - host[1];
                hostShare = total > 0 ? busy / total : Double.NaN;
            }
            return new Shares(process, hostShare);
        }

        private static long processCpuNanos() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return -1;
        }

        /** Busy and total jiffies of all CPUs, from the first line of /proc/stat; null where there is none. */
        private static long[] hostTicks() {
            try {
                String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
                String[] f = first.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
                return new long[] {total - idle, total};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
