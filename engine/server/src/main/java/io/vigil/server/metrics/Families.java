package io.vigil.server.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric families of one scrape, built point by point and handed to the client as snapshots at the end. A family
 * with no data point is left out (the client would write nothing for it anyway).
 */
final class Families {
    private final List<Family> families = new ArrayList<>();

    /** A gauge; {@link Family#add} skips NaN (a figure not measured has no sample). */
    Family gauge(String name, String help) {
        return add(new Family(new MetricMetadata(name, help), Kind.GAUGE));
    }

    /** A counter; {@code name} without its {@code _total}, which the client adds. */
    Family counter(String name, String help) {
        return add(new Family(new MetricMetadata(name, help), Kind.COUNTER));
    }

    Family histogram(String name, String help) {
        return add(new Family(new MetricMetadata(name, help), Kind.HISTOGRAM));
    }

    private Family add(Family f) {
        families.add(f);
        return f;
    }

    /** The families with data, as the client's snapshots. */
    void snapshots(List<MetricSnapshot> out) {
        for (Family f : families) {
            if (!f.points.isEmpty()) {
                out.add(f.snapshot());
            }
        }
    }

    private enum Kind { GAUGE, COUNTER, HISTOGRAM }

    static final class Family {
        private final MetricMetadata metadata;
        private final Kind kind;
        private final List<Object> points = new ArrayList<>();

        private Family(MetricMetadata metadata, Kind kind) {
            this.metadata = metadata;
            this.kind = kind;
        }

        /** A gauge's or counter's sample; a NaN value has none. */
        Family add(Labels labels, double value) {
            if (Double.isNaN(value)) {
                return this;
            }
            points.add(kind == Kind.COUNTER ? new CounterDataPointSnapshot(value, labels, null, 0L)
                    : new GaugeDataPointSnapshot(value, labels, null));
            return this;
        }

        /** A histogram's data point. */
        Family add(HistogramDataPointSnapshot point) {
            points.add(point);
            return this;
        }

        @SuppressWarnings("unchecked")
        private MetricSnapshot snapshot() {
            return switch (kind) {
                case GAUGE -> new GaugeSnapshot(metadata, (List<GaugeDataPointSnapshot>) (List<?>) points);
                case COUNTER -> new CounterSnapshot(metadata, (List<CounterDataPointSnapshot>) (List<?>) points);
                case HISTOGRAM -> new HistogramSnapshot(metadata,
                        (List<HistogramDataPointSnapshot>) (List<?>) points);
            };
        }
    }
}
