package io.vigil.engine.alarm;

import java.time.Instant;

/**
 * Where one stream's analysis reads the time: a monotonic count of nanoseconds (for waits measured on the wall
 * clock, such as {@code stall}'s) and the wall clock itself (for a live alarm's {@code wallStart} and
 * {@code wallEnd}). The system's in production; a test's own, to play out an hour of outages and restarts in
 * milliseconds and know exactly how long each lasted.
 */
public interface StreamClock {
    /** The system's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
    StreamClock SYSTEM = new StreamClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };

    /** Monotonic nanoseconds, comparable only with each other (as {@link System#nanoTime()}). */
    long nanoTime();

    /** The wall clock now. */
    Instant now();
}
