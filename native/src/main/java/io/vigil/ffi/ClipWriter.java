package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CAP_SMALL_LAST_FRAME;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PCM_S16LE;
import static org.bytedeco.ffmpeg.global.avcodec.FF_COMPLIANCE_NORMAL;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_NOFILE;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_query_codec;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Encodes a synthetic clip, one video and one audio stream, to a file through libavcodec and libavformat, so that
 * {@code vigil demo} and the tests can make media with defects at known times without any media of the user's own
 * and without the ffmpeg program.
 *
 * <p>The container follows the file's extension (Matroska {@code .mkv} is the one vigil uses). Video is H.264
 * through libopenh264 where this FFmpeg build has it and it opens, else FFmpeg's native MPEG-4 part 2 encoder, both
 * yuv420p; audio is 16-bit PCM where the container takes it, else AAC.
 *
 * <p>Write in time order: the muxer interleaves by timestamp and holds packets of the stream that runs ahead until
 * the other catches up, within its interleave window (about 10 s). The expected pattern is one video frame, then
 * the audio samples that play during it; writing all the video of a clip shorter than 10 s before all its audio
 * also works.
 *
 * <p>Not thread-safe. {@link #close()} finishes the file; a writer that is never closed leaks its native state and
 * leaves a file without its index.
 */
public final class ClipWriter implements AutoCloseable {
    /** Audio frames for encoders that take any size (PCM). */
    private static final int PCM_FRAME_SAMPLES = 1024;
    /** MPEG-4 quantiser: 3 is close to visually lossless at any size. */
    private static final int MPEG4_QSCALE = 3;

    /** Fills one yuv420p picture in place. */
    @FunctionalInterface
    public interface VideoPainter {
        /**
         * Paints frame {@code frameIndex}. The planes hold the previous picture (or garbage) and must be fully
         * written; rows are {@code yStride} (luma) or {@code chromaStride} (U and V, each half the width and height)
         * bytes apart, of which only the first width (or width / 2) bytes are shown. The segments are valid only
         * during the call.
         */
        void paint(long frameIndex, MemorySegment y, int yStride, MemorySegment u, MemorySegment v, int chromaStride);
    }

    static {
        FfmpegLog.configure();
        AvFrameLayout.verify();
    }

    private final Path file;
    private final int width;
    private final int height;
    private final int fps;
    private final int sampleRate;
    private final int channels;

    private AVFormatContext formatContext;
    private AVIOContext io;
    private AVCodecContext videoEncoder;
    private AVCodecContext audioEncoder;
    private AVStream videoStream;
    private AVStream audioStream;
    private AVFrame videoFrame;
    private AVFrame audioFrame;
    private AVPacket packet;
    private String videoEncoderName;
    private String audioEncoderName;
    private boolean headerWritten;
    private boolean closed;

    private int audioFrameSamples;
    private boolean partialLastFrame;
    private float[][] pending;
    private int pendingSamples;

    private long videoFrames;
    private long audioSamplesIn;
    private long audioPts;

    private ClipWriter(Path file, int width, int height, int fps, int sampleRate, int channels) {
        this.file = file;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    private int keyframeIntervalFrames;

    /**
     * Creates {@code file} (replacing it) and writes the header. Throws {@link UncheckedIOException} when the file
     * cannot be created, {@link IllegalArgumentException} for bad dimensions or an extension FFmpeg does not know.
     */
    public static ClipWriter create(Path file, int width, int height, int fps, int sampleRate, int channels) {
        return create(file, width, height, fps, sampleRate, channels, true, Math.clamp(2L * fps, 25, 50));
    }

    /**
     * {@link #create} with a keyframe every {@code keyframeIntervalFrames} frames. A clip that must hold a
     * bit-identical still picture for a while (a freeze for freezedetect's -60 dB) needs no keyframe inside it:
     * a re-encoded keyframe is not identical to the picture it replaces.
     */
    public static ClipWriter create(Path file, int width, int height, int fps, int sampleRate, int channels,
            int keyframeIntervalFrames) {
        if (keyframeIntervalFrames < 1) {
            throw new IllegalArgumentException("keyframe interval must be >= 1 frame, got " + keyframeIntervalFrames);
        }
        return create(file, width, height, fps, sampleRate, channels, true, keyframeIntervalFrames);
    }

    /** {@link #create} with libopenh264 optionally ruled out, so that tests reach the MPEG-4 fallback. */
    static ClipWriter create(Path file, int width, int height, int fps, int sampleRate, int channels,
            boolean allowOpenH264) {
        return create(file, width, height, fps, sampleRate, channels, allowOpenH264, Math.clamp(2L * fps, 25, 50));
    }

    private static ClipWriter create(Path file, int width, int height, int fps, int sampleRate, int channels,
            boolean allowOpenH264, int keyframeIntervalFrames) {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("width and height must be positive and even (yuv420p), got "
                    + width + "x" + height);
        }
        if (fps <= 0 || fps > 1000) {
            throw new IllegalArgumentException("fps must be in 1..1000, got " + fps);
        }
        if (sampleRate <= 0 || channels <= 0 || channels > 64) {
            throw new IllegalArgumentException("need a positive sample rate and 1..64 channels, got "
                    + sampleRate + " Hz, " + channels + " channels");
        }
        ClipWriter writer = new ClipWriter(file, width, height, fps, sampleRate, channels);
        writer.keyframeIntervalFrames = keyframeIntervalFrames;
        try {
            writer.open(allowOpenH264);
            return writer;
        } catch (RuntimeException | Error e) {
            writer.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int fps() {
        return fps;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /** FFmpeg's name of the video encoder in use: {@code libopenh264} or {@code mpeg4}. */
    public String videoEncoder() {
        return videoEncoderName;
    }

    /** FFmpeg's name of the audio encoder in use: {@code pcm_s16le} or {@code aac}. */
    public String audioEncoder() {
        return audioEncoderName;
    }

    /** Video frames written so far; the next frame has this index and starts at {@code videoFrames() / fps} s. */
    public long videoFrames() {
        return videoFrames;
    }

    /** Audio samples per channel accepted so far (some may still wait in the writer's buffer until close). */
    public long audioSamples() {
        return audioSamplesIn;
    }

    /** Encodes the next video frame, which {@code painter} draws into the writer's own picture. */
    public void writeVideo(VideoPainter painter) {
        ensureOpen();
        FfmpegException.check(av_frame_make_writable(videoFrame), "av_frame_make_writable");
        long base = videoFrame.address() + AvFrameLayout.DATA;
        int yStride = videoFrame.linesize(0);
        int chromaStride = videoFrame.linesize(1);
        if (videoFrame.linesize(2) != chromaStride) {
            throw new IllegalStateException("yuv420p frame with differing U and V strides");
        }
        // A confined arena per frame, so a painter that keeps a plane fails instead of writing into freed memory.
        try (Arena scope = Arena.ofConfined()) {
            MemorySegment y = plane(NativeMemory.pointerAt(base), (long) yStride * height, scope);
            MemorySegment u = plane(NativeMemory.pointerAt(base + 8), (long) chromaStride * (height / 2), scope);
            MemorySegment v = plane(NativeMemory.pointerAt(base + 16), (long) chromaStride * (height / 2), scope);
            painter.paint(videoFrames, y, yStride, u, v, chromaStride);
        }
        videoFrame.pts(videoFrames);
        videoFrame.duration(1);
        encode(videoEncoder, videoFrame, videoStream);
        videoFrames++;
    }

    /**
     * Appends {@code samples} samples per channel, one array per channel, nominally in [-1, 1] (clipped). Any count
     * is taken; the writer cuts them into encoder-sized frames and sends the remainder on {@link #close()}.
     */
    public void writeAudio(float[][] planar, int samples) {
        ensureOpen();
        if (planar.length != channels) {
            throw new IllegalArgumentException("expected " + channels + " channels, got " + planar.length);
        }
        for (float[] channel : planar) {
            if (samples < 0 || channel.length < samples) {
                throw new IllegalArgumentException("a channel holds " + channel.length + " samples, asked for " + samples);
            }
        }
        int done = 0;
        while (done < samples) {
            int n = Math.min(samples - done, audioFrameSamples - pendingSamples);
            for (int c = 0; c < channels; c++) {
                System.arraycopy(planar[c], done, pending[c], pendingSamples, n);
            }
            pendingSamples += n;
            done += n;
            audioSamplesIn += n;
            if (pendingSamples == audioFrameSamples) {
                sendPendingAudio();
            }
        }
    }

    private void open(boolean allowOpenH264) {
        openContainer();
        int formatFlags = formatContext.oformat().flags();
        openVideoEncoder(formatFlags, allowOpenH264);
        openAudioEncoder(formatFlags);
        videoStream = addStream(videoEncoder);
        audioStream = addStream(audioEncoder);

        videoFrame = av_frame_alloc();
        audioFrame = av_frame_alloc();
        packet = av_packet_alloc();
        if (videoFrame == null || audioFrame == null || packet == null) {
            throw new OutOfMemoryError("av_frame_alloc/av_packet_alloc");
        }
        videoFrame.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        FfmpegException.check(av_frame_get_buffer(videoFrame, 0), "av_frame_get_buffer");
        if ((videoEncoder.flags() & AV_CODEC_FLAG_QSCALE) != 0) {
            // The quantiser of a fixed-quality MPEG-4 frame comes from the frame itself.
            videoFrame.quality(videoEncoder.global_quality());
        }

        int encoderFrameSize = audioEncoder.frame_size();
        int caps = audioEncoder.codec().capabilities();
        boolean variable = (caps & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) != 0 || encoderFrameSize <= 0;
        audioFrameSamples = variable ? PCM_FRAME_SAMPLES : encoderFrameSize;
        partialLastFrame = variable || (caps & AV_CODEC_CAP_SMALL_LAST_FRAME) != 0;
        audioFrame.format(audioEncoder.sample_fmt()).nb_samples(audioFrameSamples).sample_rate(sampleRate);
        FfmpegException.check(av_channel_layout_copy(audioFrame.ch_layout(), audioEncoder.ch_layout()),
                "av_channel_layout_copy");
        FfmpegException.check(av_frame_get_buffer(audioFrame, 0), "av_frame_get_buffer");
        pending = new float[channels][audioFrameSamples];

        if ((formatFlags & AVFMT_NOFILE) == 0) {
            PointerPointer<AVIOContext> holder = new PointerPointer<AVIOContext>(1).zero();
            try (BytePointer url = new BytePointer(file.toString())) {
                int ret = avio_open(holder, url, AVIO_FLAG_WRITE);
                if (ret < 0) {
                    FfmpegException cause = new FfmpegException("avio_open", ret);
                    String message = "Cannot create " + file + ": " + FfmpegException.errorString(ret) + ".";
                    throw new UncheckedIOException(message, new IOException(message, cause));
                }
                io = holder.get(AVIOContext.class, 0);
                formatContext.pb(io);
            } finally {
                holder.close();
            }
        }
        FfmpegException.check(avformat_write_header(formatContext, (PointerPointer<?>) null), "avformat_write_header");
        headerWritten = true;
    }

    private void openContainer() {
        PointerPointer<AVFormatContext> holder = new PointerPointer<AVFormatContext>(1).zero();
        try (BytePointer url = new BytePointer(file.toString())) {
            int ret = avformat_alloc_output_context2(holder, null, (BytePointer) null, url);
            AVFormatContext context = holder.get(AVFormatContext.class, 0);
            if (ret < 0 || context == null || context.isNull()) {
                throw new IllegalArgumentException("Cannot tell a container format from the name " + file
                        + "; use an extension such as .mkv.", new FfmpegException("avformat_alloc_output_context2", ret));
            }
            formatContext = context;
        } finally {
            holder.close();
        }
    }

    /** libopenh264 when it is built in and opens, else the always-present native MPEG-4 encoder. */
    private void openVideoEncoder(int formatFlags, boolean allowOpenH264) {
        AVCodec h264 = allowOpenH264 ? avcodec_find_encoder_by_name("libopenh264") : null;
        if (h264 != null) {
            AVCodecContext context = allocEncoder(h264);
            configureVideo(context, formatFlags);
            // About 2 Mb/s at 640x360, 25 fps.
            context.bit_rate(Math.max(300_000L, (long) (width * (double) height * fps * 0.35)));
            if (avcodec_open2(context, h264, (PointerPointer<?>) null) >= 0) {
                videoEncoder = context;
                videoEncoderName = "libopenh264";
                return;
            }
            avcodec_free_context(context);
        }
        AVCodec mpeg4 = avcodec_find_encoder_by_name("mpeg4");
        if (mpeg4 == null) {
            throw new IllegalStateException("this FFmpeg build has neither the libopenh264 nor the mpeg4 encoder");
        }
        videoEncoder = allocEncoder(mpeg4);
        configureVideo(videoEncoder, formatFlags);
        videoEncoder.flags(videoEncoder.flags() | AV_CODEC_FLAG_QSCALE);
        videoEncoder.global_quality(FF_QP2LAMBDA * MPEG4_QSCALE);
        FfmpegException.check(avcodec_open2(videoEncoder, mpeg4, (PointerPointer<?>) null), "avcodec_open2");
        videoEncoderName = "mpeg4";
    }

    private void configureVideo(AVCodecContext context, int formatFlags) {
        context.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P);
        context.time_base().num(1).den(fps);
        context.framerate().num(fps).den(1);
        context.gop_size(keyframeIntervalFrames);
        context.max_b_frames(0);
        if ((formatFlags & AVFMT_GLOBALHEADER) != 0) {
            context.flags(context.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
    }

    /** 16-bit PCM when the container takes it (Matroska, MOV, AVI), else AAC. */
    private void openAudioEncoder(int formatFlags) {
        boolean pcm = avformat_query_codec(formatContext.oformat(), AV_CODEC_ID_PCM_S16LE, FF_COMPLIANCE_NORMAL) == 1;
        String name = pcm ? "pcm_s16le" : "aac";
        AVCodec codec = avcodec_find_encoder_by_name(name);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build lacks the " + name + " encoder");
        }
        audioEncoder = allocEncoder(codec);
        audioEncoder.sample_fmt(pcm ? AV_SAMPLE_FMT_S16 : AV_SAMPLE_FMT_FLTP).sample_rate(sampleRate);
        av_channel_layout_default(audioEncoder.ch_layout(), channels);
        audioEncoder.time_base().num(1).den(sampleRate);
        if (!pcm) {
            audioEncoder.bit_rate(96_000L * channels);
        }
        if ((formatFlags & AVFMT_GLOBALHEADER) != 0) {
            audioEncoder.flags(audioEncoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        FfmpegException.check(avcodec_open2(audioEncoder, codec, (PointerPointer<?>) null), "avcodec_open2");
        audioEncoderName = name;
    }

    private static AVCodecContext allocEncoder(AVCodec codec) {
        AVCodecContext context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        return context;
    }

    /** A stream for an opened encoder; the muxer may change its time base when it writes the header. */
    private AVStream addStream(AVCodecContext encoder) {
        AVStream stream = avformat_new_stream(formatContext, null);
        if (stream == null) {
            throw new OutOfMemoryError("avformat_new_stream");
        }
        stream.time_base().num(encoder.time_base().num()).den(encoder.time_base().den());
        if (encoder == videoEncoder) {
            stream.avg_frame_rate().num(fps).den(1);
        }
        FfmpegException.check(avcodec_parameters_from_context(stream.codecpar(), encoder),
                "avcodec_parameters_from_context");
        return stream;
    }

    private static MemorySegment plane(long address, long size, Arena scope) {
        return MemorySegment.ofAddress(address).reinterpret(size, scope, null);
    }

    /** Converts the buffered samples into the audio frame, in the encoder's sample format, and encodes it. */
    private void sendPendingAudio() {
        int n = pendingSamples;
        int frameSamples = partialLastFrame ? n : audioFrameSamples;
        if (frameSamples > n) {
            for (float[] channel : pending) {
                Arrays.fill(channel, n, frameSamples, 0f);
            }
        }
        FfmpegException.check(av_frame_make_writable(audioFrame), "av_frame_make_writable");
        audioFrame.nb_samples(frameSamples);
        long planes = NativeMemory.pointerAt(audioFrame.address() + AvFrameLayout.EXTENDED_DATA);
        int format = audioFrame.format();
        for (int c = 0; c < channels; c++) {
            float[] src = pending[c];
            if (format == AV_SAMPLE_FMT_S16) {
                MemorySegment samples = NativeMemory.at(NativeMemory.pointerAt(planes), 2L * frameSamples * channels);
                for (int i = 0; i < frameSamples; i++) {
                    samples.set(JAVA_SHORT, 2L * ((long) i * channels + c), toS16(src[i]));
                }
            } else if (format == AV_SAMPLE_FMT_S16P) {
                MemorySegment samples = NativeMemory.at(NativeMemory.pointerAt(planes + 8L * c), 2L * frameSamples);
                for (int i = 0; i < frameSamples; i++) {
                    samples.set(JAVA_SHORT, 2L * i, toS16(src[i]));
                }
            } else if (format == AV_SAMPLE_FMT_FLT) {
                MemorySegment samples = NativeMemory.at(NativeMemory.pointerAt(planes), 4L * frameSamples * channels);
                for (int i = 0; i < frameSamples; i++) {
                    samples.set(JAVA_FLOAT, 4L * ((long) i * channels + c), src[i]);
                }
            } else if (format == AV_SAMPLE_FMT_FLTP) {
                MemorySegment samples = NativeMemory.at(NativeMemory.pointerAt(planes + 8L * c), 4L * frameSamples);
                for (int i = 0; i < frameSamples; i++) {
                    samples.set(JAVA_FLOAT, 4L * i, src[i]);
                }
            } else {
                throw new IllegalStateException("audio encoder sample format " + format + " is not supported");
            }
        }
        audioFrame.pts(audioPts);
        audioFrame.duration(frameSamples);
        pendingSamples = 0;
        audioPts += frameSamples;
        encode(audioEncoder, audioFrame, audioStream);
    }

    private static short toS16(float sample) {
        float clipped = Math.clamp(sample, -1f, 1f);
        return (short) Math.round(clipped * 32767f);
    }

    /** Sends {@code frame} (null drains) and muxes every packet the encoder has ready. */
    private void encode(AVCodecContext encoder, AVFrame frame, AVStream stream) {
        FfmpegException.check(avcodec_send_frame(encoder, frame), "avcodec_send_frame");
        while (true) {
            int ret = avcodec_receive_packet(encoder, packet);
            if (ret == AvErrors.EAGAIN || ret == AVERROR_EOF) {
                return;
            }
            FfmpegException.check(ret, "avcodec_receive_packet");
            av_packet_rescale_ts(packet, encoder.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            // Takes the packet's data whether or not it succeeds; the unref is for the error path.
            ret = av_interleaved_write_frame(formatContext, packet);
            av_packet_unref(packet);
            FfmpegException.check(ret, "av_interleaved_write_frame");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("clip writer used after close");
        }
    }

    /**
     * Sends the buffered audio, drains both encoders and writes the trailer, then frees everything (also after a
     * failed create or write). Throws if finishing the file failed; the native state is freed either way.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (headerWritten) {
                finish();
            }
        } finally {
            release();
        }
    }

    private void finish() {
        RuntimeException failure = null;
        try {
            if (pendingSamples > 0) {
                sendPendingAudio();
            }
            encode(videoEncoder, null, videoStream);
            encode(audioEncoder, null, audioStream);
        } catch (RuntimeException e) {
            failure = e;
        }
        // The trailer flushes the interleaving queue and writes the index, even after a failed drain.
        int ret = av_write_trailer(formatContext);
        if (failure != null) {
            throw failure;
        }
        FfmpegException.check(ret, "av_write_trailer");
    }

    private void release() {
        if (videoEncoder != null) {
            avcodec_free_context(videoEncoder);
            videoEncoder = null;
        }
        if (audioEncoder != null) {
            avcodec_free_context(audioEncoder);
            audioEncoder = null;
        }
        if (videoFrame != null) {
            av_frame_free(videoFrame);
            videoFrame = null;
        }
        if (audioFrame != null) {
            av_frame_free(audioFrame);
            audioFrame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (io != null) {
            // avformat_free_context leaves the output file to its opener.
            formatContext.pb(null);
            avio_closep(io);
            io = null;
        }
        if (formatContext != null) {
            avformat_free_context(formatContext);
            formatContext = null;
        }
        videoStream = null;
        audioStream = null;
    }
}
