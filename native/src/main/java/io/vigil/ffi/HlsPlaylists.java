package io.vigil.ffi;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HLS media playlists an input read say about their segments, for the byte tap: each segment URI's media
 * sequence number and whether an {@code EXT-X-DISCONTINUITY} precedes it; so that the tap can tell a segment that
 * continues the one before (its continuity counters go on) from one after a discontinuity or a gap (a reload that
 * skipped segments), whose counters start afresh.
 */
final class HlsPlaylists {
    /** Segment URIs remembered at most (a live playlist lists a few; old ones fall out first). */
    private static final int MAX_SEGMENTS = 4096;

    private record Segment(long sequence, boolean discontinuity) {
    }

    private final Map<String, Segment> segments = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Segment> eldest) {
            return size() > MAX_SEGMENTS;
        }
    };
    private long lastSequence = Long.MIN_VALUE;

    /** Reads a playlist's text: its segments' sequence numbers and discontinuities. */
    void read(byte[] text, int length) {
        long sequence = 0;
        boolean discontinuity = false;
        for (String raw : new String(text, 0, length, StandardCharsets.UTF_8).split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                try {
                    sequence = Long.parseLong(line.substring(22).trim());
                } catch (NumberFormatException e) {
                    sequence = 0;
                }
            } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                discontinuity = true;
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                segments.put(line, new Segment(sequence, discontinuity));
                sequence++;
                discontinuity = false;
            }
        }
    }

    /**
     * A segment at {@code url} opens: whether it breaks from the one before (a discontinuity tag, a sequence number
     * that does not follow, or a segment no playlist named).
     */
    boolean breaksOff(String url) {
        String path = url.replaceFirst("#.*", "");
        Segment found = null;
        for (Map.Entry<String, Segment> e : segments.entrySet()) {
            String uri = e.getKey();
            if (path.equals(uri) || path.endsWith("/" + uri.replaceFirst("^\\./", ""))) {
                found = e.getValue();
            }
        }
        if (found == null) {
            lastSequence = Long.MIN_VALUE;
            return true;
        }
        boolean breaks = found.discontinuity || lastSequence == Long.MIN_VALUE || found.sequence != lastSequence + 1;
        lastSequence = found.sequence;
        return breaks;
    }
}
