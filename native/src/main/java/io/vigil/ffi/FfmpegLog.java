package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.util.Locale;

/**
 * FFmpeg's own logging, which writes to stderr. vigil reports what matters itself (decode errors are counted and
 * become alarms), so FFmpeg is quiet by default; {@code VIGIL_FFMPEG_LOG=warning} (or error, info) brings it back
 * for debugging.
 */
public final class FfmpegLog {
    private static volatile boolean configured;

    private FfmpegLog() {
    }

    /** Applies the level from {@code VIGIL_FFMPEG_LOG} once (fatal when unset). */
    public static void configure() {
        if (configured) {
            return;
        }
        configured = true;
        String wanted = System.getenv("VIGIL_FFMPEG_LOG");
        int level = switch (wanted == null ? "" : wanted.toLowerCase(Locale.ROOT)) {
            case "error" -> AV_LOG_ERROR;
            case "warning" -> AV_LOG_WARNING;
            case "info" -> AV_LOG_INFO;
            default -> AV_LOG_FATAL;
        };
        av_log_set_level(level);
    }
}
