package io.vigil.server.live;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.pipeline.InputGuard;
import io.vigil.engine.pipeline.Sample;
import io.vigil.engine.pipeline.StreamSession;
import io.vigil.server.EventHub;
import io.vigil.server.LatencyHistogram;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamStatus;
import io.vigil.kernels.engine.StatisticsEngine;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stream, for as long as it is watched: a thread that opens the source in a watching {@link StreamSession}, reads
 * it, and when it drops (or a live source ends) reopens it after an exponential backoff with jitter, until it is
 * stopped. The session's analysis lives across reopenings (its stall detector keeps watching the wall clock while the
 * source is down, and every detector sees one timeline); this class keeps only the scheduling, the backoff and the
 * stream's status. Besides alarms, it publishes a {@link StatsSample} about once a second, keeps a 320 px JPEG of
 * the picture every ~3 s, and measures frame-to-alarm latency: from the moment the decoder handed over the frame (or
 * audio block) that made an alarm fire to its publication.
 */
final class StreamSupervisor {
    private static final long SAMPLE_EVERY_NANOS = 1_000_000_000L;
    private static final long THUMBNAIL_EVERY_NANOS = 3_000_000_000L;
    /** fps is measured over this many of the last samples (about 10 s). */
    private static final int FPS_WINDOW = 10;
    /**
     * How long a reopened source must deliver before the backoff starts again from its first step: a source that
     * fails again after a few frames keeps backing off.
     */
    static final long STABLE_SOURCE_NANOS = 10_000_000_000L;

    private final String id;
    private final String url;
    private final InputAddress location;
    private final VigilConfig config;
    private final StatisticsEngine backend;
    private final EventHub hub;
    /** Where the stream's events go: the hub, or in a fleet the failover handover in front of it. */
    private final EventSink events;
    private final InputGuard guard;
    private final Runnable onInputStarted;
    private final double initialBackoffSeconds;
    private final double maxBackoffSeconds;
    private final boolean live;
    private final Thread thread;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Map<String, Long> alarmsByDetector = new ConcurrentHashMap<>();
    private final Object wake = new Object();

    private volatile boolean stopping;
    private volatile StreamSession session;
    private volatile StreamStatus.State state = StreamStatus.State.STARTING;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    /** The statistics backend as the stream started: what the status shows. */
    private volatile String backendName;
    private volatile double fps;
    private volatile Map<String, Double> statistics = Map.of();
    private volatile byte[] thumbnail;
    private final AtomicLong reconnects = new AtomicLong();

    // Analysing thread: the samples fps is measured over.
    private final long[] sampleNanosRing = new long[FPS_WINDOW];
    private final long[] sampleFramesRing = new long[FPS_WINDOW];
    private long samplesTaken;

    StreamSupervisor(String id, String url, VigilConfig config, StatisticsEngine backend, EventHub hub,
                     EventSink events, InputGuard guard, Runnable onInputStarted, double initialBackoffSeconds,
                     double maxBackoffSeconds) {
        this.id = id;
        this.url = url;
        this.location = InputAddress.parse(url);
        this.config = config;
        this.backend = backend;
        this.hub = hub;
        this.events = events;
        this.guard = guard;
        this.onInputStarted = onInputStarted;
        this.initialBackoffSeconds = initialBackoffSeconds;
        this.maxBackoffSeconds = maxBackoffSeconds;
        this.live = location.remote();
        this.thread = Thread.ofPlatform().name("vigil-stream-" + id).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Asks the stream to stop (returns at once); {@link #awaitStopped} waits for it. */
    void requestStop() {
        stopping = true;
        StreamSession s = session;
        if (s != null) {
            s.abort();
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Waits until the stream's thread has ended (its firing alarms resolved and its summary published) or the clock
     * reaches {@code deadlineNanos} ({@link System#nanoTime}); returns whether it ended. A thread still inside an open
     * that the interrupt callback cannot reach (a blocking system call) is abandoned: it is a daemon, and it stops on
     * its own once the call returns.
     */
    boolean awaitStopped(long deadlineNanos) {
        boolean interrupted = false;
        long left;
        while (thread.isAlive() && (left = deadlineNanos - System.nanoTime()) > 0) {
            try {
                thread.join(java.time.Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    String id() {
        return id;
    }

    LatencyHistogram latency() {
        return latency;
    }

    byte[] thumbnail() {
        return thumbnail;
    }

    StreamStatus status() {
        StreamSession s = session;
        return new StreamStatus(id, location.displayName(), state, backendName,
                s == null ? null : s.decoder(), fps, s == null ? 0 : s.framesAnalysed(),
                s == null ? 0 : s.decodeErrors(), s == null ? 0 : s.droppedFrames(), reconnects.get(), lastError,
                since, statistics, hub.active(id), new TreeMap<>(alarmsByDetector));
    }

    private void state(StreamStatus.State s) {
        if (state != s) {
            state = s;
            since = Instant.now();
        }
    }

    private void run() {
        try (StreamSession s = StreamSession.of(id, url, config, backend, this::publish).watching().guard(guard)
                .onInputStarted(() -> {
                    state(StreamStatus.State.RUNNING);
                    onInputStarted.run();
                })
                .samples(SAMPLE_EVERY_NANOS, this::sampled)
                .pictures(THUMBNAIL_EVERY_NANOS, jpeg -> thumbnail = jpeg)
                .start()) {
            session = s;
            if (stopping) {
                s.abort();
            }
            backendName = s.backend();
            watch(s);
            // Every frame handed over is analysed first: what is still firing resolves here.
            Event.Summary summary = s.finish();
            state(StreamStatus.State.STOPPED);
            publish(summary);
        } catch (RuntimeException | Error e) {
            lastError = "The analysis failed: " + e.getMessage();
            publish(new Event.Error(id, location.displayName(), "read", lastError));
            resolveAbandoned();
        } finally {
            state(StreamStatus.State.STOPPED);
        }
    }

    /** Opens, reads and reopens the source until it is stopped (or, a file, until it ends or breaks off). */
    private void watch(StreamSession s) {
        int failures = 0;
        boolean reportedDown = false;
        while (!stopping) {
            String stage = "open";
            try {
                s.open();
                if (stopping) {
                    break;
                }
                stage = "read";
                boolean more = true;
                long upSinceNanos = 0;
                while (more && !stopping) {
                    more = s.step();
                    if (s.inputStarted() && failures > 0) {
                        long now = System.nanoTime();
                        if (upSinceNanos == 0) {
                            upSinceNanos = now;
                        } else if (now - upSinceNanos >= STABLE_SOURCE_NANOS) {
                            failures = 0;
                            reportedDown = false;
                            lastError = null;
                        }
                    }
                }
                if (!live && !stopping) {
                    break;
                }
                if (!stopping) {
                    lastError = "The source ended.";
                }
            } catch (InputException e) {
                if (stopping) {
                    break;
                }
                lastError = e.getMessage();
                if (!reportedDown) {
                    reportedDown = true;
                    publish(new Event.Error(id, location.displayName(), stage, e.getMessage()));
                }
                if (!live && stage.equals("read")) {
                    // A file that breaks off is done: reading it again would repeat its alarms.
                    break;
                }
            } finally {
                s.closeInput();
            }
            if (stopping) {
                break;
            }
            state(StreamStatus.State.RECONNECTING);
            backoff(failures++);
            if (!stopping) {
                reconnects.incrementAndGet();
            }
        }
    }

    /**
     * The analysis died (a bug, not the input): its tracker can no longer resolve what it raised, so every alarm of
     * this stream still firing is resolved here at the last media time seen, as the contract wants a resolved event
     * after each firing one.
     */
    private void resolveAbandoned() {
        StreamSession s = session;
        String wallEnd = java.time.format.DateTimeFormatter.ISO_INSTANT
                .format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        for (Event.Alarm a : hub.active(id)) {
            double end = Math.max(a.start(), s == null ? 0 : s.timelineEndSeconds());
            publish(new Event.Alarm(Event.Alarm.RESOLVED, a.detector(), a.stream(), a.channel(), a.dedupKey(),
                    a.severity(), a.start(), round(end), round(end - a.start()), a.wallStart(),
                    live ? wallEnd : null, a.summary(), a.metrics(), a.cause(), a.thumbnail()));
        }
    }

    /** Waits {@code min(max, initial * 2^failures)}, the second half of it random, or until stopped. */
    private void backoff(int failures) {
        double full = Math.min(maxBackoffSeconds, initialBackoffSeconds * Math.pow(2, Math.min(failures, 30)));
        double seconds = full / 2 + ThreadLocalRandom.current().nextDouble() * full / 2;
        long deadline = System.nanoTime() + Math.round(seconds * 1e9);
        synchronized (wake) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Every event of the stream on its way to the hub: counts and frame-to-alarm latency. */
    private void publish(Event event) {
        if (event instanceof Event.Alarm a && a.firing()) {
            alarmsByDetector.merge(a.detector(), 1L, Long::sum);
            StreamSession s = session;
            double frameAgeSeconds = s == null ? Double.NaN : s.frameAgeSeconds();
            if (!Double.isNaN(frameAgeSeconds)) {
                latency.observe(frameAgeSeconds);
            }
        }
        events.accept(event);
    }

    /** A sample from the analysing thread: fps over the last samples, the figures for the status and the charts. */
    private void sampled(Sample sample) {
        long now = sample.nanoTime();
        long frames = sample.framesAnalysed();
        // Over the last FPS_WINDOW samples: an HLS source delivers a segment (2 to 10 s) at a time.
        int oldest = samplesTaken < FPS_WINDOW ? 0 : (int) (samplesTaken % FPS_WINDOW);
        if (samplesTaken > 0 && frames > 0) {
            long fromNanos = sampleNanosRing[oldest];
            long fromFrames = sampleFramesRing[oldest];
            fps = Math.round((frames - fromFrames) / ((now - fromNanos) / 1e9) * 100) / 100.0;
        }
        if (frames > 0) {
            sampleNanosRing[(int) (samplesTaken % FPS_WINDOW)] = now;
            sampleFramesRing[(int) (samplesTaken % FPS_WINDOW)] = frames;
            samplesTaken++;
        }
        Map<String, Double> values = sample.figures();
        values.put("fps", fps);
        statistics = Map.copyOf(values);
        hub.accept(new StatsSample(id, Instant.now(), sample.mediaSeconds(), values));
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + location.displayName() + ")";
    }
}
