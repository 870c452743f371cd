package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * FFmpeg's own log, routed into vigil's (the {@code ffmpeg} logger of java.util.logging, so it gets the same format,
 * level and stream id as every other line) with its levels mapped: fatal and error to SEVERE, warning to WARNING,
 * info to INFO, verbose and debug to FINE and FINER. vigil reports what matters itself (decode errors are counted and
 * become alarms), so FFmpeg is quiet by default; {@code VIGIL_FFMPEG_LOG=warning} (or error, info, verbose, debug)
 * lets its lines through, for debugging.
 *
 * <p>One thing FFmpeg says only in its log is counted on the way, whatever the level: a UDP input's circular buffer
 * overrun (a datagram dropped because the reader fell behind, with {@code overrun_nonfatal}), for the inputs that
 * {@link #watchOverruns watch} theirs. That is why the callback is FFmpeg's own signature over Panama (it sees every
 * message and the context it is about) rather than JavaCPP's LogCallback (formatted lines above the level only).
 */
public final class FfmpegLog {
    /** {@code void (*callback)(void *avcl, int level, const char *fmt, va_list vl)}: a va_list is passed as a pointer. */
    private static final FunctionDescriptor CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    /** {@code int av_log_format_line2(void *avcl, int level, const char *fmt, va_list vl, char *line, int size, int *prefix)}. */
    private static final FunctionDescriptor FORMAT_LINE = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    private static final int LINE_BYTES = 1024;
    /** How udp.c's message on a circular buffer overrun begins (its format string, without arguments). */
    private static final byte[] OVERRUN = "Circular buffer overrun".getBytes(StandardCharsets.US_ASCII);
    private static final Map<Long, AtomicLong> OVERRUNS = new ConcurrentHashMap<>();
    private static final Logger LOG = Logger.getLogger("ffmpeg");
    /** The Java thread that opened each decoder, by the context's address: FFmpeg's lines about it name it. */
    private static final Map<Long, Thread> OWNERS = new ConcurrentHashMap<>();
    private static volatile boolean configured;
    private static volatile int level = AV_LOG_FATAL;
    private static MethodHandle formatLine;

    private FfmpegLog() {
    }

    /** Applies the level from {@code VIGIL_FFMPEG_LOG} once (fatal when unset), and routes FFmpeg's log through here. */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        String wanted = System.getenv("VIGIL_FFMPEG_LOG");
        level = switch (wanted == null ? "" : wanted.toLowerCase(Locale.ROOT)) {
            case "error" -> AV_LOG_ERROR;
            case "warning" -> AV_LOG_WARNING;
            case "info" -> AV_LOG_INFO;
            case "verbose" -> AV_LOG_VERBOSE;
            case "debug" -> AV_LOG_DEBUG;
            default -> AV_LOG_FATAL;
        };
        // Every message reaches the callback whatever the level (it only filters what is printed).
        av_log_set_level(level);
        route();
    }

    /** Points av_log's callback at {@link #log}, which counts overruns and hands lines to the {@code ffmpeg} logger. */
    private static void route() {
        Pointer setCallback = Loader.addressof("av_log_set_callback");
        Pointer format = Loader.addressof("av_log_format_line2");
        if (setCallback == null || setCallback.isNull() || format == null || format.isNull()) {
            LOG.warning("cannot route FFmpeg's log (av_log_set_callback or av_log_format_line2 not found): its lines"
                    + " go to stderr and UDP circular buffer overruns go uncounted");
            return;
        }
        Linker linker = Linker.nativeLinker();
        formatLine = linker.downcallHandle(MemorySegment.ofAddress(format.address()), FORMAT_LINE);
        try {
            MemorySegment stub = linker.upcallStub(MethodHandles.lookup().findStatic(FfmpegLog.class, "log",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class,
                            MemorySegment.class)), CALLBACK, Arena.global());
            linker.downcallHandle(MemorySegment.ofAddress(setCallback.address()), FunctionDescriptor.ofVoid(ADDRESS))
                    .invokeExact(stub);
        } catch (Throwable t) {
            LOG.warning("cannot route FFmpeg's log, so UDP circular buffer overruns go uncounted: " + t);
        }
    }

    /** The log callback (an upcall, on whatever thread FFmpeg logs from). Never throws. */
    @SuppressWarnings("unused")
    private static void log(MemorySegment avcl, int messageLevel, MemorySegment fmt, MemorySegment args) {
        try {
            if (messageLevel <= AV_LOG_WARNING && !OVERRUNS.isEmpty() && fmt.address() != 0) {
                AtomicLong count = OVERRUNS.get(avcl.address());
                if (count != null && startsWithOverrun(fmt)) {
                    count.incrementAndGet();
                }
            }
            Level mapped = level(messageLevel);
            if (messageLevel <= level && LOG.isLoggable(mapped)) {
                publish(avcl, messageLevel, mapped, fmt, args);
            }
        } catch (Throwable ignored) {
            // Logging must never break what logs.
        }
    }

    /** One formatted FFmpeg line (its "[h264 @ 0x...]" prefix kept) to the {@code ffmpeg} logger. */
    private static void publish(MemorySegment avcl, int messageLevel, Level mapped, MemorySegment fmt,
                                MemorySegment args) throws Throwable {
        String text;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment line = arena.allocate(LINE_BYTES);
            MemorySegment printPrefix = arena.allocate(JAVA_INT);
            printPrefix.set(JAVA_INT, 0, 1);
            int written = (int) formatLine.invokeExact(avcl, messageLevel, fmt, args, line, LINE_BYTES, printPrefix);
            if (written < 0) {
                return;
            }
            text = line.getString(0, StandardCharsets.UTF_8).strip();
        }
        if (text.isEmpty()) {
            return;
        }
        LogRecord record = new LogRecord(mapped, text);
        record.setLoggerName(LOG.getName());
        Thread owner = OWNERS.get(avcl.address());
        if (owner != null && owner != Thread.currentThread()) {
            record.setParameters(new Object[] {owner}); // the formatter names the stream that thread works for
        }
        LOG.log(record);
    }

    private static boolean startsWithOverrun(MemorySegment fmt) {
        MemorySegment text = fmt.reinterpret(OVERRUN.length);
        for (int i = 0; i < OVERRUN.length; i++) {
            if (text.get(JAVA_BYTE, i) != OVERRUN[i]) {
                return false;
            }
        }
        return true;
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

    /**
     * {@code context} belongs to the current thread's work: the lines FFmpeg writes about it on its own threads
     * (frame and slice threads) carry the current thread as their record's parameter, for the formatter to name the
     * stream it works for.
     */
    static void own(Pointer context) {
        OWNERS.put(context.address(), Thread.currentThread());
    }

    /** Forgets {@code context} (before it is freed). */
    static void disown(Pointer context) {
        if (context != null && !context.isNull()) {
            OWNERS.remove(context.address());
        }
    }

    /** Starts counting the circular buffer overruns FFmpeg logs on the URLContext at {@code urlContext}. */
    static void watchOverruns(long urlContext) {
        OVERRUNS.putIfAbsent(urlContext, new AtomicLong());
    }

    static void unwatchOverruns(long urlContext) {
        OVERRUNS.remove(urlContext);
    }

    /** Overruns logged on {@code urlContext} since it was watched. */
    static long overruns(long urlContext) {
        AtomicLong count = OVERRUNS.get(urlContext);
        return count == null ? 0 : count.get();
    }
}
