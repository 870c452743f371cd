package io.vigil.server.fleet;

import io.vigil.server.StreamStatus;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One stream as one node runs it, as that node writes it to the status topic every few seconds (keyed by stream
 * and role). Plain types only: it is read by every node's fleet view.
 *
 * @param updatedMillis when the node wrote it (epoch ms): a status that stops being refreshed is stale
 */
record RemoteStatus(String stream, String role, String node, String nodeUrl, String url, String state,
                    String backend, String decoder, double fps, long frames, long decodeErrors, long droppedFrames,
                    long reconnects, long failures, String lastError, String since, Map<String, Double> statistics,
                    Map<String, Long> alarmsByDetector, long updatedMillis) {

    static RemoteStatus of(StreamStatus s, String role, String node, String nodeUrl, long nowMillis) {
        return new RemoteStatus(s.id(), role, node, nodeUrl, s.url(), s.state().name().toLowerCase(Locale.ROOT),
                s.backend(), s.decoder(), s.fps(), s.frames(), s.decodeErrors(), s.droppedFrames(), s.reconnects(),
                s.failures(), s.lastError(), s.since().toString(), s.statistics(), s.alarmsByDetector(), nowMillis);
    }

    StreamStatus.State parsedState() {
        try {
            return StreamStatus.State.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return StreamStatus.State.STARTING;
        }
    }

    Instant parsedSince() {
        try {
            return Instant.parse(since);
        } catch (RuntimeException e) {
            return Instant.ofEpochMilli(updatedMillis);
        }
    }

    static String key(String stream, String role) {
        return stream + "/" + role;
    }
}
