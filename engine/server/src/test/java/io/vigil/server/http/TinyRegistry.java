package io.vigil.server.http;

import io.vigil.server.AlarmFigures;
import io.vigil.server.FleetFigures;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A test double for the routing, auth and limit tests only (no streams are read): it takes udp:// URLs, at most
 * three streams. The API's behaviour against the real registry is {@link ApiLiveTest}'s.
 */
final class TinyRegistry implements StreamRegistry {
    private final Map<String, StreamStatus> streams = new LinkedHashMap<>();
    final AlarmFigures alarmFigures = new AlarmFigures();
    /** What {@link #fleet} says: null on a single node. */
    volatile FleetFigures fleet;

    @Override
    public synchronized StreamStatus add(StreamSpec spec) throws StreamRejectedException {
        if (!spec.url().startsWith("udp://")) {
            throw new StreamRejectedException(StreamRejectedException.Reason.INVALID, "Only udp is allowed here.");
        }
        if (streams.containsKey(spec.id())) {
            throw new StreamRejectedException(StreamRejectedException.Reason.DUPLICATE, "It exists.");
        }
        if (streams.size() >= 3) {
            throw new StreamRejectedException(StreamRejectedException.Reason.LIMIT, "Three streams at most.");
        }
        StreamStatus s = new StreamStatus(spec.id(), spec.url(), StreamStatus.State.STARTING, null, null, 0, 0, 0, 0,
                0, 0, null, Instant.parse("2026-11-26T10:00:00Z"), Map.of(), List.of(), Map.of());
        streams.put(spec.id(), s);
        return s;
    }

    synchronized void put(StreamStatus s) {
        streams.put(s.id(), s);
    }

    @Override
    public synchronized boolean remove(String id) {
        return streams.remove(id) != null;
    }

    @Override
    public synchronized Optional<StreamStatus> get(String id) {
        return Optional.ofNullable(streams.get(id));
    }

    @Override
    public synchronized Optional<StreamStatus> release(String id) {
        StreamStatus s = streams.get(id);
        if (s != null && s.state() == StreamStatus.State.QUARANTINED) {
            s = new StreamStatus(s.id(), s.url(), StreamStatus.State.RECONNECTING, s.backend(), s.decoder(), s.fps(),
                    s.frames(), s.decodeErrors(), s.droppedFrames(), s.reconnects(), s.failures(), null, Instant.now(),
                    s.statistics(), s.activeAlarms(), s.alarmsByDetector());
            streams.put(id, s);
        }
        return Optional.ofNullable(s);
    }

    @Override
    public synchronized List<StreamStatus> list() {
        return List.copyOf(streams.values());
    }

    @Override
    public Optional<byte[]> thumbnail(String id) {
        return Optional.empty();
    }

    @Override
    public synchronized Optional<AlarmFigures> alarmFigures(String id) {
        return streams.containsKey(id) ? Optional.of(alarmFigures) : Optional.empty();
    }

    @Override
    public Optional<FleetFigures> fleet() {
        return Optional.ofNullable(fleet);
    }

    @Override
    public void close() {
    }
}
