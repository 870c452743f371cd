package io.vigil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.cli.bench.CapacityRamp;
import io.vigil.cli.bench.ClipSpec;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.pipeline.DecodingHost;
import io.vigil.engine.pipeline.GpuTelemetry;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.server.config.MeasuredCapacity;
import io.vigil.server.config.ServeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench}: how many live streams of one size, frame rate and codec this host watches with every detector
 * on. Makes a clip once (with the ffmpeg on the PATH or the one in vigil's FFmpeg jar), plays it as looping live
 * channels over UDP on loopback, each watched as {@code vigil serve} watches a stream, and adds streams step by step
 * until frames drop, the analysis falls behind the sources, the CPUs or the GPU's decoders saturate
 * ({@link CapacityRamp}). Progress goes to stderr, the result to stdout and to {@code --save}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure how many live streams of a size, codec and frame rate this host watches with every"
                + " detector on: adds looping live streams step by step until frames drop, the analysis falls behind,"
                + " or the CPUs or the GPU's decoders saturate, and saves the last step that held."})
final class BenchCommand implements Callable<Integer> {
    enum Format { table, json }

    @Option(names = "--size", paramLabel = "WxH", description = "Picture size of the streams (default 1920x1080).")
    String size = "1920x1080";

    @Option(names = "--codec", paramLabel = "CODEC", description = "h264 (default), hevc or mpeg2.")
    String codec = "h264";

    @Option(names = "--fps", paramLabel = "N", description = "Frame rate of the streams (default 30).")
    int fps = 30;

    @Option(names = "--backend", paramLabel = "BACKEND",
            description = "Where video statistics run: auto (default), cpu or gpu (NVDEC and CUDA).")
    String backend = "auto";

    @Option(names = "--detectors", paramLabel = "LIST",
            description = "Comma-separated detectors to run (default: every detector, those off by default too).")
    String detectors;

    @Option(names = "--start", paramLabel = "N", description = "Streams in the first step (default 1).")
    int start = 1;

    @Option(names = "--add", paramLabel = "N", description = "Streams added at each step (default 1).")
    int add = 1;

    @Option(names = "--max-streams", paramLabel = "N", description = "Stop here even if the host keeps up (default 256).")
    int maxStreams = 256;

    @Option(names = "--step-seconds", paramLabel = "S", description = "How long each step is measured (default 10).")
    double stepSeconds = 10;

    @Option(names = "--max-latency-seconds", paramLabel = "S",
            description = "The most the analysis may fall behind the live sources (default 2).")
    double maxLatencySeconds = 2;

    @Option(names = "--max-cpu", paramLabel = "PERCENT",
            description = "The most of all the CPUs vigil may use before the host counts as saturated (default 90).")
    double maxCpuPercent = 90;

    @Option(names = "--max-decoder", paramLabel = "PERCENT",
            description = "The most NVDEC may be busy (read through NVML) before the GPU counts as saturated (default 90).")
    double maxDecoderPercent = 90;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    Format format = Format.table;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Where the capacity is written (default ~/.vigil/capacity.json).")
    Path save;

    @Option(names = "--no-save", description = "Write no capacity file.")
    boolean noSave;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ClipSpec clip;
        try {
            clip = ClipSpec.of(size, codec, fps);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--size, --codec or --fps: " + e.getMessage() + ".", Main.EXIT_USAGE);
        }
        CapacityRamp.Settings settings = settings(clip);
        VigilConfig cfg = configuration();
        Path ffmpeg = DecodingHost.ffmpegProgram().orElseThrow(() -> new Main.UserError("vigil bench makes its clip"
                + " with ffmpeg, and there is none on the PATH and the one in vigil's FFmpeg jar does not run here.", 1));
        Path work = Files.createTempDirectory("vigil-bench-");
        CapacityRamp.Result result;
        Instant measuredAt;
        try (StatisticsEngine engine = BackendOption.open(cfg); GpuTelemetry gpus = GpuTelemetry.open()) {
            System.err.println("vigil bench: " + clip + ", " + enabled(cfg) + " detectors, statistics on "
                    + engine.name() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs; NVML: "
                    + gpus.summary());
            if (engine.name().equals("gpu") && gpus.unavailableReason().isPresent()) {
                System.err.println("vigil bench: without NVML the ramp cannot see NVDEC's load; it stops on dropped"
                        + " frames and latency only.");
            }
            System.err.println("vigil bench: making a " + CapacityRamp.CLIP_SECONDS + " s clip with "
                    + ffmpeg + " (once)...");
            result = new CapacityRamp(settings, cfg, engine, gpus, System.err::println).run(ffmpeg, work);
            measuredAt = Instant.now();
        } catch (IllegalStateException e) {
            throw new Main.UserError(e.getMessage() + ".", 1);
        } finally {
            deleteTree(work);
        }
        MeasuredCapacity measured = new MeasuredCapacity(result.capacity(), clip.size(), clip.codec(), clip.fps(),
                result.backend(), hostName(), measuredAt, Main.class.getPackage().getImplementationVersion(),
                result.limitedBy());
        Path file = save != null ? save : MeasuredCapacity.defaultFile();
        if (!noSave) {
            measured.write(file);
        }
        if (format == Format.json) {
            System.out.println(json(measured, result, settings));
        } else {
            table(System.out, measured, result);
        }
        if (!noSave) {
            System.err.println("vigil bench: saved to " + file);
        }
        return 0;
    }

    private CapacityRamp.Settings settings(ClipSpec clip) {
        if (start < 1 || add < 1 || maxStreams < 1 || start > maxStreams) {
            throw new Main.UserError("--start, --add and --max-streams must be at least 1, and --start at most"
                    + " --max-streams.", Main.EXIT_USAGE);
        }
        if (!(stepSeconds >= 1 && stepSeconds <= 3600)) {
            throw new Main.UserError("--step-seconds must be between 1 and 3600, got " + stepSeconds + ".",
                    Main.EXIT_USAGE);
        }
        if (!(maxLatencySeconds > 0 && maxLatencySeconds <= 60)) {
            throw new Main.UserError("--max-latency-seconds must be above 0 and at most 60, got " + maxLatencySeconds
                    + ".", Main.EXIT_USAGE);
        }
        if (!(maxCpuPercent > 0 && maxCpuPercent <= 100) || !(maxDecoderPercent > 0 && maxDecoderPercent <= 100)) {
            throw new Main.UserError("--max-cpu and --max-decoder are percentages above 0 and at most 100.",
                    Main.EXIT_USAGE);
        }
        return new CapacityRamp.Settings(clip, start, add, maxStreams, stepSeconds, maxLatencySeconds,
                maxCpuPercent / 100, maxDecoderPercent / 100);
    }

    /** serve's defaults with every detector on (or those of --detectors) and the backend asked for. */
    private VigilConfig configuration() {
        VigilConfig cfg = ServeConfig.analysisDefaults();
        SequencedMap<String, DetectorSettings> every = new LinkedHashMap<>();
        cfg.detectors().forEach((name, s) -> every.put(name, s.withEnabled(true)));
        cfg = cfg.withDetectors(detectors == null ? every : AnalyzeCommand.select(every, detectors));
        try {
            return cfg.withBackend(BackendChoice.parse(backend));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--backend: " + e.getMessage(), Main.EXIT_USAGE);
        }
    }

    private static long enabled(VigilConfig cfg) {
        return cfg.detectors().values().stream().filter(DetectorSettings::enabled).count();
    }

    private static void table(PrintStream out, MeasuredCapacity m, CapacityRamp.Result r) {
        out.printf(Locale.ROOT, "%s %s %d fps, statistics on %s, decoded on %s, host %s%n%n", m.size(), m.codec(),
                m.fps(), r.backend(), r.decoders(), m.host());
        out.println("streams  held  slowest fps  dropped  behind s   cpu  host cpu  NVDEC  alarms");
        for (CapacityRamp.Step s : r.steps()) {
            out.printf(Locale.ROOT, "%7d  %-4s  %11s  %7d  %8s  %4s  %8s  %5s  %6d%s%n", s.streams(),
                    s.held() ? "yes" : "no", figure("%.1f", s.slowestFps()), s.droppedFrames(),
                    figure("%.2f", s.behindSeconds()), percent(s.cpuShare()), percent(s.hostCpuShare()),
                    percent(s.decoderUtilization()), s.alarmCount(), s.held() ? "" : "  " + s.failure());
        }
        out.printf(Locale.ROOT, "%ncapacity: %d %s of %s %s at %d fps%s%n", m.streams(),
                m.streams() == 1 ? "stream" : "streams", m.size(), m.codec(), m.fps(),
                m.limitedBy() == null ? " (the most the ramp tried)" : " (stopped: " + m.limitedBy() + ")");
    }

    private static String json(MeasuredCapacity m, CapacityRamp.Result r, CapacityRamp.Settings s) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = m.toJson();
        o.put("decoders", r.decoders());
        o.put("stepSeconds", s.stepSeconds());
        o.put("maxLatencySeconds", s.maxLatencySeconds());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        ArrayNode steps = o.putArray("steps");
        for (CapacityRamp.Step step : r.steps()) {
            ObjectNode j = steps.addObject();
            j.put("streams", step.streams());
            j.put("held", step.held());
            j.put("failure", step.failure());
            putFigure(j, "slowestFps", step.slowestFps());
            j.put("droppedFrames", step.droppedFrames());
            j.put("decodeErrors", step.decodeErrors());
            j.put("inputFailures", step.inputFailures());
            putFigure(j, "behindSeconds", step.behindSeconds());
            putFigure(j, "cpuShare", step.cpuShare());
            putFigure(j, "hostCpuShare", step.hostCpuShare());
            putFigure(j, "decoderUtilization", step.decoderUtilization());
            putFigure(j, "gpuUtilization", step.gpuUtilization());
            ObjectNode alarms = j.putObject("alarms");
            step.alarms().forEach(alarms::put);
        }
        try {
            return mapper.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A figure, or null where it is unknown (JSON has no NaN). */
    private static void putFigure(ObjectNode o, String name, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(name);
        } else {
            o.put(name, v);
        }
    }

    private static String figure(String format, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is no reason to fail the bench
        }
    }
}
