package io.vigil.server.live;

import io.vigil.engine.FrameHandoff;
import io.vigil.engine.StreamAnalyzer;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.InputLocation;
import io.vigil.ffi.MediaException;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.server.EventHub;
import io.vigil.server.LatencyHistogram;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamStatus;
import io.vigil.kernels.engine.StatisticsEngine;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stream, for as long as it is watched: a thread that opens the source, reads it, and when it drops (or a live
 * source ends) reopens it after an exponential backoff with jitter, until it is stopped. The analysis (detectors,
 * alarm tracker, the analysing thread of a {@link FrameHandoff}) lives across reopenings, so that:
 * <ul>
 * <li>the {@code stall} detector, which the analysing thread wakes every 200 ms, keeps watching the wall clock while
 * the source is down: its alarm fires {@code timeoutSeconds} after the last frame and resolves at the first frame
 * after the reopening (nothing here duplicates it);</li>
 * <li>every detector sees one timeline: each reopened session's timestamps are moved to continue where the last one
 * ended plus the wall-clock time it was down, so a stall lasts as long in media time as it did on the wall clock.</li>
 * </ul>
 * Besides alarms, it publishes a {@link StatsSample} about once a second, keeps a 320 px JPEG of the picture every
 * ~3 s, and measures frame-to-alarm latency: from the moment the decoder handed over the frame (or audio block) that
 * made an alarm fire to its publication.
 */
final class StreamSupervisor {
    private static final long SAMPLE_EVERY_NANOS = 1_000_000_000L;
    private static final long THUMBNAIL_EVERY_NANOS = 3_000_000_000L;
    /** fps is measured over this many of the last samples (about 10 s). */
    private static final int FPS_WINDOW = 10;
    /** Arrival times by frame index; larger than the handoff's ring, so an entry is read before it is reused. */
    private static final int ARRIVALS = 64;

    private final String id;
    private final String url;
    private final InputLocation location;
    private final VigilConfig config;
    private final StatisticsEngine backend;
    private final EventHub hub;
    private final double initialBackoffSeconds;
    private final double maxBackoffSeconds;
    private final boolean live;
    private final Thread thread;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Map<String, Long> alarmsByDetector = new ConcurrentHashMap<>();
    private final Object wake = new Object();

    private volatile boolean stopping;
    private volatile MediaInput current;
    private volatile StreamStatus.State state = StreamStatus.State.STARTING;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    private volatile String decoder;
    private volatile String backendName;
    private volatile double fps;
    private volatile Map<String, Double> statistics = Map.of();
    private volatile byte[] thumbnail;
    private final AtomicLong reconnects = new AtomicLong();
    private volatile long frames;
    private volatile long droppedFrames;
    private volatile long closedDecodeErrors;

    // Decoding thread (this supervisor's): arrival times and the timeline across sessions.
    private final long[] videoArrivalNanos = new long[ARRIVALS];
    private final long[] audioArrivalNanos = new long[ARRIVALS];
    private long audioHandedOver;
    private boolean sessionStarted;
    private double timelineEndSeconds;
    /** The wall clock at media time 0 at the source's best pace: least (arrival - media time) seen. */
    private long wallOriginNanos = Long.MAX_VALUE;
    private boolean anyFrame;

    // Analysing thread.
    private long audioAnalysed;
    private long frameArrivalNanos;
    private boolean inFrame;
    private long nextSampleNanos;
    private long nextThumbnailNanos;
    private final long[] sampleNanosRing = new long[FPS_WINDOW];
    private final long[] sampleFramesRing = new long[FPS_WINDOW];
    private long samplesTaken;
    private double lastMediaSeconds;

    StreamSupervisor(String id, String url, VigilConfig config, StatisticsEngine backend, EventHub hub,
                     double initialBackoffSeconds, double maxBackoffSeconds) {
        this.id = id;
        this.url = url;
        this.location = InputLocation.parse(url);
        this.config = config;
        this.backend = backend;
        this.hub = hub;
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
        MediaInput media = current;
        if (media != null) {
            media.abort();
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Waits until the stream's thread has ended: its firing alarms resolved and its summary published. */
    void awaitStopped() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
        MediaInput media = current;
        long errors = closedDecodeErrors + (media != null ? media.decodeErrors() : 0);
        return new StreamStatus(id, location.displayName(), state, backendName, decoder, fps, frames, errors,
                droppedFrames, reconnects.get(), lastError, since, statistics, hub.active(id),
                new TreeMap<>(alarmsByDetector));
    }

    private void state(StreamStatus.State s) {
        if (state != s) {
            state = s;
            since = Instant.now();
        }
    }

    private void run() {
        AlarmTracker tracker = new AlarmTracker(id, this::publish, live);
        long started = System.nanoTime();
        long audioSamples = 0;
        double position = 0;
        try (StreamAnalyzer analyzer = StreamAnalyzer.create(config, tracker, live, backend);
             ThumbnailWriter thumbnails = new ThumbnailWriter()) {
            backendName = analyzer.backend();
            Tap tap = new Tap(analyzer, thumbnails);
            FrameHandoff handoff = new FrameHandoff(tap, id, live, tap::idle);
            try {
                Feeder feeder = new Feeder(handoff);
                int failures = 0;
                boolean reportedDown = false;
                while (!stopping) {
                    MediaInput media = null;
                    String stage = "open";
                    try {
                        // Published before the open, so that a removal aborts an open waiting on a dead source.
                        media = MediaInput.open(url, new DecodeOptions(config.decodeThreads(), config.ioTimeout(),
                                backend.decodeTarget()), this::opening);
                        if (stopping) {
                            break;
                        }
                        stage = "read";
                        sessionStarted = false;
                        boolean more = true;
                        boolean decoderKnown = false;
                        while (more && !stopping) {
                            more = media.step(feeder);
                            if (!decoderKnown && sessionStarted) {
                                decoderKnown = true;
                                decoder = media.decodingOnDevice() ? "nvdec" : "cpu";
                            }
                            if (sessionStarted && failures > 0) {
                                failures = 0;
                                reportedDown = false;
                                lastError = null;
                            }
                        }
                        if (!live && !stopping) {
                            break;
                        }
                        if (!stopping) {
                            lastError = "The source ended.";
                        }
                    } catch (MediaException e) {
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
                        current = null;
                        if (media != null) {
                            closedDecodeErrors += media.decodeErrors();
                            audioSamples += media.audioSamples();
                            position = timelineEndSeconds;
                            decoder = media.decodingOnDevice() ? "nvdec" : "cpu";
                            media.close();
                        }
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
                handoff.drain();
            } finally {
                handoff.close();
            }
            // After the drain the analysing thread has ended: what is still firing resolves here.
            analyzer.finish();
            droppedFrames = handoff.droppedFrames();
            state(StreamStatus.State.STOPPED);
            publish(new Event.Summary(id, location.displayName(), frames, audioSamples, round(position),
                    round((System.nanoTime() - started) / 1e9), analyzer.backend(),
                    decoder == null ? "cpu" : decoder, closedDecodeErrors, handoff.droppedFrames(),
                    new TreeMap<>(tracker.firedCounts()), analyzer.loudnessSummary()));
        } catch (RuntimeException | Error e) {
            lastError = "The analysis failed: " + e.getMessage();
            publish(new Event.Error(id, location.displayName(), "read", lastError));
            resolveAbandoned();
        } finally {
            state(StreamStatus.State.STOPPED);
        }
    }

    /**
     * The analysis died (a bug, not the input): its tracker can no longer resolve what it raised, so every alarm of
     * this stream still firing is resolved here at the last media time seen, as the contract wants a resolved event
     * after each firing one.
     */
    private void resolveAbandoned() {
        String wallEnd = java.time.format.DateTimeFormatter.ISO_INSTANT
                .format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        for (Event.Alarm a : hub.active(id)) {
            double end = Math.max(a.start(), timelineEndSeconds);
            publish(new Event.Alarm(Event.Alarm.RESOLVED, a.detector(), a.stream(), a.channel(), a.dedupKey(),
                    a.severity(), a.start(), round(end), round(end - a.start()), a.wallStart(),
                    live ? wallEnd : null, a.summary(), a.metrics(), a.cause(), a.thumbnail()));
        }
    }

    private void opening(MediaInput media) {
        current = media;
        if (stopping) {
            media.abort();
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
            if (inFrame) {
                latency.observe((System.nanoTime() - frameArrivalNanos) / 1e9);
            }
        }
        hub.accept(event);
    }

    /** The decoding side: notes when each frame arrived and keeps one timeline across sessions. */
    private final class Feeder implements MediaSink {
        private final FrameHandoff handoff;

        Feeder(FrameHandoff handoff) {
            this.handoff = handoff;
        }

        @Override
        public void onVideo(VideoFrame frame) {
            long now = begin(frame.ptsSeconds(), now());
            videoArrivalNanos[(int) (frame.index() & (ARRIVALS - 1))] = now;
            handoff.onVideo(frame);
            droppedFrames = handoff.droppedFrames();
            end(frame.ptsSeconds() + frame.durationSeconds(), now);
        }

        @Override
        public void onAudio(AudioBlock block) {
            long now = begin(block.ptsSeconds(), now());
            audioArrivalNanos[(int) (audioHandedOver++ & (ARRIVALS - 1))] = now;
            handoff.onAudio(block);
            end(block.endSeconds(), now);
        }

        private long now() {
            return System.nanoTime();
        }

        private long begin(double ptsSeconds, long now) {
            if (!sessionStarted) {
                sessionStarted = true;
                if (anyFrame) {
                    // A reopened source: its first frame goes where the wall clock says, at the pace the source kept
                    // at its best, so the time it was down counts in media time too (never before what was seen).
                    double at = Math.max(timelineEndSeconds, (now - wallOriginNanos) / 1e9);
                    offset = at - ptsSeconds;
                    handoff.offsetSeconds(offset);
                }
                state(StreamStatus.State.RUNNING);
            }
            return now;
        }

        private double offset;

        private void end(double endSeconds, long now) {
            anyFrame = true;
            wallOriginNanos = Math.min(wallOriginNanos, now - Math.round((endSeconds + offset) * 1e9));
            timelineEndSeconds = Math.max(timelineEndSeconds, endSeconds + offset);
        }
    }

    /** The analysing side: the detectors, and the samples, thumbnails and counters the service shows. */
    private final class Tap implements MediaSink {
        private final StreamAnalyzer analyzer;
        private final ThumbnailWriter thumbnails;
        private boolean thumbnailFailed;

        Tap(StreamAnalyzer analyzer, ThumbnailWriter thumbnails) {
            this.analyzer = analyzer;
            this.thumbnails = thumbnails;
        }

        @Override
        public void onVideo(VideoFrame frame) {
            frameArrivalNanos = videoArrivalNanos[(int) (frame.index() & (ARRIVALS - 1))];
            inFrame = true;
            try {
                analyzer.onVideo(frame);
            } finally {
                inFrame = false;
            }
            frames++;
            lastMediaSeconds = frame.ptsSeconds();
            long now = System.nanoTime();
            if (now >= nextThumbnailNanos && !thumbnailFailed) {
                nextThumbnailNanos = now + THUMBNAIL_EVERY_NANOS;
                try {
                    thumbnail = backend.thumbnail(frame, thumbnails); // made small on the GPU for device frames
                } catch (RuntimeException e) {
                    // One failure is enough to know: the stream goes on without a picture.
                    thumbnailFailed = true;
                }
            }
            maybeSample(now);
        }

        @Override
        public void onAudio(AudioBlock block) {
            frameArrivalNanos = audioArrivalNanos[(int) (audioAnalysed++ & (ARRIVALS - 1))];
            inFrame = true;
            try {
                analyzer.onAudio(block);
            } finally {
                inFrame = false;
            }
            if (frames == 0) {
                lastMediaSeconds = block.ptsSeconds();
            }
            maybeSample(System.nanoTime());
        }

        void idle(long nowNanos) {
            analyzer.onIdle(nowNanos);
            maybeSample(nowNanos);
        }

        private void maybeSample(long now) {
            if (now < nextSampleNanos) {
                return;
            }
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
            nextSampleNanos = now + SAMPLE_EVERY_NANOS;
            Map<String, Double> values = new HashMap<>();
            analyzer.sample(values);
            values.put("fps", fps);
            statistics = Map.copyOf(values);
            hub.accept(new StatsSample(id, Instant.now(), lastMediaSeconds, values));
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + location.displayName() + ")";
    }
}
