package io.vigil.server;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.vigil.engine.alarm.Event;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One stream's alarm figures for the metrics: the frame-to-alarm latency (the wall time from the arrival of the frame,
 * or audio block, that made an alarm fire to the moment its event was published), a Prometheus client histogram,
 * and the severity each detector's alarms carry on this stream (a detector's severity is set per stream by its
 * settings). Thread-safe; observing allocates nothing.
 */
public final class AlarmFigures {
    /** Upper bounds of the latency buckets, seconds (the last, +Inf, is implicit). */
    public static final double[] LATENCY_BOUNDS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Histogram latency = Histogram.builder()
            .name("vigil_frame_to_alarm_latency_seconds")
            .classicUpperBounds(LATENCY_BOUNDS_SECONDS)
            .classicOnly()
            .withoutExemplars()
            .build();
    private final Map<String, String> severityByDetector = new ConcurrentHashMap<>();

    /**
     * An alarm of the stream fired; {@code frameAgeSeconds} is how long ago its frame arrived (NaN when unknown: no
     * latency is recorded).
     */
    public void fired(Event.Alarm alarm, double frameAgeSeconds) {
        if (alarm.severity() != null) {
            severityByDetector.put(alarm.detector(), alarm.severity());
        }
        if (!Double.isNaN(frameAgeSeconds)) {
            latency.observe(frameAgeSeconds);
        }
    }

    /** The severity the detector's alarms carried last on this stream, or null before its first. */
    public String severity(String detector) {
        return severityByDetector.get(detector);
    }

    /** Latencies recorded so far. */
    public long latencyCount() {
        return latency.collect().getDataPoints().getFirst().getCount();
    }

    /** The latency histogram as one data point labelled {@code labels} (the stream's). */
    public HistogramDataPointSnapshot latencySnapshot(Labels labels) {
        HistogramDataPointSnapshot p = latency.collect().getDataPoints().getFirst();
        return new HistogramDataPointSnapshot(p.getClassicBuckets(), p.getSum(), labels, Exemplars.EMPTY, 0L);
    }
}
