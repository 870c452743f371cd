package io.vigil.engine.alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final StreamClock clock;
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
        this(stream, sink, live, StreamClock.SYSTEM);
    }

    /**
     * @param live whether the input is live: its events then carry wall-clock times
     * @param clock the stream's clock: the wall times of its events, and the waits its detectors measure
     */
    public AlarmTracker(String stream, EventSink sink, boolean live, StreamClock clock) {
        this.stream = stream;
        this.sink = sink;
        this.live = live;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The stream's name, as its events give it. */
    public String stream() {
        return stream;
    }

    /** Sends an in-band cue the stream carries (not an alarm: no lifecycle, nothing counted). */
    public void marker(Event.Marker marker) {
        deliver(marker);
    }

    /** The stream's clock, for the detectors that watch the wall clock (stall). */
    public StreamClock clock() {
        return clock;
    }

    public Alarm register(String detector, Integer channel, Severity severity, double raiseDelaySeconds,
                          double clearDelaySeconds, AlarmSubject subject) {
        return register(detector, channel, null, severity, raiseDelaySeconds, clearDelaySeconds, subject);
    }

    /** As {@link #register(String, Integer, Severity, double, double, AlarmSubject)}, one of a detector's labelled alarms. */
    public Alarm register(String detector, Integer channel, AlarmLabel label, Severity severity,
                          double raiseDelaySeconds, double clearDelaySeconds, AlarmSubject subject) {
        Alarm alarm = new Alarm(this, detector, channel, label, severity, raiseDelaySeconds, clearDelaySeconds,
                subject);
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

    /** Records that media time {@code mediaSeconds} is being processed now (by the stream's clock). */
    public void observe(double mediaSeconds) {
        observe(mediaSeconds, clock.now());
    }

    /** Records that media time {@code mediaSeconds} is being processed at {@code now}; gives live alarms their wall times. */
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
        alarm.wallStart(wall(alarm.since(), alarm.wallSince()));
        alarm.thumbnail(thumbnails == null ? null : thumbnails.thumbnail(alarm.detector(), alarm.since()));
        AlarmLabel label = alarm.label();
        deliver(new Event.Alarm(Event.Alarm.FIRING, alarm.detector(), stream, alarm.channel(),
                label == null ? null : label.check(), label == null ? null : label.priority(),
                label == null ? null : label.pid(), dedupKey(alarm), alarm.severity().wireName(), round(alarm.since()), null, null, format(alarm.wallStart()), null,
                alarm.subject().summary(heldSeconds), metrics(alarm), alarm.cause(), alarm.thumbnail()));
    }

    /**
     * Sends {@code alarm}'s resolved event, ending at {@code endSeconds} of media time and at {@code wallEnd} (null:
     * the wall time of {@code endSeconds} now). An alarm never ends before it began: across a timestamp jump back
     * (a source restarted in place) the frame that cleared it may carry an earlier media time than its start; it then
     * ends where it began, and its wall times say how long it lasted.
     */
    void resolve(Alarm alarm, double endSeconds, Instant wallEnd) {
        double start = alarm.since();
        double end = Math.max(start, endSeconds);
        Instant wallStart = alarm.wallStart();
        Instant wallAtEnd = wallEnd != null ? wallEnd : wall(endSeconds);
        if (wallStart != null && wallAtEnd != null && wallAtEnd.isBefore(wallStart)) {
            wallAtEnd = wallStart;
        }
        AlarmLabel label = alarm.label();
        deliver(new Event.Alarm(Event.Alarm.RESOLVED, alarm.detector(), stream, alarm.channel(),
                label == null ? null : label.check(), label == null ? null : label.priority(),
                label == null ? null : label.pid(), dedupKey(alarm), alarm.severity().wireName(), round(start), round(end), round(end - start), format(wallStart),
                format(wallAtEnd), null, metrics(alarm), alarm.cause(), alarm.thumbnail()));
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
        return stream + "/" + alarm.detector() + (alarm.channel() == null ? "" : "/" + alarm.channel())
                + (alarm.label() == null ? "" : alarm.label().keySuffix());
    }

    private static Map<String, Double> metrics(Alarm alarm) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        alarm.subject().metrics(metrics);
        metrics.replaceAll((k, v) -> Math.round(v * 1e4) / 1e4);
        return metrics;
    }

    /** {@code given} when a detector knew the wall clock itself, else {@link #wall(double)}; null when not live. */
    Instant wall(double mediaSeconds, Instant given) {
        if (!live) {
            return null;
        }
        return given != null ? given : wall(mediaSeconds);
    }

    /** The wall clock at media time {@code mediaSeconds}, by the latest frame seen; null for an input not live. */
    Instant wall(double mediaSeconds) {
        if (!live || Double.isNaN(anchorMediaSeconds)) {
            return null;
        }
        long nanos = anchorWallNanos - Math.round((anchorMediaSeconds - mediaSeconds) * 1e9);
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static String format(Instant wall) {
        return wall == null ? null : WALL_FORMAT.format(wall);
    }

    /** The wall clock at media time {@code mediaSeconds} as the contract writes it; null for an input not live. */
    public String wallText(double mediaSeconds) {
        return format(wall(mediaSeconds));
    }

    /** Media times go out to the millisecond. */
    public static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
