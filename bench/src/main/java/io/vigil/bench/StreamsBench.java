package io.vigil.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.ffi.ClipWriter;
import io.vigil.kernels.cuda.CudaStatisticsEngine;
import io.vigil.kernels.engine.BackendChoice;
import io.vigil.kernels.engine.Engines;
import io.vigil.kernels.engine.StatisticsEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many streams one process keeps up with: decodes N copies of a clip at once with every video statistic, on
 * the GPU (NVDEC + CUDA) or the CPU, and prints the figures the GPU check reports.
 *
 * <pre>
 * StreamsBench --make-clip FILE --seconds S            writes a 1080p30 H.264 clip (ClipWriter; no ffmpeg needed)
 * StreamsBench --backend gpu|cpu --streams N FILE       analyses N copies of FILE at once
 * </pre>
 */
public final class StreamsBench {
    private static final int WIDTH = 1920;
    private static final int HEIGHT = 1080;
    private static final int FPS = 30;

    private StreamsBench() {
    }

    public static void main(String[] args) throws Exception {
        String clip = null;
        String make = null;
        double seconds = 20;
        int streams = 1;
        BackendChoice backend = BackendChoice.AUTO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--make-clip" -> make = args[++i];
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--streams" -> streams = Integer.parseInt(args[++i]);
                case "--backend" -> backend = BackendChoice.parse(args[++i]);
                default -> clip = args[i];
            }
        }
        if (make != null) {
            makeClip(Path.of(make), seconds);
            return;
        }
        if (clip == null) {
            System.err.println("usage: StreamsBench --make-clip FILE --seconds S | --backend gpu|cpu --streams N FILE");
            System.exit(2);
        }
        run(clip, streams, backend);
    }

    /** A 1080p30 clip with motion everywhere (a moving gradient and grain), so that no frame is frozen or black. */
    static void makeClip(Path file, double seconds) {
        int frames = (int) Math.round(seconds * FPS);
        float[][] audio = {new float[48_000 / FPS], new float[48_000 / FPS]};
        try (ClipWriter writer = ClipWriter.create(file, WIDTH, HEIGHT, FPS, 48_000, 2)) {
            for (int f = 0; f < frames; f++) {
                final int frame = f;
                writer.writeVideo((i, y, ys, u, v, cs) -> {
                    for (int r = 0; r < HEIGHT; r++) {
                        long row = (long) r * ys;
                        for (int x = 0; x < WIDTH; x++) {
                            int grain = ((x * 31 + r * 17 + frame * 13) * 2654435761L >>> 28) > 12 ? 3 : 0;
                            y.set(JAVA_BYTE, row + x, (byte) (40 + ((x + 2 * frame) % 160) + grain));
                        }
                    }
                    for (int r = 0; r < HEIGHT / 2; r++) {
                        for (int x = 0; x < WIDTH / 2; x++) {
                            u.set(JAVA_BYTE, (long) r * cs + x, (byte) (110 + (x + frame) % 40));
                            v.set(JAVA_BYTE, (long) r * cs + x, (byte) (120 + (r + frame) % 30));
                        }
                    }
                });
                writer.writeAudio(audio, audio[0].length);
            }
        }
    }

    static void run(String clip, int streams, BackendChoice choice) throws InterruptedException {
        SequencedMap<String, DetectorSettings> detectors = new LinkedHashMap<>();
        VigilConfig.defaults().detectors().forEach((name, s) -> detectors.put(name, s.withEnabled(!name.equals("silence"))));
        VigilConfig config = VigilConfig.defaults().withDetectors(detectors).withDecodeThreads(1);
        Engines.Selection selection = Engines.select(config.withBackend(choice).engineOptions());
        AtomicLong frames = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        double[] media = new double[streams];
        String[] decoder = new String[streams];
        String[] statistics = new String[streams];
        try (StatisticsEngine backend = selection.engine()) {
            long started = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                final int n = s;
                threads.add(Thread.ofPlatform().name("stream-" + s).start(() -> {
                    Analysis.Outcome outcome = Analysis.run(clip, "s" + n, config, event -> {
                        if (event instanceof Event.Summary summary) {
                            frames.addAndGet(summary.frames());
                            media[n] = summary.mediaSeconds();
                            decoder[n] = summary.decoder();
                            statistics[n] = summary.backend();
                        }
                    }, null, note -> System.err.println("note: " + note), backend);
                    if (outcome != Analysis.Outcome.COMPLETE) {
                        failures.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            double wall = (System.nanoTime() - started) / 1e9;
            double totalFps = frames.get() / wall;
            double streamFps = media[0] > 0 ? frames.get() / (double) streams / media[0] : FPS;
            System.out.printf(Locale.ROOT, "backend %s%n", backend.name());
            System.out.printf(Locale.ROOT, "device %s%n", backend.description());
            if (selection.reason() != null && backend.name().equals("cpu") && choice != BackendChoice.CPU) {
                System.out.printf(Locale.ROOT, "cpu_because %s%n", selection.reason());
            }
            System.out.printf(Locale.ROOT, "streams %d%n", streams);
            System.out.printf(Locale.ROOT, "failed_streams %d%n", failures.get());
            System.out.printf(Locale.ROOT, "decoder %s%n", String.join(",", distinct(decoder)));
            System.out.printf(Locale.ROOT, "statistics %s%n", String.join(",", distinct(statistics)));
            System.out.printf(Locale.ROOT, "media_seconds_per_stream %.2f%n", media[0]);
            System.out.printf(Locale.ROOT, "wall_seconds %.2f%n", wall);
            System.out.printf(Locale.ROOT, "total_fps %.1f%n", totalFps);
            System.out.printf(Locale.ROOT, "realtime_streams %d%n", (int) Math.min(streams, Math.floor(totalFps / streamFps)));
            if (backend instanceof CudaStatisticsEngine gpu) {
                var f = gpu.figures();
                System.out.printf(Locale.ROOT, "batches %d%n", f.batches());
                System.out.printf(Locale.ROOT, "frames_per_batch %.1f%n", f.framesPerBatch());
                System.out.printf(Locale.ROOT, "kernel_ms_per_frame %.4f%n", f.kernelMillisPerFrame());
                System.out.printf(Locale.ROOT, "d2h_bytes_per_frame %d%n", f.bytesToHostPerFrame());
            } else {
                System.out.printf(Locale.ROOT, "kernel_ms_per_frame n/a%n");
                System.out.printf(Locale.ROOT, "d2h_bytes_per_frame 0%n");
            }
        }
    }

    private static List<String> distinct(String[] values) {
        return java.util.Arrays.stream(values).filter(java.util.Objects::nonNull).distinct().toList();
    }
}
