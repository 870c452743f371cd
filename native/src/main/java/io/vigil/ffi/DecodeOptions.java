package io.vigil.ffi;

import java.time.Duration;
import java.util.Objects;

/**
 * How an input is opened and decoded.
 *
 * @param decodeThreads FFmpeg decoder threads per stream; 0 lets FFmpeg choose
 * @param ioTimeout longest wait for a network read (or the open) before the input is called broken
 * @param target where video frames are decoded to: host memory, or a CUDA device's (NVDEC)
 * @param guard what vets the input's URL and every URL FFmpeg opens for it; null: anything FFmpeg's protocol
 *        whitelist for the input lets through
 */
public record DecodeOptions(int decodeThreads, Duration ioTimeout, DecodeTarget target, OpenGuard guard) {
    public static final DecodeOptions DEFAULTS = new DecodeOptions(0, Duration.ofSeconds(10), DecodeTarget.HOST);

    /** Decoding into host memory. */
    public DecodeOptions(int decodeThreads, Duration ioTimeout) {
        this(decodeThreads, ioTimeout, DecodeTarget.HOST);
    }

    /** Without a guard. */
    public DecodeOptions(int decodeThreads, Duration ioTimeout, DecodeTarget target) {
        this(decodeThreads, ioTimeout, target, null);
    }

    public DecodeOptions {
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, got " + decodeThreads);
        }
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive, got " + ioTimeout);
        }
        Objects.requireNonNull(target, "target");
    }

    /** These options with {@code openGuard} vetting what is opened. */
    public DecodeOptions withGuard(OpenGuard openGuard) {
        return new DecodeOptions(decodeThreads, ioTimeout, target, openGuard);
    }
}
