package io.vigil.ffi;

import java.time.Duration;

/**
 * How an input is opened and decoded.
 *
 * @param decodeThreads FFmpeg decoder threads per stream; 0 lets FFmpeg choose
 * @param ioTimeout longest wait for a network read (or the open) before the input is called broken
 */
public record DecodeOptions(int decodeThreads, Duration ioTimeout) {
    public static final DecodeOptions DEFAULTS = new DecodeOptions(0, Duration.ofSeconds(10));

    public DecodeOptions {
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, got " + decodeThreads);
        }
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive, got " + ioTimeout);
        }
    }
}
