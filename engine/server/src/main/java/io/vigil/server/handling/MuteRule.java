package io.vigil.server.handling;

import java.time.Instant;

/**
 * A mute as the API made it: a stream, or one {@code detector} on it (null: all of them), muted until {@code until}.
 *
 * @param id how {@code DELETE /api/mutes/{id}} names it
 * @param wall when it was made
 */
public record MuteRule(String id, String stream, String detector, Instant until, String by, String note,
                       Instant wall) {
    /** Whether it silences {@code detector}'s alarms on {@code stream} at {@code now}. */
    public boolean silences(String alarmStream, String alarmDetector, Instant now) {
        return stream.equals(alarmStream) && (detector == null || detector.equals(alarmDetector))
                && now.isBefore(until);
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(until);
    }
}
