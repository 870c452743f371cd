package io.vigil.server;

import io.vigil.engine.alarm.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one stream, for the API and the dashboard.
 *
 * @param state where the stream's reader is
 * @param backend where its video statistics run ("cpu", "gpu"); null before the first open
 * @param decoder "cpu" or "nvdec"; null before the first open
 * @param fps video frames per second over the last few seconds
 * @param frames video frames analysed since the stream was added (over every reconnect)
 * @param decodeErrors packets the decoders rejected since the stream was added
 * @param droppedFrames frames dropped because analysis fell behind a live source
 * @param reconnects how many times the source was reopened
 * @param failures how many times the stream's analysis failed (and was restarted) since the stream was added
 * @param lastError the last open, read or analysis error, one sentence (when quarantined: why); null when none
 * @param since when the stream entered {@code state}
 * @param statistics the latest figures, by name (lumaMean, darkFraction, mafd, momentaryLufs, shortTermLufs, ...)
 * @param activeAlarms alarms firing now
 * @param alarmsByDetector alarms raised since the stream was added, by detector
 * @param placements in a fleet, the nodes that run the stream, one per role (empty on a single node)
 * @param transport with {@code tr101290}, the transport stream's packets and TR 101 290 errors by check and PID since
 *        the stream's analysis last (re)started; null without it, or for an input that is no transport stream
 */
public record StreamStatus(String id, String url, State state, String backend, String decoder, double fps, long frames,
                           long decodeErrors, long droppedFrames, long reconnects, long failures, String lastError,
                           Instant since,
                           Map<String, Double> statistics, List<Event.Alarm> activeAlarms,
                           Map<String, Long> alarmsByDetector, List<Placement> placements,
                           Event.Transport transport) {
    public StreamStatus {
        placements = placements == null ? List.of() : List.copyOf(placements);
    }

    /** Without transport stream figures. */
    public StreamStatus(String id, String url, State state, String backend, String decoder, double fps, long frames,
                        long decodeErrors, long droppedFrames, long reconnects, long failures, String lastError,
                        Instant since, Map<String, Double> statistics, List<Event.Alarm> activeAlarms,
                        Map<String, Long> alarmsByDetector, List<Placement> placements) {
        this(id, url, state, backend, decoder, fps, frames, decodeErrors, droppedFrames, reconnects, failures,
                lastError, since, statistics, activeAlarms, alarmsByDetector, placements, null);
    }

    /** A single node's status: no placements. */
    public StreamStatus(String id, String url, State state, String backend, String decoder, double fps, long frames,
                        long decodeErrors, long droppedFrames, long reconnects, long failures, String lastError,
                        Instant since, Map<String, Double> statistics, List<Event.Alarm> activeAlarms,
                        Map<String, Long> alarmsByDetector) {
        this(id, url, state, backend, decoder, fps, frames, decodeErrors, droppedFrames, reconnects, failures,
                lastError, since, statistics, activeAlarms, alarmsByDetector, List.of(), null);
    }

    /** The same status with {@code p} as its placements. */
    public StreamStatus withPlacements(List<Placement> p) {
        return new StreamStatus(id, url, state, backend, decoder, fps, frames, decodeErrors, droppedFrames, reconnects,
                failures, lastError, since, statistics, activeAlarms, alarmsByDetector, p, transport);
    }

    /**
     * Where a fleet runs a stream for one role.
     *
     * @param node the node's id ({@code cluster.nodeId})
     * @param role the node's role: {@code all}, {@code video}, {@code audio}
     * @param nodeUrl the node's API ({@code cluster.advertisedUrl})
     * @param state the stream's state on that node
     * @param updated when that node last reported it
     */
    public record Placement(String node, String role, String nodeUrl, State state, Instant updated) {
    }

    /** Where a stream's reader is. */
    public enum State {
        /** Opening the source for the first time. */
        STARTING,
        /** Frames are flowing. */
        RUNNING,
        /** The source dropped or could not be opened; waiting to reopen it (a {@code stall} alarm is firing). */
        RECONNECTING,
        /** Removed, or the service is shutting down. */
        STOPPED,
        /**
         * Its analysis failed too often (or vigil exited uncleanly twice in a row while it ran): not restarted until
         * released ({@code POST /api/streams/{id}/release}); its {@code monitoring_failed} alarm fires meanwhile.
         */
        QUARANTINED,
        /** In a fleet: no node of some role runs it yet (a rebalance is under way, or no node has capacity left). */
        UNASSIGNED
    }
}
