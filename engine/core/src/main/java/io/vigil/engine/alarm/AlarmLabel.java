package io.vigil.engine.alarm;

/**
 * What sets one alarm of a detector apart from its others besides the audio channel: a transport stream check and
 * the PID it failed on ({@code tr101290}). Goes in the alarm's events as {@code check}, {@code priority} and
 * {@code pid}, and in its dedupKey.
 *
 * @param priority TR 101 290's priority, or null for a check that has none ({@code scte35}'s)
 * @param pid the PID, or null for a check of the whole multiplex (TS_sync_loss, Sync_byte_error) or of the channel
 */
public record AlarmLabel(String check, Integer priority, Integer pid) {
    String keySuffix() {
        return "/" + check + (pid == null ? "" : "/" + pid);
    }
}
