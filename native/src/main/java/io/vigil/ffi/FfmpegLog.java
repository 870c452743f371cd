package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/**
 * FFmpeg's own log, routed into vigil's (the {@code ffmpeg} logger of java.util.logging, so it gets the same format,
 * level and stream id as every other line) with its levels mapped: fatal and error to SEVERE, warning to WARNING,
 * info to INFO, verbose and debug to FINE and FINER. vigil reports what matters itself (decode errors are counted and
 * become alarms), so FFmpeg is quiet by default; {@code VIGIL_FFMPEG_LOG=warning} (or error, info, verbose, debug)
 * lets its lines through, for debugging.
 */
public final class FfmpegLog {
    private static final Logger LOG = Logger.getLogger("ffmpeg");
    private static volatile boolean configured;
    /** Held for the life of the process: FFmpeg keeps calling it. */
    private static LogCallback callback;
    /** The Java thread that opened each decoder, by the context's address, which FFmpeg's lines name. */
    private static final java.util.Map<Long, Thread> OWNERS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.regex.Pattern CONTEXT = java.util.regex.Pattern.compile("@ 0x([0-9a-fA-F]+)]");

    private FfmpegLog() {
    }

    /** Applies the level from {@code VIGIL_FFMPEG_LOG} once (fatal when unset) and routes FFmpeg's lines. */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        String wanted = System.getenv("VIGIL_FFMPEG_LOG");
        int level = switch (wanted == null ? "" : wanted.toLowerCase(Locale.ROOT)) {
            case "error" -> AV_LOG_ERROR;
            case "warning" -> AV_LOG_WARNING;
            case "info" -> AV_LOG_INFO;
            case "verbose" -> AV_LOG_VERBOSE;
            case "debug" -> AV_LOG_DEBUG;
            default -> AV_LOG_FATAL;
        };
        av_log_set_level(level);
        callback = new Route().retainReference();
        avutil.setLogCallback(callback);
    }

    /**
     * {@code context} belongs to the current thread's work: the lines FFmpeg writes about it on its own threads
     * (frame and slice threads) carry the current thread as their record's parameter, for the formatter to name the
     * stream it works for.
     */
    static void own(org.bytedeco.javacpp.Pointer context) {
        OWNERS.put(context.address(), Thread.currentThread());
    }

    /** Forgets {@code context} (before it is freed). */
    static void disown(org.bytedeco.javacpp.Pointer context) {
        if (context != null && !context.isNull()) {
            OWNERS.remove(context.address());
        }
    }

    /** FFmpeg's level as java.util.logging's. */
    static Level level(int ffmpegLevel) {
        if (ffmpegLevel <= AV_LOG_ERROR) {
            return Level.SEVERE;
        }
        if (ffmpegLevel <= AV_LOG_WARNING) {
            return Level.WARNING;
        }
        if (ffmpegLevel <= AV_LOG_INFO) {
            return Level.INFO;
        }
        return ffmpegLevel <= AV_LOG_VERBOSE ? Level.FINE : Level.FINER;
    }

    /** One formatted FFmpeg line (its "[h264 @ 0x...]" prefix kept) to the {@code ffmpeg} logger. */
    private static final class Route extends LogCallback {
        @Override
        public void call(int ffmpegLevel, BytePointer line) {
            Level mapped = level(ffmpegLevel);
            if (LOG.isLoggable(mapped)) {
                String text = line.getString().strip();
                if (text.isEmpty()) {
                    return;
                }
                java.util.logging.LogRecord record = new java.util.logging.LogRecord(mapped, text);
                record.setLoggerName(LOG.getName());
                java.util.regex.Matcher m = CONTEXT.matcher(text);
                Thread owner = m.find() ? OWNERS.get(Long.parseUnsignedLong(m.group(1), 16)) : null;
                if (owner != null && owner != Thread.currentThread()) {
                    record.setParameters(new Object[] {owner});
                }
                LOG.log(record);
            }
        }
    }
}
