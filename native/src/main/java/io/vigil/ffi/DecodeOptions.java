package io.vigil.ffi;

import java.time.Duration;

/**
 * How an input is opened and decoded.
 *
 * @param decodeThreads FFmpeg decoder threads per stream; 0 lets FFmpeg choose
 * @param ioTimeout longest wait for a network read (or the open) before the input is called broken
 * @param cudaDevice the CUDA device whose NVDEC decodes video into device memory, or -1 to decode on the CPU
 */
public record DecodeOptions(int decodeThreads, Duration ioTimeout, int cudaDevice) {
    public static final DecodeOptions DEFAULTS = new DecodeOptions(0, Duration.ofSeconds(10), -1);

    /** CPU decoding. */
    public DecodeOptions(int decodeThreads, Duration ioTimeout) {
        this(decodeThreads, ioTimeout, -1);
    }

    public DecodeOptions {
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, got " + decodeThreads);
        }
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive, got " + ioTimeout);
        }
    }
}
