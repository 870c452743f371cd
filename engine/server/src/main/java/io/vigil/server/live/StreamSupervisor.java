package io.vigil.server.live;

import io.vigil.engine.Analysis;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.alarm.OpenAlarms;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.pipeline.InputGuard;
import io.vigil.engine.pipeline.Sample;
import io.vigil.engine.pipeline.StreamSession;
import io.vigil.server.EventHub;
import io.vigil.server.AlarmFigures;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceStore;
import io.vigil.server.evidence.StreamEvidence;
import io.vigil.kernels.engine.StatisticsEngine;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One stream, for as long as it is watched: a thread that opens the source in a watching {@link StreamSession}, reads
 * it, and when it drops (or a live source ends) reopens it after an exponential backoff with jitter, until it is
 * stopped. The session's analysis lives across reopenings (its stall detector keeps watching the wall clock while the
 * source is down, and every detector sees one timeline); this class keeps only the scheduling, the backoff and the
 * stream's status. Besides alarms, it publishes a {@link StatsSample} about once a second, keeps a 320 px JPEG of
 * the picture every ~3 s, and measures frame-to-alarm latency: from the moment the decoder handed over the frame (or
 * audio block) that made an alarm fire to its publication.
 *
 * <p>The stream's fault boundary: whatever escapes its analysis (a bug; what the content does to a detector or a
 * statistic is handled inside the analysis) becomes an {@code error} event (stage {@code analysis}) and a critical
 * {@code monitoring_failed} alarm, and the analysis restarts after the reconnect backoff; the alarm resolves when the
 * restarted analysis has frames again. A stream whose analysis fails {@code reconnect.quarantineFailures} times within
 * {@code reconnect.quarantineWithinMinutes} is quarantined: its alarm fires with the reason and nothing restarts
 * until {@link #release} (the API's {@code POST /api/streams/{id}/release}).
 */
final class StreamSupervisor {
    /** The detector name of the alarm a stream's failing analysis raises (no detector spec: the service raises it). */
    static final String MONITORING_FAILED = "monitoring_failed";

    private static final Logger LOG = Logger.getLogger(StreamSupervisor.class.getName());
    /** The analysis is sampled this often for the level meters (10 a second) ... */
    private static final long SAMPLE_EVERY_NANOS = 100_000_000L;
    /** ... and the statistics are published once a second, with the meters' frames since the last. */
    private static final long PUBLISH_EVERY_NANOS = 1_000_000_000L;
    /** At most this many meter frames per published sample (a burst of samples is not kept whole). */
    private static final int MAX_LEVEL_FRAMES = 20;
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
    private final ServeConfig.Reconnect reconnect;
    private final StreamLifecycle lifecycle;
    private final boolean live;
    private final Thread thread;
    private final AlarmFigures alarmFigures = new AlarmFigures();
    private final Map<String, Long> alarmsByDetector = new ConcurrentHashMap<>();
    private final Object wake = new Object();

    private volatile boolean stopping;
    /** Why it stops ({@link #requestStop}): the cause its alarms resolved by the stop carry; null until then. */
    private volatile String stopCause;
    /** The analysis now and what the earlier ones counted ({@link Counted}). */
    private volatile Counted counted = new Counted(null, 0, 0, 0);
    private volatile StreamStatus.State state = StreamStatus.State.STARTING;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    /** The statistics backend as the stream started: what the status shows. */
    private volatile String backendName;
    private volatile double fps;
    private volatile Map<String, Double> statistics = Map.of();
    private volatile byte[] thumbnail;
    /** Puts the alarms' start pictures and clips into their events; null: the service keeps no evidence. */
    private volatile StreamEvidence evidence;
    /** When the thumbnail was made (set before it). */
    private volatile Instant thumbnailTime;
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** When the analysis failed, within the quarantine window (guarded by {@link #wake}). */
    private final Deque<Long> recentFailureNanos = new ArrayDeque<>();
    /** Whether the stream is quarantined (guarded by {@link #wake}; volatile for the status). */
    private volatile boolean quarantined;
    /** Where the timeline of the analysis that failed last had got to (the stream's thread only). */
    private double failedAtSeconds;
    /** The firing monitoring_failed alarm and when it fired; null when it does not fire (the stream's thread only). */
    private Event.Alarm monitoringFailed;
    private long monitoringFailedNanos;

    // Analysing thread: the samples fps is measured over.
    private final long[] sampleNanosRing = new long[FPS_WINDOW];
    private final long[] sampleFramesRing = new long[FPS_WINDOW];
    private long samplesTaken;
    /** Meter frames since the last published sample, and when that was (nanoTime; 0: never). */
    private final List<StatsSample.Levels> levelFrames = new ArrayList<>();
    private long publishedNanos;

    StreamSupervisor(String id, String url, VigilConfig config, StatisticsEngine backend, EventHub hub,
                     EventSink events, InputGuard guard, Runnable onInputStarted, ServeConfig.Reconnect reconnect,
                     StreamLifecycle lifecycle) {
        this.id = id;
        this.url = url;
        this.location = InputAddress.parse(url);
        this.config = config;
        this.backend = backend;
        this.hub = hub;
        this.events = events;
        this.guard = guard;
        this.onInputStarted = onInputStarted;
        this.reconnect = reconnect;
        this.lifecycle = lifecycle;
        this.live = location.remote();
        this.thread = Thread.ofPlatform().name("vigil-stream-" + id).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Each alarm of the stream keeps its start picture and clip in {@code store} (call before {@link #start}). */
    void keepEvidence(EvidenceStore store) {
        evidence = new StreamEvidence(id, location.displayName(), store, this::publish);
    }

    /** The session with the analysis's start pictures and packet memory, when the stream keeps evidence. */
    private StreamSession.Builder withEvidence(StreamSession.Builder builder) {
        StreamEvidence e = evidence;
        if (e == null) {
            return builder;
        }
        builder.thumbnails(e.pictures());
        return e.clipSettings() == null ? builder : builder.clips(e.clipSettings(), e.clipWriter());
    }

    /**
     * Starts quarantined (call before {@link #start}): the stream's alarm fires with {@code reason} and nothing runs
     * until {@link #release}.
     */
    void startQuarantined(String reason) {
        synchronized (wake) {
            quarantined = true;
        }
        lastError = reason;
        state(StreamStatus.State.QUARANTINED);
    }

    /**
     * Lets a quarantined stream run again: its failures are forgotten and its analysis restarts (from any thread).
     * Returns false when it was not quarantined.
     */
    boolean release() {
        synchronized (wake) {
            if (!quarantined) {
                return false;
            }
            quarantined = false;
            recentFailureNanos.clear();
            // Here, not when the stream's thread wakes: the caller's status shows the stream on its way back.
            lastError = null;
            state(StreamStatus.State.RECONNECTING);
            wake.notifyAll();
        }
        return true;
    }

    /**
     * Asks the stream to stop (returns at once); {@link #awaitStopped} waits for it. The alarms the stop resolves
     * (those firing as the analysis ends) carry {@code cause} unless they name one of their own.
     */
    void requestStop(String cause) {
        stopCause = cause;
        stopping = true;
        StreamSession s = counted.session();
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

    AlarmFigures alarmFigures() {
        return alarmFigures;
    }

    /** Where the current analysis's timeline has got to (read from another thread: a figure, not a fence). */
    double timelineSeconds() {
        StreamSession s = counted.session();
        return s == null ? failedAtSeconds : s.timelineEndSeconds();
    }

    byte[] thumbnail() {
        return thumbnail;
    }

    Instant thumbnailTime() {
        return thumbnailTime;
    }

    StreamStatus status() {
        Counted now = counted;
        StreamSession s = now.session();
        return new StreamStatus(id, location.displayName(), state, backendName,
                s == null ? null : s.decoder(), fps, now.frames(), now.decodeErrors(), now.droppedFrames(),
                reconnects.get(), failures.get(),
                lastError, since, statistics, hub.active(id), new TreeMap<>(alarmsByDetector), List.of(),
                s == null ? null : s.transportFigures());
    }

    private void state(StreamStatus.State s) {
        if (state != s) {
            state = s;
            since = Instant.now();
        }
    }

    private void run() {
        // Every line this thread and those it starts (decoding, analysis, FFmpeg's) log carries the stream.
        io.vigil.engine.log.StreamLogContext.enter(id);
        try {
            boolean wasQuarantined;
            synchronized (wake) {
                wasQuarantined = quarantined;
            }
            if (wasQuarantined) {
                raiseMonitoringFailed(0, lastError);
            }
            // A release may come at any moment (even before this thread waits for it): awaitRelease returns at once.
            boolean watch = !wasQuarantined || awaitRelease();
            if (watch) {
                lifecycle.analysing(id);
            }
            while (watch && !stopping) {
                if (!analyseUntilFailure() || stopping) {
                    break;
                }
                int recent = recentFailures();
                if (recent >= reconnect.quarantineFailures()) {
                    quarantine(recent);
                    watch = awaitRelease();
                    if (watch) {
                        lifecycle.analysing(id);
                    }
                    continue;
                }
                state(StreamStatus.State.RECONNECTING);
                backoff(recent - 1);
            }
        } finally {
            // The stream is no longer watched here: its own alarm resolves with the others.
            resolveMonitoringFailed();
            lifecycle.idle(id);
            state(StreamStatus.State.STOPPED);
        }
    }

    /**
     * One analysis of the stream, in its own session, until it is stopped or (a file) ends: true when it failed, its
     * failure reported and what it left firing resolved.
     */
    private boolean analyseUntilFailure() {
        StreamSession current = null;
        try (StreamSession s = withEvidence(StreamSession.of(id, url, config, backend, this::publish)).watching()
                .guard(guard).notices(note -> LOG.warning(note))
                .onInputStarted(() -> {
                    state(StreamStatus.State.RUNNING);
                    // The restarted analysis has frames again.
                    resolveMonitoringFailed();
                    onInputStarted.run();
                })
                .samples(SAMPLE_EVERY_NANOS, this::sampled)
                .pictures(THUMBNAIL_EVERY_NANOS, jpeg -> {
                    thumbnailTime = Instant.now();
                    thumbnail = jpeg;
                })
                .start()) {
            current = s;
            counted = counted.with(s);
            if (stopping) {
                s.abort();
            }
            backendName = s.backend();
            watch(s);
            // Every frame handed over is analysed first: what is still firing resolves here.
            Event.Summary summary = s.finish();
            state(StreamStatus.State.STOPPED);
            publish(summary);
            return false;
        } catch (RuntimeException | Error e) {
            if (stopping && e instanceof InputException) {
                return false;
            }
            failed(e, current);
            if (current != null) {
                // The next analysis is a new session: what this one counted stays counted.
                counted = counted.ended();
            }
            return true;
        }
    }

    /** The analysis failed of itself: an error event, what it raised resolved, the stream's alarm raised. */
    private void failed(Throwable e, StreamSession s) {
        failures.incrementAndGet();
        synchronized (wake) {
            recentFailureNanos.addLast(System.nanoTime());
        }
        String message = Analysis.failure(e);
        lastError = message;
        LOG.log(Level.WARNING, "stream " + id + ": " + message, e);
        publish(new Event.Error(id, location.displayName(), "analysis", message));
        resolveAbandoned(s);
        failedAtSeconds = s == null ? 0 : s.timelineEndSeconds();
        if (recentFailures() < reconnect.quarantineFailures()) {
            raiseMonitoringFailed(failedAtSeconds, "monitoring failed: " + message + " The analysis restarts.");
        }
    }

    /** The failures within the quarantine window, the older ones forgotten. */
    private int recentFailures() {
        long windowNanos = Math.round(reconnect.quarantineWithinMinutes() * 60e9);
        long now = System.nanoTime();
        synchronized (wake) {
            while (!recentFailureNanos.isEmpty() && now - recentFailureNanos.peekFirst() > windowNanos) {
                recentFailureNanos.removeFirst();
            }
            return recentFailureNanos.size();
        }
    }

    /** Too many failures: the stream waits, its alarm firing with the reason, until it is released. */
    private void quarantine(int recent) {
        String reason = String.format(Locale.ROOT, "Quarantined: the analysis failed %d times within %s minutes"
                        + " (last: %s). POST /api/streams/%s/release to watch it again.", recent,
                minutes(reconnect.quarantineWithinMinutes()), lastError, id);
        // A firing alarm that still says "restarts" gives way to one that says why nothing restarts.
        resolveMonitoringFailed();
        raiseMonitoringFailed(failedAtSeconds, reason);
        LOG.warning("stream " + id + ": " + reason);
        lifecycle.idle(id);
        // Quarantined only now, its alarm firing, in one step with its state and reason: a release finds the stream
        // either not yet quarantined or wholly so, and what it sets is not overwritten afterwards.
        synchronized (wake) {
            quarantined = true;
            lastError = reason;
            state(StreamStatus.State.QUARANTINED);
        }
    }

    private static String minutes(double m) {
        return m == Math.rint(m) ? Long.toString((long) m) : Double.toString(m);
    }

    /** Waits while quarantined; false when the stream was stopped instead of released. */
    private boolean awaitRelease() {
        synchronized (wake) {
            while (quarantined && !stopping) {
                try {
                    wake.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !stopping;
        }
    }

    /** Raises the stream's monitoring_failed alarm (critical) at media time {@code atSeconds}, unless it fires. */
    private void raiseMonitoringFailed(double atSeconds, String summary) {
        if (monitoringFailed != null) {
            return;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("failures", (double) failures.get());
        double start = Math.round(Math.max(0, atSeconds) * 1000) / 1000.0;
        monitoringFailed = new Event.Alarm(Event.Alarm.FIRING, MONITORING_FAILED, id, null,
                id + "/" + MONITORING_FAILED, "critical", start, null, null, OpenAlarms.wall(Instant.now()), null, summary,
                metrics, null, null);
        monitoringFailedNanos = System.nanoTime();
        publish(monitoringFailed);
    }

    /** Resolves the stream's monitoring_failed alarm, if it fires: its duration is the wall time it fired. */
    private void resolveMonitoringFailed() {
        Event.Alarm firing = monitoringFailed;
        if (firing == null) {
            return;
        }
        monitoringFailed = null;
        double firedSeconds = (System.nanoTime() - monitoringFailedNanos) / 1e9;
        publish(OpenAlarms.resolved(firing, firing.start() + firedSeconds, Instant.now()));
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
     * this stream still firing (but the stream's own monitoring_failed) is resolved here at the last media time seen,
     * as the contract wants a resolved event after each firing one.
     */
    private void resolveAbandoned(StreamSession s) {
        double end = s == null ? 0 : s.timelineEndSeconds();
        for (Event.Alarm a : hub.active(id)) {
            if (!a.detector().equals(MONITORING_FAILED)) {
                publish(OpenAlarms.resolved(a, end, live ? Instant.now() : null));
            }
        }
    }

    /** Waits {@code min(max, initial * 2^failures)}, the second half of it random, or until stopped. */
    private void backoff(int failures) {
        double full = Math.min(reconnect.maxSeconds(),
                reconnect.initialSeconds() * Math.pow(2, Math.min(Math.max(failures, 0), 30)));
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

    /** Every event of the stream on its way to the hub: counts, severities and frame-to-alarm latency. */
    private void publish(Event event) {
        String stoppedBy = stopCause;
        if (stoppedBy != null && event instanceof Event.Alarm a && !a.firing() && a.cause() == null) {
            event = new Event.Alarm(a.status(), a.detector(), a.stream(), a.channel(), a.check(), a.priority(), a.pid(),
                    a.dedupKey(), a.severity(), a.start(), a.end(), a.duration(), a.wallStart(), a.wallEnd(),
                    a.summary(), a.metrics(), stoppedBy, a.thumbnail(), a.clip(), a.suppressed());
        }
        StreamEvidence e = evidence;
        if (e != null && event instanceof Event.Alarm a && !a.detector().equals(MONITORING_FAILED)) {
            StreamSession s = counted.session();
            event = e.annotate(a, s == null ? null : s.clips());
        }
        if (event instanceof Event.Alarm a && a.firing()) {
            alarmsByDetector.merge(a.detector(), 1L, Long::sum);
            StreamSession s = counted.session();
            alarmFigures.fired(a, s == null ? Double.NaN : s.frameAgeSeconds());
        }
        events.accept(event);
    }

    /** A sample from the analysing thread: fps over the last samples, the figures for the status and the charts. */
    private void sampled(Sample sample) {
        long now = sample.nanoTime();
        StatsSample.Levels frame = StatsSample.Levels.take(sample.figures());
        if (frame != null && levelFrames.size() < MAX_LEVEL_FRAMES) {
            levelFrames.add(frame);
        }
        if (publishedNanos != 0 && now - publishedNanos < PUBLISH_EVERY_NANOS) {
            return;
        }
        publishedNanos = now;
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
        hub.accept(new StatsSample(id, Instant.now(), sample.mediaSeconds(), values, List.copyOf(levelFrames)));
        levelFrames.clear();
    }

    /**
     * The current analysis (null between two) and the figures of those before it, swapped whole: a status read while
     * an analysis ends (its figures moving into the earlier ones) sees either side, never a dip or a double count.
     */
    private record Counted(StreamSession session, long earlierFrames, long earlierDecodeErrors,
                           long earlierDroppedFrames) {
        long frames() {
            return earlierFrames + (session == null ? 0 : session.framesAnalysed());
        }

        long decodeErrors() {
            return earlierDecodeErrors + (session == null ? 0 : session.decodeErrors());
        }

        long droppedFrames() {
            return earlierDroppedFrames + (session == null ? 0 : session.droppedFrames());
        }

        Counted with(StreamSession now) {
            return new Counted(now, earlierFrames, earlierDecodeErrors, earlierDroppedFrames);
        }

        /** The session's figures added to the earlier ones; no session. */
        Counted ended() {
            return new Counted(null, frames(), decodeErrors(), droppedFrames());
        }
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + location.displayName() + ")";
    }
}
