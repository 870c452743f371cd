package io.vigil.engine;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaException;
import io.vigil.ffi.MediaInput;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.engine.StatisticsEngine;
import java.util.function.Consumer;

/**
 * Analyses one input from its start to its end (or until it breaks off): alarms as they happen, then a summary,
 * then an error object if the input broke. Never throws for anything the input can cause.
 */
public final class Analysis {
    /** How an analysis ended; {@link #exitCode()} is the contract's exit code of {@code vigil analyze}. */
    public enum Outcome {
        COMPLETE(0), OPEN_FAILED(3), BROKE_OFF(4);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** Where the analysis has got to, for a progress display. */
    public interface Progress {
        void update(String stream, double positionSeconds, double durationSeconds, long frames, double elapsedSeconds);
    }

    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;

    private Analysis() {
    }

    /** {@link #run(String, String, VigilConfig, EventSink, Progress, Consumer, StatisticsEngine)} on the CPU. */
    public static Outcome run(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                              Consumer<String> notices) {
        return run(input, stream, config, sink, progress, notices, CpuStatisticsEngine.reference());
    }

    /**
     * @param notices receives one-line notes for people (an input without video, say); not part of the contract
     * @param backend where video statistics are computed (and, for the GPU, which device's NVDEC decodes)
     */
    public static Outcome run(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                              Consumer<String> notices, StatisticsEngine backend) {
        return run(input, stream, config, sink, progress, notices, backend, null);
    }

    /**
     * As {@link #run(String, String, VigilConfig, EventSink, Progress, Consumer, StatisticsEngine)}, and with
     * {@code thumbnails} (a writable folder, see {@link StartFrames#prepare}; null for none) each video alarm gets a
     * JPEG of the frame where it began.
     */
    public static Outcome run(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                              Consumer<String> notices, StatisticsEngine backend, java.nio.file.Path thumbnails) {
        long started = System.nanoTime();
        MediaInput media;
        try {
            media = MediaInput.open(input, new DecodeOptions(config.decodeThreads(), config.ioTimeout(),
                    backend.decodeTarget()));
        } catch (MediaException e) {
            sink.accept(new Event.Error(stream, input, "open", e.getMessage()));
            return Outcome.OPEN_FAILED;
        }
        boolean live = media.location().remote();
        AlarmTracker tracker = new AlarmTracker(stream, sink, live);
        try (media; StreamAnalyzer analyzer = StreamAnalyzer.create(config, tracker, live, backend);
             FrameHandoff handoff = new FrameHandoff(analyzer, stream, live, analyzer::onIdle)) {
            if (thumbnails != null) {
                StartFrames keeper = StartFrames.create(config, thumbnails, stream, notices, backend);
                analyzer.startFrames(keeper);
                tracker.thumbnails(keeper);
            }
            if (analyzer.readsVideo() && !media.hasVideo()) {
                notices.accept(stream + ": no video stream, so the video detectors have nothing to check.");
            }
            if (analyzer.readsAudio() && !media.hasAudio()) {
                notices.accept(stream + ": no audio stream, so the audio detectors have nothing to check.");
            }
            MediaException broke = null;
            long nextProgress = started + PROGRESS_EVERY_NANOS;
            boolean noted = false;
            try {
                while (media.step(handoff)) {
                    if (!noted && media.hardwareNote() != null) {
                        noted = true;
                        notices.accept(stream + ": " + media.hardwareNote() + ".");
                    }
                    long now = System.nanoTime();
                    if (progress != null && now >= nextProgress) {
                        nextProgress = now + PROGRESS_EVERY_NANOS;
                        progress.update(stream, media.positionSeconds(), media.info().durationSeconds(),
                                media.videoFrames(), (now - started) / 1e9);
                    }
                }
            } catch (MediaException e) {
                broke = e;
            }
            handoff.drain();
            analyzer.finish();
            double elapsed = (System.nanoTime() - started) / 1e9;
            sink.accept(new Event.Summary(stream, input, media.videoFrames(), media.audioSamples(),
                    round(media.positionSeconds()), round(elapsed), analyzer.backend(),
                    media.decodingOnDevice() ? "nvdec" : "cpu", media.decodeErrors(), handoff.droppedFrames(),
                    new java.util.TreeMap<>(tracker.firedCounts()), analyzer.loudnessSummary()));
            if (broke != null) {
                sink.accept(new Event.Error(stream, input, "read", broke.getMessage()));
                return Outcome.BROKE_OFF;
            }
            return Outcome.COMPLETE;
        }
    }

    /** A stream id for an input: its file name, or the last part of a URL's path, or its host. */
    public static String streamIdFor(String input) {
        String s = input;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int slash = s.lastIndexOf('/');
        String last = slash >= 0 ? s.substring(slash + 1) : s;
        if (last.isEmpty() || last.contains(":")) {
            last = s.replaceAll("^[a-zA-Z]+://", "").replaceAll("[^A-Za-z0-9._-]", "_");
        }
        return last;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
