package io.vigil.engine.log;

/**
 * The stream the current thread works for, which every log line it writes carries. Threads a stream's thread starts
 * (its decoding and analysis threads) inherit it, so FFmpeg's lines, written on those threads, carry it too.
 */
public final class StreamLogContext {
    private static final InheritableThreadLocal<String> STREAM = new InheritableThreadLocal<>();
    /** The threads that entered a stream, for a line another thread writes on their behalf (FFmpeg's threads). */
    private static final java.util.Map<Thread, String> ENTERED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private StreamLogContext() {
    }

    /** From now on this thread (and the threads it starts) works for {@code streamId}; null for none. */
    public static void enter(String streamId) {
        if (streamId == null) {
            STREAM.remove();
            ENTERED.remove(Thread.currentThread());
        } else {
            STREAM.set(streamId);
            ENTERED.put(Thread.currentThread(), streamId);
        }
    }

    /** The stream {@code thread} entered, or null. */
    public static String of(Thread thread) {
        return ENTERED.get(thread);
    }

    /** The stream this thread works for, or null. */
    public static String current() {
        return STREAM.get();
    }
}
