package io.vigil.server.history;

import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last few minutes of each stream's statistics (the charted figures of its {@link StatsSample}s, about one a
 * second), so that a page opened now draws its charts from the start. Bounded: {@code seconds} samples per stream
 * in flat arrays (about 50 bytes a sample), at most {@code maxStreams} streams (the longest silent one goes first).
 * Thread-safe; fed by the hub's listener, which only copies a few numbers.
 */
public final class StatsHistory implements EventHub.Subscription {
    /** The figures kept, in this order. */
    static final List<String> KEYS = List.of("lumaMean", "darkFraction", "mafd", "blockiness", "rmsDbfs",
            "momentaryLufs", "shortTermLufs", "fps");
    /** Seconds of statistics the hub's history keeps per stream (one sample a second). */
    public static final int SECONDS = 300;
    /** Streams whose statistics the hub's history keeps at most (about 15 kB each). */
    public static final int MAX_STREAMS = 4096;

    private final int capacity;
    private final Map<String, Ring> streams;
    private final EventHub.Subscription subscription;

    /**
     * @param seconds    how many samples (about seconds) each stream keeps
     * @param maxStreams how many streams are kept at most
     */
    public StatsHistory(EventHub hub, int seconds, int maxStreams) {
        if (seconds < 1 || maxStreams < 1) {
            throw new IllegalArgumentException("the statistics history needs at least one second and one stream");
        }
        this.capacity = seconds;
        this.streams = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Ring> eldest) {
                return size() > maxStreams;
            }
        };
        this.subscription = hub.subscribe(item -> {
            if (item.payload() instanceof StatsSample s) {
                add(s);
            }
        });
    }

    /**
     * The hub's history ({@link #SECONDS} per stream, {@link #MAX_STREAMS} streams), made at the first ask: the stream
     * registry asks before its first stream starts, so that it is complete from every stream's first sample.
     */
    public static StatsHistory of(EventHub hub) {
        return hub.shared(StatsHistory.class, h -> new StatsHistory(h, SECONDS, MAX_STREAMS));
    }

    synchronized void add(StatsSample s) {
        streams.computeIfAbsent(s.stream(), k -> new Ring(capacity)).add(s);
    }

    /** A stream's samples of the last {@code seconds} (by their wall time), oldest first, as the live feed has them. */
    public synchronized List<StatsSample> recent(String stream, int seconds, Instant now) {
        Ring r = streams.get(stream);
        return r == null ? List.of() : r.since(now.toEpochMilli() - seconds * 1000L, stream);
    }

    @Override
    public void close() {
        subscription.close();
    }

    /** One stream's samples in a ring of flat arrays; NaN where a figure was absent. */
    private static final class Ring {
        final long[] wallMillis;
        final double[] mediaSeconds;
        final float[] values;
        int next;
        int size;

        Ring(int capacity) {
            wallMillis = new long[capacity];
            mediaSeconds = new double[capacity];
            values = new float[capacity * KEYS.size()];
        }

        void add(StatsSample s) {
            wallMillis[next] = s.wall().toEpochMilli();
            mediaSeconds[next] = s.mediaSeconds();
            for (int k = 0; k < KEYS.size(); k++) {
                Double v = s.values().get(KEYS.get(k));
                values[next * KEYS.size() + k] = v == null ? Float.NaN : v.floatValue();
            }
            next = (next + 1) % wallMillis.length;
            size = Math.min(size + 1, wallMillis.length);
        }

        List<StatsSample> since(long fromMillis, String stream) {
            List<StatsSample> out = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                int at = Math.floorMod(next - size + i, wallMillis.length);
                if (wallMillis[at] < fromMillis) {
                    continue;
                }
                Map<String, Double> v = new LinkedHashMap<>();
                for (int k = 0; k < KEYS.size(); k++) {
                    float f = values[at * KEYS.size() + k];
                    if (!Float.isNaN(f)) {
                        // float keeps 7 digits: rounded to 4 decimals as the live feed has them
                        v.put(KEYS.get(k), Math.round((double) f * 1e4) / 1e4);
                    }
                }
                out.add(new StatsSample(stream, Instant.ofEpochMilli(wallMillis[at]), mediaSeconds[at], v));
            }
            return out;
        }
    }
}
