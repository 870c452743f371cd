package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import java.lang.foreign.MemorySegment;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * A decoded picture, held by reference to FFmpeg's own buffers (no copy), with its planes laid out for the
 * statistics code. The object is a reusable holder: the decoder fills one per stream for each frame, and a
 * detector that must keep a frame (freeze's reference frame) takes a second reference with {@link #refFrom}.
 * Reading a holder that holds nothing fails loudly, as a use-after-free would.
 */
public final class VideoFrame implements AutoCloseable {
    static {
        AvFrameLayout.verify();
    }

    /** libavutil/frame.h macros, which the bindings do not export. */
    private static final int AV_FRAME_FLAG_CORRUPT = 1;
    private static final int AV_FRAME_FLAG_KEY = 1 << 1;

    private AVFrame frame;
    /** The AVFrame's {@code data[]} pointers, read through one view made when the holder is. */
    private final MemorySegment dataPointers;
    private boolean filled;

    private PixelLayout layout;
    private int width;
    private int height;
    private boolean fullRange;
    private final long[] planeAddress = new long[PixelLayout.MAX_PLANES];
    private final int[] linesize = new int[PixelLayout.MAX_PLANES];
    /** Host planes as bounded views, made on the first {@link #plane} of each frame. */
    private final MemorySegment[] planes = new MemorySegment[PixelLayout.MAX_PLANES];
    private double ptsSeconds;
    private double durationSeconds;
    private long index;
    private int decodeErrorFlags;
    private boolean corrupt;
    private boolean keyFrame;
    private boolean onDevice;
    private long decoderErrors;
    private double skippedBeforeSeconds;
    private final CaptionCounts captions = new CaptionCounts();

    public VideoFrame() {
        frame = av_frame_alloc();
        if (frame == null) {
            throw new OutOfMemoryError("av_frame_alloc");
        }
        dataPointers = NativeMemory.at(frame.address() + AvFrameLayout.DATA,
                NativeMemory.POINTER_BYTES * PixelLayout.MAX_PLANES);
    }

    /** The underlying frame, for the decoder that fills this holder. */
    AVFrame avFrame() {
        ensureOpen();
        return frame;
    }

    /** Reads the frame's fields after FFmpeg filled {@link #avFrame()}. */
    void fill(PixelLayout layout, double ptsSeconds, double durationSeconds, long index, boolean onDevice) {
        this.layout = layout;
        this.onDevice = onDevice;
        this.width = frame.width();
        this.height = frame.height();
        this.fullRange = layout.fullRangeFormat() || frame.color_range() == AVCOL_RANGE_JPEG;
        for (int p = 0; p < layout.planes(); p++) {
            planeAddress[p] = dataPointers.get(JAVA_LONG, NativeMemory.POINTER_BYTES * p);
            linesize[p] = frame.linesize(p);
        }
        java.util.Arrays.fill(planes, null);
        this.ptsSeconds = ptsSeconds;
        this.durationSeconds = durationSeconds;
        this.index = index;
        this.decodeErrorFlags = frame.decode_error_flags();
        int flags = frame.flags();
        this.corrupt = (flags & AV_FRAME_FLAG_CORRUPT) != 0;
        this.keyFrame = (flags & AV_FRAME_FLAG_KEY) != 0;
        this.filled = true;
    }

    /** Makes this holder a second reference to {@code other}'s picture (FFmpeg refcounts the buffers). */
    public void refFrom(VideoFrame other) {
        other.ensureFilled();
        ensureOpen();
        if (filled) {
            av_frame_unref(frame);
            filled = false;
        }
        FfmpegException.check(av_frame_ref(frame, other.frame), "av_frame_ref");
        fill(other.layout, other.ptsSeconds, other.durationSeconds, other.index, other.onDevice);
        decoderErrors = other.decoderErrors;
        skippedBeforeSeconds = other.skippedBeforeSeconds;
        captions.copyFrom(other.captions);
    }

    /** Drops the picture; the holder can be filled again. */
    public void release() {
        if (frame != null && filled) {
            av_frame_unref(frame);
        }
        filled = false;
    }

    public boolean isFilled() {
        return filled;
    }

    public PixelLayout layout() {
        ensureFilled();
        return layout;
    }

    public int width() {
        ensureFilled();
        return width;
    }

    public int height() {
        ensureFilled();
        return height;
    }

    /** Whether luma spans 0..max (JPEG/full range) rather than 16..235 scaled to the bit depth. */
    public boolean fullRange() {
        ensureFilled();
        return fullRange;
    }

    /**
     * Whether the planes are in CUDA device memory (an NVDEC frame: {@link #layout()} is then its software layout,
     * NV12 or P010, and {@link #planeAddress} gives device pointers that the CPU must never read).
     */
    public boolean onDevice() {
        ensureFilled();
        return onDevice;
    }

    public long planeAddress(int plane) {
        ensureFilled();
        return planeAddress[plane];
    }

    /**
     * The plane's bytes in host memory, as a view that spans exactly its rows (the last one to its last sample), so
     * that a statistic reading past the picture fails instead of reading whatever lies there. Valid until the holder
     * is released or filled again. Throws for a frame in device memory, which the CPU must not read.
     */
    public MemorySegment plane(int plane) {
        ensureFilled();
        if (onDevice) {
            throw new IllegalStateException("frame " + index + " is in CUDA memory: the CPU cannot read its planes");
        }
        MemorySegment view = planes[plane];
        if (view == null) {
            int rows = planeHeight(plane);
            long rowBytes = (long) planeWidth(plane) * layout.bytesPerSample();
            if (linesize[plane] < rowBytes) {
                throw new IllegalStateException("plane " + plane + " has rows of " + rowBytes + " bytes but a linesize of "
                        + linesize[plane] + " (bottom-up planes are not read)");
            }
            view = NativeMemory.at(planeAddress[plane], rows == 0 ? 0 : (long) linesize[plane] * (rows - 1) + rowBytes);
            planes[plane] = view;
        }
        return view;
    }

    /** Bytes from one row of the plane to the next (may exceed the row's width). */
    public int linesize(int plane) {
        ensureFilled();
        return linesize[plane];
    }

    /** Samples per row of the plane: interleaved planes (NV12's chroma) count both components. */
    public int planeWidth(int plane) {
        ensureFilled();
        return layout.planeWidth(plane, width);
    }

    public int planeHeight(int plane) {
        ensureFilled();
        return layout.planeHeight(plane, height);
    }

    /** Moves this frame (a lent copy) {@code seconds} later on the timeline; see FrameHandoff's offset. */
    public void shiftPts(double seconds) {
        ptsSeconds += seconds;
    }

    /** Media time of this frame in seconds, the input's first timestamp being 0. */
    public double ptsSeconds() {
        ensureFilled();
        return ptsSeconds;
    }

    /** How long this frame is shown, in seconds. */
    public double durationSeconds() {
        ensureFilled();
        return durationSeconds;
    }

    /** Zero-based position of this frame in its stream. */
    public long index() {
        ensureFilled();
        return index;
    }

    /** FFmpeg's {@code decode_error_flags} for this frame (0 when the decoder saw no error). */
    public int decodeErrorFlags() {
        ensureFilled();
        return decodeErrorFlags;
    }

    /** Packets this frame's decoder had rejected (cumulative) when the frame came out. */
    public long decoderErrors() {
        ensureFilled();
        return decoderErrors;
    }

    void decoderErrors(long count) {
        decoderErrors = count;
    }

    /**
     * On an input's first frame: how much earlier video (by presentation time) the decoder was given and could not
     * decode, seconds: the input began between keyframes (a live source joined mid-GOP, a recording cut there) and
     * this is the first picture the decoder could make. 0 on every other frame, and when the input began with a
     * decodable picture.
     */
    public double skippedBeforeSeconds() {
        ensureFilled();
        return skippedBeforeSeconds;
    }

    void skippedBeforeSeconds(double seconds) {
        skippedBeforeSeconds = seconds;
    }

    /**
     * The captions this frame came with (its A/53 side data, read by the decoder on the host whether the picture is
     * in host or device memory) and the subtitle packets the input has carried so far. Valid while the frame is.
     */
    public CaptionCounts captions() {
        ensureFilled();
        return captions;
    }

    /** The holder the decoder fills before the frame is filled. */
    CaptionCounts captionsHolder() {
        return captions;
    }

    /** Whether the decoder marked this frame corrupt. */
    public boolean corrupt() {
        ensureFilled();
        return corrupt;
    }

    public boolean keyFrame() {
        ensureFilled();
        return keyFrame;
    }

    private void ensureFilled() {
        if (!filled) {
            throw new IllegalStateException(frame == null ? "video frame used after close" : "video frame used after release");
        }
    }

    private void ensureOpen() {
        if (frame == null) {
            throw new IllegalStateException("video frame used after close");
        }
    }

    @Override
    public void close() {
        if (frame != null) {
            release();
            av_frame_free(frame);
            frame = null;
        }
    }
}
