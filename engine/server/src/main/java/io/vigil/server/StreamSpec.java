package io.vigil.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One stream the service watches, as the config file or {@code POST /api/streams} gives it.
 *
 * @param id stable name of the stream: letters, digits, '.', '_' and '-', at most 64 characters
 * @param url where to read it (HLS, UDP/RTP MPEG-TS, SRT, RTMP, RTSP, HTTP progressive, or a file in an allowed folder)
 * @param detectors the detectors to run, in config-file spelling; null for the service's defaults
 * @param settings per-detector overrides, {@code detector -> key -> value} in config-file spelling; empty for none
 * @param profile the threshold profile (serve's {@code profiles}) under the stream's own settings; null for none
 * @param groups the groups the stream belongs to (maintenance windows name them); empty for none
 */
public record StreamSpec(String id, String url, List<String> detectors, Map<String, Map<String, Object>> settings,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String profile,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> groups) {
    public StreamSpec {
        detectors = detectors == null ? null : List.copyOf(detectors);
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** A stream with no profile and no groups. */
    public StreamSpec(String id, String url, List<String> detectors, Map<String, Map<String, Object>> settings) {
        this(id, url, detectors, settings, null, null);
    }
}
