package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_hwframe_transfer_data;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_free_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Writes small JPEG pictures of single frames (an alarm's thumbnail): scales a {@link VideoFrame} to
 * {@value #WIDTH} pixels wide, keeping its display aspect ratio (an even height), into full-range 4:2:0 with
 * swscale, encodes it with FFmpeg's mjpeg encoder and writes the file atomically (a temporary file in the same
 * folder, then a rename), so that a reader never sees half a picture.
 *
 * <p>Frames in host memory of any layout the decoder delivers are scaled directly; a frame in CUDA memory is first
 * downloaded into a reused software frame. A picture already made small (by the GPU, see {@link #jpeg(MemorySegment,
 * int, boolean)}) is only range-converted and encoded. One writer per stream: its scaler, encoder and frames are kept for the
 * next thumbnail (the encoder is reopened only when the picture's height changes). Not thread-safe.
 */
public final class ThumbnailWriter implements AutoCloseable {
    /** Width of every thumbnail, in pixels. */
    public static final int WIDTH = 320;
    /** mjpeg quantiser, as {@code -q:v 5}: small files that still show what went wrong. */
    private static final int QUALITY = 5;

    static {
        FfmpegLog.configure();
    }

    /** A thumbnail that could not be made or written: names the file and why. */
    public static final class ThumbnailException extends RuntimeException {
        private final Path file;

        /** For a step outside this writer (making the picture small on a GPU) that failed for {@code file}. */
        public ThumbnailException(Path file, String reason, Throwable cause) {
            super("Cannot write thumbnail " + file + ": " + reason, cause);
            this.file = file;
        }

        public Path file() {
            return file;
        }
    }

    private SwsContext scaler;
    private AVFrame download;
    /** A small packed yuv420p picture from the host, copied in (only its range is converted). */
    private AVFrame small;
    private AVFrame scaled;
    private AVCodecContext encoder;
    private AVPacket packet;
    private int encoderHeight;
    private long pictures;
    private boolean closed;

    public ThumbnailWriter() {
        download = av_frame_alloc();
        small = av_frame_alloc();
        scaled = av_frame_alloc();
        packet = av_packet_alloc();
        scaler = sws_alloc_context();
        if (download == null || small == null || scaled == null || packet == null || scaler == null) {
            close();
            throw new OutOfMemoryError("av_frame_alloc / av_packet_alloc / sws_alloc_context");
        }
        scaler.flags(SWS_AREA);
        scaler.threads(1);
    }

    /**
     * The thumbnail's height for a picture {@code width} x {@code height} with sample aspect ratio
     * {@code sarNum:sarDen} (0 or negative: square pixels): {@value #WIDTH} wide at the same display aspect ratio,
     * rounded to an even number of rows, at least 2.
     */
    public static int heightFor(int width, int height, int sarNum, int sarDen) {
        double displayWidth = sarNum > 0 && sarDen > 0 ? (double) width * sarNum / sarDen : width;
        long rows = Math.round(WIDTH * height / displayWidth / 2.0) * 2;
        return (int) Math.clamp(rows, 2, 8192);
    }

    /** The thumbnail's height for {@code frame}: {@link #heightFor(int, int, int, int)} with its sample aspect ratio. */
    public static int heightFor(VideoFrame frame) {
        AVFrame f = frame.avFrame();
        return heightFor(f.width(), f.height(), f.sample_aspect_ratio().num(), f.sample_aspect_ratio().den());
    }

    /** The JPEG of {@code frame} in memory (a service's live thumbnail); throws {@link FfmpegException} when it fails. */
    public byte[] jpeg(VideoFrame frame) {
        if (closed) {
            throw new IllegalStateException("thumbnail writer used after close");
        }
        return encode(frame);
    }

    /**
     * Writes a JPEG of {@code frame} to {@code file} (replacing it). The frame is only read. Throws
     * {@link ThumbnailException} naming the file and the reason when any step fails; no partial file is left.
     */
    public void write(VideoFrame frame, Path file) {
        if (closed) {
            throw new IllegalStateException("thumbnail writer used after close");
        }
        byte[] jpeg;
        try {
            jpeg = encode(frame);
        } catch (FfmpegException | IllegalStateException e) {
            throw new ThumbnailException(file, e.getMessage(), e);
        }
        writeFile(jpeg, file);
    }

    /**
     * The JPEG of a picture already {@value #WIDTH} x {@code height} (even): packed 8-bit yuv420p in {@code yuv420p}
     * (Y, then U and V at half width and height, no padding; {@link #smallPictureBytes}), limited range unless
     * {@code fullRange}. Converted to JPEG's full range and encoded as {@link #jpeg(VideoFrame)} does; the picture
     * is only read. Throws {@link FfmpegException} when it fails, IllegalArgumentException for a wrong size.
     */
    public byte[] jpeg(MemorySegment yuv420p, int height, boolean fullRange) {
        if (closed) {
            throw new IllegalStateException("thumbnail writer used after close");
        }
        return encodeSmall(yuv420p, height, fullRange);
    }

    /** As {@link #write(VideoFrame, Path)}, for a small picture as {@link #jpeg(MemorySegment, int, boolean)} takes. */
    public void write(MemorySegment yuv420p, int height, boolean fullRange, Path file) {
        if (closed) {
            throw new IllegalStateException("thumbnail writer used after close");
        }
        byte[] jpeg;
        try {
            jpeg = encodeSmall(yuv420p, height, fullRange);
        } catch (FfmpegException | IllegalStateException e) {
            throw new ThumbnailException(file, e.getMessage(), e);
        }
        writeFile(jpeg, file);
    }

    /** Bytes of a packed {@value #WIDTH} x {@code height} 8-bit yuv420p picture. */
    public static long smallPictureBytes(int height) {
        return (long) WIDTH * height + 2L * (WIDTH / 2) * (height / 2);
    }

    private byte[] encodeSmall(MemorySegment yuv420p, int height, boolean fullRange) {
        if (height < 2 || height > 8192 || height % 2 != 0) {
            throw new IllegalArgumentException("a small picture's height must be even, 2..8192, got " + height);
        }
        if (yuv420p.byteSize() != smallPictureBytes(height)) {
            throw new IllegalArgumentException("a " + WIDTH + " x " + height + " yuv420p picture is "
                    + smallPictureBytes(height) + " bytes, got " + yuv420p.byteSize());
        }
        if (small.width() != WIDTH || small.height() != height || small.data(0) == null || small.data(0).isNull()) {
            av_frame_unref(small);
            small.width(WIDTH).height(height).format(AV_PIX_FMT_YUV420P);
            FfmpegException.check(av_frame_get_buffer(small, 0), "av_frame_get_buffer");
        }
        FfmpegException.check(av_frame_make_writable(small), "av_frame_make_writable");
        long at = 0;
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? WIDTH : WIDTH / 2;
            int h = p == 0 ? height : height / 2;
            int linesize = small.linesize(p);
            MemorySegment plane = MemorySegment.ofAddress(small.data(p).address()).reinterpret((long) linesize * h);
            for (int y = 0; y < h; y++) {
                MemorySegment.copy(yuv420p, at, plane, (long) y * linesize, w);
                at += w;
            }
        }
        small.color_range(fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG);
        small.sample_aspect_ratio().num(1).den(1);
        prepare(height);
        FfmpegException.check(av_frame_make_writable(scaled), "av_frame_make_writable");
        scaled.color_range(AVCOL_RANGE_JPEG);
        FfmpegException.check(sws_scale_frame(scaler, scaled, small), "sws_scale_frame");
        return encodeScaled();
    }

    private void writeFile(byte[] jpeg, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(jpeg);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(false);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw new ThumbnailException(file, describe(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the rename or write failed already; that is the error worth reporting
                }
            }
        }
    }

    /** Why a file operation failed, in words for people (no exception class names). */
    public static String describe(IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException d -> "permission denied";
            case java.nio.file.NoSuchFileException n -> "no such folder";
            case java.nio.file.FileAlreadyExistsException x -> (x.getFile() == null ? "a file" : x.getFile())
                    + " exists and is not a folder";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() != null ? e.getMessage() : "I/O error";
        };
    }

    /**
     * The luma of {@code frame} made small as its thumbnail is ({@value #WIDTH} x {@link #heightFor(VideoFrame)},
     * full range), copied into {@code out} row after row without padding (at least that many bytes): the picture
     * the logo and slate checks match. The frame is only read; throws {@link FfmpegException} when scaling fails.
     */
    public void luma(VideoFrame frame, MemorySegment out) {
        if (closed) {
            throw new IllegalStateException("thumbnail writer used after close");
        }
        scale(frame);
        int height = scaled.height();
        if (out.byteSize() < (long) WIDTH * height) {
            throw new IllegalArgumentException("a " + WIDTH + " x " + height + " luma picture does not fit in "
                    + out.byteSize() + " bytes");
        }
        int linesize = scaled.linesize(0);
        MemorySegment plane = MemorySegment.ofAddress(scaled.data(0).address()).reinterpret((long) linesize * height);
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(plane, (long) y * linesize, out, (long) y * WIDTH, WIDTH);
        }
    }

    /** Scales and encodes {@code frame}; returns the JPEG's bytes. */
    private byte[] encode(VideoFrame frame) {
        scale(frame);
        return encodeScaled();
    }

    /** Scales {@code frame} into the thumbnail-sized frame. */
    private void scale(VideoFrame frame) {
        if (!frame.isFilled()) {
            throw new IllegalStateException("no picture in the frame");
        }
        AVFrame source = frame.avFrame();
        if (frame.onDevice()) {
            av_frame_unref(download);
            FfmpegException.check(av_hwframe_transfer_data(download, source, 0), "av_hwframe_transfer_data");
            source = download;
        }
        try {
            int width = source.width();
            int height = source.height();
            int outHeight = heightFor(width, height, source.sample_aspect_ratio().num(), source.sample_aspect_ratio().den());
            prepare(outHeight);
            FfmpegException.check(av_frame_make_writable(scaled), "av_frame_make_writable");
            // Limited (or full) range in, full range out: JPEG's own range, which every viewer assumes. The scaler
            // reads sizes, formats and ranges from the two frames (and sets itself up again when they change).
            scaled.color_range(AVCOL_RANGE_JPEG);
            FfmpegException.check(sws_scale_frame(scaler, scaled, source), "sws_scale_frame");
        } finally {
            if (source == download) {
                av_frame_unref(download);
            }
        }
    }

    /** Encodes the scaled frame; returns the JPEG's bytes. */
    private byte[] encodeScaled() {
        // The encoder wants rising timestamps, one picture after another.
        scaled.pts(pictures++);
        scaled.quality(encoder.global_quality());
        FfmpegException.check(avcodec_send_frame(encoder, scaled), "avcodec_send_frame");
        int ret = avcodec_receive_packet(encoder, packet);
        FfmpegException.check(ret, "avcodec_receive_packet");
        try {
            byte[] out = new byte[packet.size()];
            packet.data().get(out);
            return out;
        } finally {
            av_packet_unref(packet);
        }
    }

    /** The scaled frame's buffers and the encoder, for thumbnails {@code height} rows high. */
    private void prepare(int height) {
        if (encoder != null && encoderHeight == height) {
            return;
        }
        if (encoder != null) {
            avcodec_free_context(encoder);
            encoder = null;
        }
        av_frame_unref(scaled);
        scaled.width(WIDTH).height(height).format(AV_PIX_FMT_YUV420P);
        FfmpegException.check(av_frame_get_buffer(scaled, 0), "av_frame_get_buffer");
        AVCodec mjpeg = avcodec_find_encoder_by_name("mjpeg");
        if (mjpeg == null) {
            throw new IllegalStateException("this FFmpeg build lacks the mjpeg encoder");
        }
        encoder = avcodec_alloc_context3(mjpeg);
        if (encoder == null) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        encoder.width(WIDTH).height(height).pix_fmt(AV_PIX_FMT_YUV420P).color_range(AVCOL_RANGE_JPEG);
        encoder.time_base().num(1).den(25);
        encoder.flags(encoder.flags() | AV_CODEC_FLAG_QSCALE);
        encoder.global_quality(FF_QP2LAMBDA * QUALITY);
        int ret = avcodec_open2(encoder, mjpeg, (PointerPointer<?>) null);
        if (ret < 0) {
            avcodec_free_context(encoder);
            encoder = null;
            FfmpegException.check(ret, "avcodec_open2 (mjpeg)");
        }
        encoderHeight = height;
        pictures = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (encoder != null) {
            avcodec_free_context(encoder);
            encoder = null;
        }
        if (scaler != null) {
            sws_free_context(scaler);
            scaler = null;
        }
        if (download != null) {
            av_frame_free(download);
            download = null;
        }
        if (small != null) {
            av_frame_free(small);
            small = null;
        }
        if (scaled != null) {
            av_frame_free(scaled);
            scaled = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
    }
}
