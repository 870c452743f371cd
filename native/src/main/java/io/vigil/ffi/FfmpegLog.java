package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
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
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * FFmpeg's own logging, which writes to stderr. vigil reports what matters itself (decode errors are counted and
 * become alarms), so FFmpeg is quiet by default; {@code VIGIL_FFMPEG_LOG=warning} (or error, info) brings it back
 * for debugging. One thing FFmpeg says only in its log is counted on the way: a UDP input's circular buffer overrun
 * (a datagram dropped because the reader fell behind, with {@code overrun_nonfatal}), for the inputs that
 * {@link #watchOverruns watch} theirs.
 */
public final class FfmpegLog {
    /** {@code void (*callback)(void *avcl, int level, const char *fmt, va_list vl)}: a va_list is passed as a pointer. */
    private static final FunctionDescriptor CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    /** How udp.c's message on a circular buffer overrun begins (its format string, without arguments). */
    private static final byte[] OVERRUN = "Circular buffer overrun".getBytes(StandardCharsets.US_ASCII);
    private static final Map<Long, AtomicLong> OVERRUNS = new ConcurrentHashMap<>();
    private static volatile boolean configured;
    private static volatile int level = AV_LOG_FATAL;
    private static MethodHandle defaultCallback;

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
            default -> AV_LOG_FATAL;
        };
        // Every message reaches the callback whatever the level (it only filters what is printed).
        av_log_set_level(level);
        route();
    }

    /** Points av_log's callback at {@link #log}, which counts overruns and hands on to FFmpeg's default printer. */
    private static void route() {
        Pointer setCallback = Loader.addressof("av_log_set_callback");
        Pointer printer = Loader.addressof("av_log_default_callback");
        if (setCallback == null || setCallback.isNull() || printer == null || printer.isNull()) {
            return; // no overrun counts; FFmpeg prints as before
        }
        Linker linker = Linker.nativeLinker();
        defaultCallback = linker.downcallHandle(MemorySegment.ofAddress(printer.address()), CALLBACK);
        try {
            MemorySegment stub = linker.upcallStub(MethodHandles.lookup().findStatic(FfmpegLog.class, "log",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class,
                            MemorySegment.class)), CALLBACK, Arena.global());
            linker.downcallHandle(MemorySegment.ofAddress(setCallback.address()), FunctionDescriptor.ofVoid(ADDRESS))
                    .invokeExact(stub);
        } catch (Throwable t) {
            System.getLogger(FfmpegLog.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot route FFmpeg's log, so UDP circular buffer overruns go uncounted: " + t);
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
            if (messageLevel <= level) {
                defaultCallback.invokeExact(avcl, messageLevel, fmt, args);
            }
        } catch (Throwable ignored) {
            // Logging must never break what logs.
        }
    }

    private static boolean startsWithOverrun(MemorySegment fmt) {
        MemorySegment text = fmt.reinterpret(OVERRUN.length);
        for (int i = 0; i < OVERRUN.length; i++) {
            if (text.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != OVERRUN[i]) {
                return false;
            }
        }
        return true;
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
