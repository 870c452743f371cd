package io.vigil.engine;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.alarm.OpenAlarms;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.pipeline.StreamSession;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import io.vigil.kernels.engine.StatisticsEngine;
import java.util.function.Consumer;

/**
 * Analyses one input from its start to its end (or until it breaks off) in a {@link StreamSession}: alarms as they
 * happen, then a summary, then an error object if the input broke; or, if the analysis itself failed (a bug, not the
 * input), its firing alarms resolved and an error object. Never throws: every input ends with a summary or an error.
 */
public final class Analysis {
    /** How an analysis ended; {@link #exitCode()} is the contract's exit code of {@code vigil analyze}. */
    public enum Outcome {
        COMPLETE(0), OPEN_FAILED(3), BROKE_OFF(4), FAILED(5),
        /** Stopped on request ({@link Stop}): 130, as a shell says of a command Ctrl-C stopped. */
        STOPPED(130);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        /**
         * 0 analysed to the end, 3 could not be opened, 4 broke off, 5 the analysis failed: the higher, the worse;
         * 130 stopped on request.
         */
        public int exitCode() {
            return exitCode;
        }
    }

    /** Where the analysis has got to, for a progress display. */
    public interface Progress {
        void update(String stream, double positionSeconds, double durationSeconds, long frames, double elapsedSeconds);
    }

    /**
     * A request to stop analyses early (Ctrl-C), from any thread: each running analysis stops reading, resolves what
     * is firing and writes its summary, without an error; those not yet started do not start.
     */
    public static final class Stop {
        private static final long ABORT_AFTER_MILLIS = 500;

        private final java.util.Set<StreamSession> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean requested;

        /**
         * Stops every running analysis and those to come; returns at once. Each stops between two packets; one still
         * waiting for data after {@link #ABORT_AFTER_MILLIS} is aborted (an abort in the middle of a read could hand
         * the decoder a cut packet, and its garbage to the detectors).
         */
        public void request() {
            requested = true;
            Thread.ofVirtual().name("vigil-stop").start(() -> {
                try {
                    Thread.sleep(ABORT_AFTER_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (StreamSession s : running) {
                    s.abort();
                }
            });
        }

        public boolean requested() {
            return requested;
        }

        private void started(StreamSession session) {
            running.add(session);
            if (requested) {
                session.abort();   // nothing read yet: nothing to cut
            }
        }

        private void ended(StreamSession session) {
            running.remove(session);
        }
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
     * {@code thumbnails} (a writable folder, see {@link io.vigil.engine.pipeline.StartFrames#prepare}; null for none) each video alarm gets a
     * JPEG of the frame where it began.
     */
    public static Outcome run(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                              Consumer<String> notices, StatisticsEngine backend, java.nio.file.Path thumbnails) {
        return run(input, stream, config, sink, progress, notices, backend, thumbnails, new Stop());
    }

    /**
     * As {@link #run(String, String, VigilConfig, EventSink, Progress, Consumer, StatisticsEngine, java.nio.file.Path)},
     * stopped early by {@code stop}: then the input's summary comes as at its end (alarms resolved) and the outcome is
     * {@link Outcome#STOPPED}.
     */
    public static Outcome run(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                              Consumer<String> notices, StatisticsEngine backend, java.nio.file.Path thumbnails,
                              Stop stop) {
        if (stop.requested()) {
            return Outcome.STOPPED;
        }
        String outerStream = io.vigil.engine.log.StreamLogContext.current();
        io.vigil.engine.log.StreamLogContext.enter(stream);   // this input's log lines, FFmpeg's too, carry its id
        try {
            return runLogged(input, stream, config, sink, progress, notices, backend, thumbnails, stop);
        } finally {
            io.vigil.engine.log.StreamLogContext.enter(outerStream);
        }
    }

    private static Outcome runLogged(String input, String stream, VigilConfig config, EventSink sink,
                                     Progress progress, Consumer<String> notices, StatisticsEngine backend,
                                     java.nio.file.Path thumbnails, Stop stop) {
        OpenAlarms open = new OpenAlarms(sink);
        StreamSession[] session = new StreamSession[1];
        try {
            return analyse(input, stream, config, open, progress, notices, backend, thumbnails, session, stop);
        } catch (RuntimeException | Error e) {
            // Not the input's doing: what fired resolves where the analysis got to, and the input gets its error.
            StreamSession s = session[0];
            try {
                open.resolveAll(s == null ? Double.NaN : s.positionSeconds(), false);
            } catch (RuntimeException sinkFailed) {
                e.addSuppressed(sinkFailed);   // the sink is what failed: the error below is all it can still take
            }
            sink.accept(new Event.Error(stream, input, "analysis", failure(e)));
            return Outcome.FAILED;
        }
    }

    private static Outcome analyse(String input, String stream, VigilConfig config, EventSink sink, Progress progress,
                                   Consumer<String> notices, StatisticsEngine backend,
                                   java.nio.file.Path thumbnails, StreamSession[] started, Stop stop) {
        long startedNanos = System.nanoTime();
        StreamSession session;
        try {
            session = StreamSession.of(stream, input, config, backend, sink).thumbnails(thumbnails).notices(notices)
                    .start();
        } catch (InputException e) {
            sink.accept(new Event.Error(stream, InputAddress.mask(input), "open", e.getMessage()));
            return Outcome.OPEN_FAILED;
        }
        started[0] = session;
        stop.started(session);
        try (session) {
            try {
                session.open();
            } catch (InputException e) {
                if (stop.requested()) {
                    sink.accept(session.finish());
                    return Outcome.STOPPED;
                }
                sink.accept(new Event.Error(stream, InputAddress.mask(input), "open", e.getMessage()));
                return Outcome.OPEN_FAILED;
            }
            InputException broke = null;
            long nextProgress = startedNanos + PROGRESS_EVERY_NANOS;
            try {
                while (!stop.requested() && session.step()) {
                    long now = System.nanoTime();
                    if (progress != null && now >= nextProgress) {
                        nextProgress = now + PROGRESS_EVERY_NANOS;
                        progress.update(stream, session.positionSeconds(), session.durationSeconds(),
                                session.framesDecoded(), (now - startedNanos) / 1e9);
                    }
                }
            } catch (InputException e) {
                broke = e;
            }
            sink.accept(session.finish());
            if (stop.requested()) {
                return Outcome.STOPPED;
            }
            if (broke != null) {
                sink.accept(new Event.Error(stream, InputAddress.mask(input), "read", broke.getMessage()));
                return Outcome.BROKE_OFF;
            }
            return Outcome.COMPLETE;
        } finally {
            stop.ended(session);
        }
    }

    /** One sentence for an analysis that failed of itself: what was thrown, and that it is vigil's fault. */
    public static String failure(Throwable e) {
        String message = e.getMessage();
        return "The analysis failed (" + e.getClass().getSimpleName()
                + (message == null || message.isBlank() ? "" : ": " + message.strip().lines().findFirst().orElse(""))
                + "); this is a fault in vigil, not in the input: please report it.";
    }

    /** A stream id for an input: its file name, or the last part of a URL's path, or its host; stdin for standard input. */
    public static String streamIdFor(String input) {
        if (InputAddress.stdin(input)) {
            return "stdin";
        }
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
}
