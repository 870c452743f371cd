package io.vigil.ffi;

import java.lang.foreign.MemorySegment;

/**
 * Sees an input's bytes as FFmpeg reads them, before its demuxer: a transport stream analyser. Called on the thread
 * that reads the input, inside FFmpeg's read; {@code data} is valid only during the call. {@code position} is where
 * the bytes lie in the input: a demuxer that seeks (a file probed at its end, then read from its start again) hands
 * some bytes over twice, and the tap tells by their position.
 */
@FunctionalInterface
public interface ByteTap {
    void bytes(long position, MemorySegment data);

    /**
     * For a UDP input, told on each read at most every {@value MediaInput#INGEST_POLL_MILLIS} ms and once more when
     * the input ends: {@code droppedDatagrams} this host dropped before FFmpeg's reader saw them since the last call
     * (the socket's receive buffer, FFmpeg's circular buffer; 0 when none), and {@code bufferedBytes}, how much may
     * still lie between the drop and the reader (the gap a drop leaves comes among those bytes, or came among the
     * bytes seen since the last call).
     */
    default void ingestChecked(long droppedDatagrams, long bufferedBytes) {
    }

    /**
     * An HLS input's next TS segment begins (its bytes follow those of the one before at the next position):
     * {@code breaksOff} when it does not continue the segment before (the first one, one after an
     * {@code EXT-X-DISCONTINUITY}, or after segments the playlist reload skipped), so that continuity is not judged
     * across it.
     */
    default void segment(boolean breaksOff) {
    }

    /**
     * An RTP input (MPEG-TS payload) skipped {@code packets} sequence numbers: packets lost before this host. Told
     * before the bytes that follow the gap, which do not continue the ones before.
     */
    default void rtpLost(long packets) {
    }
}
