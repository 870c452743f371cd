package io.vigil.ffi;

/** AVERROR values of POSIX errno codes FFmpeg returns (Linux numbering: the natives vigil ships are Linux ones). */
final class AvErrors {
    static final int EAGAIN = -11;
    static final int ENOENT = -2;
    static final int EACCES = -13;
    static final int ETIMEDOUT = -110;
    static final int ECONNREFUSED = -111;

    private AvErrors() {
    }
}
