package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * Bounded views of memory that FFmpeg owns, for the few places that read or write it by address: each view spans
 * exactly what its caller touches, so that a wrong offset fails with an exception rather than reading a stranger's
 * memory. Making a view allocates a small object: hot paths make theirs once (per frame holder, per plane).
 */
final class NativeMemory {
    /** A C pointer's size on the 64-bit hosts vigil supports. */
    static final long POINTER_BYTES = 8;

    private NativeMemory() {
    }

    /** The {@code bytes} at {@code address}; the caller knows they are live for as long as it uses the view. */
    static MemorySegment at(long address, long bytes) {
        if (address == 0) {
            throw new IllegalArgumentException("no memory at address 0");
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    /** The pointer stored at {@code address}. */
    static long pointerAt(long address) {
        return at(address, POINTER_BYTES).get(JAVA_LONG, 0);
    }
}
