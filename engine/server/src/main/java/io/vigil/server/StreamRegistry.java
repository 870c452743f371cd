package io.vigil.server;

import java.util.List;
import java.util.Optional;

/**
 * The streams this process watches. Streams are added and removed at run time without disturbing the others.
 * The local registry runs every stream here; a Kafka-backed one (copies of vigil sharing the work, each with a subset
 * of the detectors) implements the same interface. Thread-safe.
 */
public interface StreamRegistry extends AutoCloseable {
    /** Starts watching {@code spec}; returns its first status. */
    StreamStatus add(StreamSpec spec) throws StreamRejectedException;

    /** Stops watching a stream (its firing alarms resolve); false when there was none by that id. */
    boolean remove(String id);

    Optional<StreamStatus> get(String id);

    /**
     * Lets a quarantined stream run again: its failures are forgotten and its analysis restarts (its
     * {@code monitoring_failed} alarm resolves once frames flow). A stream that is not quarantined is left as it is.
     * Returns its status, empty when there is no stream by that id. In a fleet only the node that runs the stream
     * can release it (elsewhere its status comes back unchanged).
     */
    Optional<StreamStatus> release(String id);

    /** Every stream, in the order they were added. */
    List<StreamStatus> list();

    /** The latest small JPEG (320 px wide) of a stream's picture, refreshed every few seconds; empty when none yet. */
    Optional<byte[]> thumbnail(String id);

    /** When the latest thumbnail was made (wall clock); empty when none yet or not known. */
    default Optional<java.time.Instant> thumbnailTime(String id) {
        return Optional.empty();
    }

    /** A stream's frame-to-alarm latency and its detectors' severities, for the metrics; see {@link AlarmFigures}. */
    Optional<AlarmFigures> alarmFigures(String id);

    /** The streams this process runs (in a fleet, this node's share; {@link #list} is the whole fleet). */
    default List<StreamStatus> local() {
        return list();
    }

    /**
     * Why this process is not ready to serve, or null when it is: by default, while a stream is still opening for
     * the first time; in a fleet also while the node does not hold its shards.
     */
    default String notReady() {
        long starting = local().stream().filter(s -> s.state() == StreamStatus.State.STARTING).count();
        return starting == 0 ? null : "Not ready yet: " + starting + (starting == 1 ? " stream is" : " streams are")
                + " still opening for the first time.";
    }

    /** A fleet node's figures; empty on a single node. */
    default Optional<FleetFigures> fleet() {
        return Optional.empty();
    }

    /** Stops every stream; their firing alarms resolve and reach the hub before this returns. */
    @Override
    void close();
}
