package io.vigil.engine.alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alarms of one stream: creates them for its detectors, turns their transitions into contract events in
 * order, and counts them for the summary. Single-threaded, like the stream's detectors.
 */
public final class AlarmTracker {
    /** Wall times as the contract writes them: UTC, to the millisecond. */
    static final java.time.format.DateTimeFormatter WALL_FORMAT = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private final String stream;
    private final EventSink sink;
    private final boolean live;
    private final List<Alarm> alarms = new ArrayList<>();
    private final Map<String, Integer> firedCounts = new TreeMap<>();
    private final Correlation correlation = new Correlation(this);
    /** Wall clock, in epoch nanoseconds, at which the media time {@link #anchorMediaSeconds} was seen. */
    private long anchorWallNanos;
    private double anchorMediaSeconds = Double.NaN;
    private ThumbnailSink thumbnails;

    /** Makes the picture of a video alarm's first frame when the alarm fires (see {@link #thumbnails}). */
    @FunctionalInterface
    public interface ThumbnailSink {
        /**
         * Writes a thumbnail of the frame where {@code detector}'s condition began, at media time
         * {@code startSeconds}; returns its path, or null when there is none (not a video alarm, or it failed).
         */
        String thumbnail(String detector, double startSeconds);
    }

    /**
     * @param live whether the input is live: its events then carry wall-clock times
     */
    public AlarmTracker(String stream, EventSink sink, boolean live) {
        this.stream = stream;
        this.sink = sink;
        this.live = live;
    }

    public Alarm register(String detector, Integer channel, Severity severity, double raiseDelaySeconds,
                          double clearDelaySeconds, AlarmSubject subject) {
        Alarm alarm = new Alarm(this, detector, channel, severity, raiseDelaySeconds, clearDelaySeconds, subject);
        alarms.add(alarm);
        correlation.registered(alarm);
        return alarm;
    }

    /** Asks {@code sink} for a thumbnail each time an alarm fires; its path goes in the firing and resolved events. */
    public void thumbnails(ThumbnailSink sink) {
        thumbnails = sink;
    }

    /**
     * How this stream's alarms explain each other (call before registering them; without it every alarm goes
     * alone): see {@link CorrelationRules}.
     */
    public void correlate(CorrelationRules rules) {
        correlation.rules(rules);
    }

    Correlation correlation() {
        return correlation;
    }

    /** Records that media time {@code mediaSeconds} is being processed now; gives live alarms their wall times. */
    public void observe(double mediaSeconds, Instant now) {
        anchorMediaSeconds = mediaSeconds;
        anchorWallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Media time has reached {@code nowSeconds}: lets every alarm apply its clear delay. */
    public void advance(double nowSeconds) {
        for (Alarm alarm : alarms) {
            alarm.advance(nowSeconds);
        }
    }

    /** The input ended: every alarm still firing resolves at {@code atSeconds} (its own detector's last time). */
    public void finishAll(double atSeconds) {
        inputEnding();
        for (Alarm alarm : alarms) {
            alarm.finish(atSeconds);
        }
    }

    /**
     * {@code detector} no longer runs on this stream (it failed on the content): its alarms still firing resolve at
     * {@code atSeconds}, the last media time seen, as if its input had ended there.
     */
    public void finishDetector(String detector, double atSeconds) {
        for (Alarm alarm : alarms) {
            if (alarm.detector().equals(detector)) {
                alarm.finish(atSeconds);
            }
        }
    }

    /** The input is ending (call before the detectors finish): combined alarms resolve with their parts. */
    public void inputEnding() {
        correlation.finishing();
    }

    /** Alarms fired per detector so far. */
    public Map<String, Integer> firedCounts() {
        return Map.copyOf(firedCounts);
    }

    void fire(Alarm alarm, double heldSeconds) {
        firedCounts.merge(alarm.detector(), 1, Integer::sum);
        alarm.wallStart(wall(alarm.since()));
        alarm.thumbnail(thumbnails == null ? null : thumbnails.thumbnail(alarm.detector(), alarm.since()));
        deliver(new Event.Alarm(Event.Alarm.FIRING, alarm.detector(), stream, alarm.channel(), dedupKey(alarm),
                alarm.severity().wireName(), round(alarm.since()), null, null, alarm.wallStart(), null,
                alarm.subject().summary(heldSeconds), metrics(alarm), alarm.cause(), alarm.thumbnail()));
    }

    void resolve(Alarm alarm, double endSeconds) {
        double start = alarm.since();
        deliver(new Event.Alarm(Event.Alarm.RESOLVED, alarm.detector(), stream, alarm.channel(), dedupKey(alarm),
                alarm.severity().wireName(), round(start), round(endSeconds), round(endSeconds - start), alarm.wallStart(),
                wall(endSeconds), null, metrics(alarm), alarm.cause(), alarm.thumbnail()));
    }

    private void deliver(Event event) {
        try {
            sink.accept(event);
        } catch (EventDeliveryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EventDeliveryException(e);
        }
    }

    String dedupKey(Alarm alarm) {
        return stream + "/" + alarm.detector() + (alarm.channel() == null ? "" : "/" + alarm.channel());
    }

    private static Map<String, Double> metrics(Alarm alarm) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        alarm.subject().metrics(metrics);
        metrics.replaceAll((k, v) -> Math.round(v * 1e4) / 1e4);
        return metrics;
    }

    private String wall(double mediaSeconds) {
        if (!live || Double.isNaN(anchorMediaSeconds)) {
            return null;
        }
        long nanos = anchorWallNanos - Math.round((anchorMediaSeconds - mediaSeconds) * 1e9);
        return WALL_FORMAT.format(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L)));
    }

    /** Media times go out to the millisecond. */
    static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
