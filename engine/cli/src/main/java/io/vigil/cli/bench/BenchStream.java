package io.vigil.cli.bench;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.pipeline.Sample;
import io.vigil.engine.pipeline.StreamSession;
import io.vigil.kernels.engine.StatisticsEngine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stream of the bench, watched as {@code vigil serve} watches one: its {@link LiveSource}, a watching
 * {@link StreamSession} with the service's sampling and tile pictures, and a thread that opens, reads and reopens the
 * source. Besides the session's counts it measures how far the analysis is behind the live source: the wall time
 * since the stream started less the media time analysed, above the least it has been (the start-up and the
 * network's buffering are not lag). An alarm raised on a frame comes at least that late.
 */
final class BenchStream implements AutoCloseable {
    /** How often the analysis reports its media time: the resolution of the lag measured. */
    private static final long SAMPLE_EVERY_NANOS = 200_000_000L;
    /** The service's tile picture, every 3 s: part of what a watched stream costs. */
    private static final long PICTURE_EVERY_NANOS = 3_000_000_000L;
    private static final long REOPEN_AFTER_MILLIS = 200;

    private final String id;
    private final LiveSource source;
    private final StreamSession session;
    private final Thread reader;
    private final long originNanos = System.nanoTime();
    private final Map<String, Long> alarms = new ConcurrentHashMap<>();
    private final AtomicLong inputFailures = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean started;
    private volatile String lastFailure;
    // The analysing thread writes these (through the samples), the ramp reads them.
    private double leastLagSeconds = Double.POSITIVE_INFINITY;
    private double worstBehindSeconds;

    BenchStream(String id, TsLoop loop, double phaseSeconds, VigilConfig config, StatisticsEngine backend) {
        this.id = id;
        this.source = new LiveSource(loop, phaseSeconds, id);
        StreamSession s;
        try {
            s = StreamSession.of(id, source.url(), config, backend, this::event).watching()
                    .onInputStarted(() -> started = true)
                    .samples(SAMPLE_EVERY_NANOS, this::sampled)
                    .pictures(PICTURE_EVERY_NANOS, jpeg -> { })
                    .start();
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
        this.session = s;
        this.reader = Thread.ofPlatform().daemon().name("vigil-bench-" + id).start(this::watch);
    }

    String id() {
        return id;
    }

    /** Whether the source has delivered its first frame. */
    boolean started() {
        return started;
    }

    long framesAnalysed() {
        return session.framesAnalysed();
    }

    long droppedFrames() {
        return session.droppedFrames();
    }

    long decodeErrors() {
        return session.decodeErrors();
    }

    /** Times the input broke off (a UDP overrun, a read timeout) and was reopened. */
    long inputFailures() {
        return inputFailures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    /** Alarms raised so far, by detector (the clip has nothing to raise one for: each is worth a look). */
    Map<String, Long> alarms() {
        return Map.copyOf(alarms);
    }

    String backend() {
        return session.backend();
    }

    /** "nvdec" or "cpu" once known, else null. */
    String decoder() {
        return session.decoder();
    }

    /** How late the source itself is (a host too busy to play it out). */
    double sourceLateSeconds() {
        return source.lateSeconds();
    }

    /** The most the analysis was behind the live source since the last call, and starts afresh. */
    synchronized double takeWorstBehindSeconds() {
        double worst = worstBehindSeconds;
        worstBehindSeconds = 0;
        return worst;
    }

    private synchronized void sampled(Sample sample) {
        if (sample.framesAnalysed() == 0) {
            return;
        }
        double lag = (sample.nanoTime() - originNanos) / 1e9 - sample.mediaSeconds();
        leastLagSeconds = Math.min(leastLagSeconds, lag);
        worstBehindSeconds = Math.max(worstBehindSeconds, lag - leastLagSeconds);
    }

    private void event(Event e) {
        if (e instanceof Event.Alarm a && a.firing()) {
            alarms.merge(a.detector(), 1L, Long::sum);
        }
    }

    /** Opens, reads and reopens the source until closed, as the service's supervisor does (without its backoff). */
    private void watch() {
        while (!stopping) {
            try {
                session.open();
                while (!stopping && session.step()) {
                    // each step decodes one packet and hands its frames to the analysis
                }
                if (!stopping) {
                    inputFailures.incrementAndGet();
                    lastFailure = "the source ended";
                }
            } catch (InputException e) {
                if (!stopping) {
                    inputFailures.incrementAndGet();
                    lastFailure = e.getMessage();
                }
            } finally {
                session.closeInput();
            }
            if (!stopping) {
                try {
                    Thread.sleep(REOPEN_AFTER_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Asks the stream to stop (returns at once): its read in progress fails, and it is not reopened. */
    void stop() {
        stopping = true;
        session.abort();
    }

    @Override
    public void close() {
        stop();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            session.close();
        } finally {
            source.close();
        }
    }
}
