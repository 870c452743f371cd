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
     * {@code thumbnail}: path of a JPEG of the frame where a video alarm began (with {@code --thumbnails}), else null.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "status", "detector", "stream", "channel", "dedupKey", "severity", "start", "end",
            "duration", "wallStart", "wallEnd", "summary", "metrics", "cause", "thumbnail"})
    record Alarm(String status, String detector, String stream, Integer channel, String dedupKey, String severity,
                 double start, Double end, Double duration, String wallStart, String wallEnd, String summary,
                 Map<String, Double> metrics, String cause, String thumbnail) implements Event {
        public static final String FIRING = "firing";
        public static final String RESOLVED = "resolved";

        @Override
        @JsonProperty("type")
        public String type() {
            return "alarm";
        }

        public boolean firing() {
            return FIRING.equals(status);
        }
    }

    /**
     * The end of one input's analysis. {@code loudness}: integrated (LUFS), range (LU) and truePeak (dBTP) of the
     * audio, null when no loudness was measured.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "stream", "input", "frames", "audioSamples", "mediaSeconds", "elapsedSeconds", "backend",
            "decoder", "decodeErrors", "droppedFrames", "loudness", "alarms"})
    record Summary(String stream, String input, long frames, long audioSamples, double mediaSeconds,
                   double elapsedSeconds, String backend, String decoder, long decodeErrors, long droppedFrames,
                   Map<String, Integer> alarms, Map<String, Double> loudness) implements Event {
        @Override
        @JsonProperty("type")
        public String type() {
            return "summary";
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
