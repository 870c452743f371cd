package io.vigil.ffi;

import java.lang.foreign.MemorySegment;

/**
 * One segment spanning the whole address space, so that hot loops read native frames by absolute address
 * without creating a {@link MemorySegment} per frame or plane. Bounds are the caller's job: every address comes
 * from a live {@code AVFrame} whose plane sizes are known.
 */
public final class NativeMemory {
    /** Reads and writes by absolute address. Never hand it outside vigil's own statistics code. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory() {
    }
}
