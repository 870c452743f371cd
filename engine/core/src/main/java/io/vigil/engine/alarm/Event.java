package io.vigil.engine.alarm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/** The objects of the output contract (shared/spec/alarm-events.md): one per line in every sink. */
public sealed interface Event {
    String type();

    String stream();

    /**
     * An alarm firing or resolved. Times are media seconds from the input's start; wall times only for live inputs.
     * {@code thumbnail}: path of a JPEG of the frame where a video alarm began (with {@code --thumbnails}; in serve its
     * URL), else null. {@code clip}: serve only, the URL of a recording around the alarm, else null.
     * {@code suppressed}: true when {@code serve} raised it in a maintenance window or a mute (recorded and shown, not
     * paged); null otherwise.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "status", "detector", "stream", "channel", "check", "priority", "pid", "dedupKey",
            "severity", "start", "end", "duration", "wallStart", "wallEnd", "summary", "metrics", "cause", "thumbnail",
            "clip", "suppressed"})
    record Alarm(String status, String detector, String stream, Integer channel, String check, Integer priority,
                 Integer pid, String dedupKey, String severity, double start, Double end, Double duration,
                 String wallStart, String wallEnd, String summary, Map<String, Double> metrics, String cause,
                 String thumbnail, String clip, Boolean suppressed) implements Event {
        public static final String FIRING = "firing";
        public static final String RESOLVED = "resolved";

        /** An alarm without a clip, nobody suppressed. */
        public Alarm(String status, String detector, String stream, Integer channel, String check, Integer priority,
                     Integer pid, String dedupKey, String severity, double start, Double end, Double duration,
                     String wallStart, String wallEnd, String summary, Map<String, Double> metrics, String cause,
                     String thumbnail) {
            this(status, detector, stream, channel, check, priority, pid, dedupKey, severity, start, end, duration,
                    wallStart, wallEnd, summary, metrics, cause, thumbnail, null, null);
        }

        /** An alarm of a detector that labels its alarms by channel at most (every one but {@code tr101290}). */
        public Alarm(String status, String detector, String stream, Integer channel, String dedupKey, String severity,
                     double start, Double end, Double duration, String wallStart, String wallEnd, String summary,
                     Map<String, Double> metrics, String cause, String thumbnail) {
            this(status, detector, stream, channel, null, null, null, dedupKey, severity, start, end, duration,
                    wallStart, wallEnd, summary, metrics, cause, thumbnail);
        }

        @Override
        @JsonProperty("type")
        public String type() {
            return "alarm";
        }

        public boolean firing() {
            return FIRING.equals(status);
        }

        /** The same alarm with this evidence (serve's URLs of its start picture and its clip; null for none). */
        public Alarm withEvidence(String thumbnailUrl, String clipUrl) {
            return new Alarm(status, detector, stream, channel, check, priority, pid, dedupKey, severity, start, end,
                    duration, wallStart, wallEnd, summary, metrics, cause, thumbnailUrl, clipUrl, suppressed);
        }

        /** Whether it was raised in a maintenance window or a mute: shown, not paged. */
        public boolean silenced() {
            return Boolean.TRUE.equals(suppressed);
        }

        /** The same alarm marked suppressed. */
        public Alarm withSuppressed() {
            return new Alarm(status, detector, stream, channel, check, priority, pid, dedupKey, severity, start, end,
                    duration, wallStart, wallEnd, summary, metrics, cause, thumbnail, clip, Boolean.TRUE);
        }
    }

    /**
     * An operator acknowledged a firing alarm ({@code serve}): who, why, and when ({@code wall}, UTC ISO 8601). The
     * acknowledgement lasts until the alarm resolves.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "detector", "dedupKey", "by", "note", "wall"})
    record Ack(String stream, String detector, String dedupKey, String by, String note, String wall) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "ack";
        }
    }

    /**
     * A stream, or one detector on it ({@code detector} null: every detector), muted until {@code until} (UTC ISO
     * 8601) by an operator ({@code serve}): its alarms are raised and shown but marked suppressed. {@code id} names the
     * mute; {@code ended}: true when it was lifted before its time ({@code until} is then that moment), null otherwise.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "id", "stream", "detector", "until", "by", "note", "wall", "ended"})
    record Mute(String id, String stream, String detector, String until, String by, String note, String wall,
                Boolean ended) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "mute";
        }
    }

    /**
     * The end of one input's analysis. {@code loudness}: integrated (LUFS), range (LU) and truePeak (dBTP) of the
     * audio, null when no loudness was measured.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "input", "frames", "audioSamples", "mediaSeconds", "elapsedSeconds", "backend",
            "decoder", "decodeErrors", "droppedFrames", "loudness", "alarms", "transport"})
    record Summary(String stream, String input, long frames, long audioSamples, double mediaSeconds,
                   double elapsedSeconds, String backend, String decoder, long decodeErrors, long droppedFrames,
                   Map<String, Integer> alarms, Map<String, Double> loudness, Transport transport) implements Event {
        /** Without transport stream figures (no {@code tr101290} on the stream). */
        public Summary(String stream, String input, long frames, long audioSamples, double mediaSeconds,
                       double elapsedSeconds, String backend, String decoder, long decodeErrors, long droppedFrames,
                       Map<String, Integer> alarms, Map<String, Double> loudness) {
            this(stream, input, frames, audioSamples, mediaSeconds, elapsedSeconds, backend, decoder, decodeErrors,
                    droppedFrames, alarms, loudness, null);
        }

        @Override
        @JsonProperty("type")
        public String type() {
            return "summary";
        }
    }

    /**
     * A transport stream's figures over the stream's analysis ({@code tr101290}): packets read, and occurrences of
     * each TR 101 290 check by PID ("-1": the whole multiplex), only the checks that occurred; for a UDP input,
     * {@code ingestDrops}: datagrams this host dropped before vigil read them (the socket's receive buffer, FFmpeg's
     * circular buffer), whose gaps are not counted as errors (null for other inputs); for an RTP input,
     * {@code rtpLost}: packets lost before this host (gaps in the RTP sequence numbers), whose gaps are not counted as
     * errors either (null for other inputs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"packets", "errors", "ingestDrops", "rtpLost"})
    record Transport(long packets, Map<String, Map<String, Long>> errors, Long ingestDrops, Long rtpLost) {
        public Transport(long packets, Map<String, Map<String, Long>> errors) {
            this(packets, errors, null, null);
        }
    }

    /**
     * An in-band cue (SCTE-35) as the stream carries it. {@code start}: media seconds of the splice point (where the
     * cue arrived when it gives no time); {@code pts}: the splice time in 90 kHz ticks, pts_adjustment applied;
     * {@code kind}: "out" (a break begins) or "in"; {@code duration}: seconds; {@code command}: "splice_insert" or
     * "time_signal"; {@code segmentationType}, {@code upidType}, {@code upid}: its segmentation_descriptor's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "source", "pid", "command", "kind", "start", "pts", "duration", "eventId",
            "cancel", "segmentationType", "upidType", "upid", "wallStart"})
    record Marker(String stream, String source, int pid, String command, String kind, double start, Long pts,
                  Double duration, Long eventId, Boolean cancel, Integer segmentationType, Integer upidType,
                  String upid, String wallStart) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "marker";
        }
    }

    /**
     * An input that could not be opened or read, or whose analysis failed. {@code stage} is "open" or "read" (the
     * input), or "analysis" (vigil itself failed on it: a bug to report; serve restarts the analysis).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "input", "stage", "message"})
    record Error(String stream, String input, String stage, String message) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "error";
        }
    }

    /**
     * Part of a stream's analysis was switched off because it failed on the stream's content (a statistic that cannot
     * measure a picture that large, a detector that threw): one per detector, the rest of the analysis going on.
     * {@code detector}: the detector that no longer runs on this stream; {@code message}: what failed and why.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "input", "detector", "message"})
    record Warning(String stream, String input, String detector, String message) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "warning";
        }
    }
}
