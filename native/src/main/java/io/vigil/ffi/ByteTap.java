package io.vigil.ffi;

import java.lang.foreign.MemorySegment;

/**
 * Sees an input's bytes as FFmpeg reads them, before its demuxer: a transport stream analyser. Called on the thread
 * that reads the input, inside FFmpeg's read; {@code data} is valid only during the call. {@code position} is where
 * the bytes lie in the input: a demuxer that seeks (a file probed at its end, then read from its start again) hands
 * some bytes over twice, and the tap tells by their position.
 */
@FunctionalInterface
public interface ByteTap {
    void bytes(long position, MemorySegment data);
}
