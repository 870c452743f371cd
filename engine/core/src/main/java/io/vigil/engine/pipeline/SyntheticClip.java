package io.vigil.engine.pipeline;

import io.vigil.ffi.ClipWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A clip made here rather than read: a painted picture and a sound, encoded through FFmpeg's libraries into a file
 * (a Matroska clip, or a live HLS playlist and its segments), for the demo's clips and channels. Video is H.264 (or
 * MPEG-4 part 2 where this FFmpeg lacks it), yuv420p. Write in time order: one picture, then the sound that plays
 * during it. Not thread-safe; {@link #close()} finishes the file.
 */
public final class SyntheticClip implements AutoCloseable {
    /** Fills one yuv420p picture in place. */
    @FunctionalInterface
    public interface Painter {
        /**
         * Paints frame {@code frameIndex}: every shown byte of the planes must be written; rows are {@code yStride}
         * (luma) or {@code chromaStride} (U and V, each half the width and height) bytes apart. The segments are
         * valid only during the call.
         */
        void paint(long frameIndex, MemorySegment y, int yStride, MemorySegment u, MemorySegment v, int chromaStride);
    }

    private final ClipWriter writer;

    private SyntheticClip(ClipWriter writer) {
        this.writer = writer;
    }

    /**
     * Creates {@code file} (replacing it) for {@code width}x{@code height} pictures at {@code fps} and
     * {@code channels} of sound at {@code sampleRate}, a keyframe every {@code keyframeIntervalFrames} frames (a
     * still stretch that must stay bit-identical holds none). Throws {@link java.io.UncheckedIOException} when the
     * file cannot be created, {@link IllegalArgumentException} for bad dimensions or an unknown extension.
     */
    public static SyntheticClip create(Path file, int width, int height, int fps, int sampleRate, int channels,
                                       int keyframeIntervalFrames) {
        return new SyntheticClip(ClipWriter.create(file, width, height, fps, sampleRate, channels,
                keyframeIntervalFrames));
    }

    /** Encodes the next picture, painted by {@code painter}. */
    public void writeVideo(Painter painter) {
        writer.writeVideo(painter::paint);
    }

    /** Encodes the next {@code samples} samples of each channel ({@code planar[channel][i]}, -1..1). */
    public void writeAudio(float[][] planar, int samples) {
        writer.writeAudio(planar, samples);
    }

    /** Finishes the file. */
    @Override
    public void close() {
        writer.close();
    }
}
