package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_hw_config;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_DURATION_FROM_BITRATE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_READ;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_close;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_open2;
import static org.bytedeco.ffmpeg.global.avformat.avio_read;
import static org.bytedeco.ffmpeg.global.avformat.avio_read_partial;
import static org.bytedeco.ffmpeg.global.avformat.avio_seek;
import static org.bytedeco.ffmpeg.global.avformat.avio_size;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_DVB_SUBTITLE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_DVB_TELETEXT;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_HWDEVICE_TYPE_CUDA;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_OPT_SEARCH_CHILDREN;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_CUDA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_buffer_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_buffer_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_get;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_get_int;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_hwdevice_ctx_create;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avcodec.AVCodecHWConfig;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVHWFramesContext;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One input, demuxed and decoded on the calling thread: the best video stream and the best audio stream, each
 * with one long-lived decoder, packet and frame. Network reads are bounded by an interrupt callback with a
 * deadline, so a dead or silent server ends in a {@link MediaException} instead of a hang. With an
 * {@link OpenGuard} in the options, the input's URL and every URL FFmpeg opens for it (playlists, segments, keys)
 * pass the guard first, through the format context's {@code io_open} callback.
 *
 * <p>Not thread-safe, except {@link #abort()}, which may be called from any thread.
 */
public final class MediaInput implements AutoCloseable {
    /** A file whose last frame ends this much before the duration its header declares has been cut short. */
    private static final double TRUNCATION_SLACK_SECONDS = 0.5;
    /** AVERROR(EACCES): what a URL the guard refuses gives FFmpeg. */
    private static final int AVERROR_EACCES = -13;
    /** {@code int (*io_open)(AVFormatContext *s, AVIOContext **pb, const char *url, int flags, AVDictionary **options)} */
    private static final FunctionDescriptor IO_OPEN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
            JAVA_INT, ADDRESS);
    private static final BytePointer LOCATION = new BytePointer("location");
    /** avformat.h's AVFMT_FLAG_CUSTOM_IO (the bindings leave it out): the caller owns the format context's pb. */
    private static final int AVFMT_FLAG_CUSTOM_IO = 0x0080;
    /** {@code int (*read_packet)(void *opaque, uint8_t *buf, int buf_size)} */
    private static final FunctionDescriptor READ_PACKET = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    /** {@code int64_t (*seek)(void *opaque, int64_t offset, int whence)} */
    private static final FunctionDescriptor SEEK = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT);
    /**
     * The tapped reader's buffer: larger than the byte stream's own (32 KiB), so that avio_read reads a file
     * straight into it, and the tap sees the bytes where the demuxer reads them, with no copy in between.
     */
    private static final int TAP_BUFFER_BYTES = 64 * 1024;
    /** Room for the largest RTP packet a read of the rtp protocol returns (a UDP datagram). */
    private static final int RTP_PACKET_BYTES = 64 * 1024;
    /** The schemes whose URL is one byte stream FFmpeg reads through one I/O context (not RTP/RTSP/RTMP sessions). */
    /** How often a tapped UDP input's drop counters are read, at most (they are files in /proc). */
    static final long INGEST_POLL_MILLIS = 100;
    private static final java.util.Set<String> TAPPABLE = java.util.Set.of("file", "udp", "srt", "tcp", "http", "https", "rtp");

    private final InputLocation location;
    private final DecodeOptions options;
    private final Arena arena = Arena.ofShared();
    private volatile long deadlineNs;
    private volatile boolean aborted;
    /** Why the guard refused the last URL it was asked about, or null: what a failed open or read reports. */
    private volatile String refusal;
    /** FFmpeg's own io_open, which the guard's callback calls for what it lets through. */
    private MethodHandle defaultIoOpen;

    private AVFormatContext formatContext;
    /** What sees the input's bytes before the demuxer, or null (see {@link #tapBytes}). */
    private volatile ByteTap tap;
    /** With a tap: the input's own byte stream, and the I/O context the demuxer reads it through; each freed once. */
    private AVIOContext tappedSource;
    private AVIOContext tappedReader;
    private long tappedPosition;
    /** With a tap on an HLS input: its TS segments' reads go past the tap through I/O contexts of ours. */
    private boolean hlsTap;
    private HlsSegmentTap hlsSegments;
    /** With a tap on a UDP input: its drop counters, what they said last, and when they were read; else null. */
    private UdpDrops udpDrops;
    private long udpDropsSeen;
    private long udpPolledNs;
    private long udpFifoBytes;
    /**
     * With a tap on an RTP input of MPEG-TS: its packets' payloads, the packet read last (one per read of the rtp
     * protocol), and where in it the payload not yet handed to the demuxer lies; else null.
     */
    private RtpPayloads rtp;
    private MemorySegment rtpPacket;
    private final TapBuffer rtpPointer = new TapBuffer();
    private int rtpAt;
    private int rtpLeft;
    private final TapBuffer tapBuffer = new TapBuffer();
    /** Where the video and audio packets are kept for clips, or null (see {@link #tapPackets}). */
    private PacketRing packetRing;
    private AVCodecContext videoDecoder;
    private AVCodecContext audioDecoder;
    private int videoIndex = -1;
    private int audioIndex = -1;
    private double videoTimeBase;
    private double audioTimeBase;
    private double nominalFrameDuration;
    private double originSeconds = Double.NaN;
    private StreamInfo info;

    private AVPacket packet;
    private final VideoFrame videoFrame = new VideoFrame();
    private int layoutFormat = Integer.MIN_VALUE;
    private PixelLayout layout;
    private SwsContext converter;
    private VideoFrame converted;

    /** NVDEC: the CUDA device context the video decoder uses (FFmpeg's, on the device's primary context), or null. */
    private AVBufferRef cudaDevice;
    private String hardwareNote;
    private boolean deviceFrames;
    private int deviceLayoutWidth = -1;
    private int deviceLayoutHeight = -1;
    private PixelLayout deviceLayout;

    /** Caption side data of the video frames, and the subtitle packets counted so far; copied onto each frame. */
    private final CaptionCounts captions = new CaptionCounts();
    private A53Captions a53;
    /** By stream index: 1 a DVB subtitle stream, 2 teletext, 0 anything else (its packets are not counted). */
    private byte[] subtitleKinds = new byte[0];

    private AVFrame audioFrame;
    private SwrContext resampler;
    private int resamplerFormat = -1;
    private int resamplerRate = -1;
    private int resamplerChannels = -1;
    private FloatPointer[] pcmPlanes = new FloatPointer[0];
    private PointerPointer<FloatPointer> pcmPointers;
    private int pcmCapacity;
    private final RawPointerPointer inputPlanes = new RawPointerPointer();
    private final AudioBlock audioBlock = new AudioBlock();

    private long videoFrames;
    private long audioSamples;
    private long decodeErrors;
    private long videoDecodeErrors;
    private double nextVideoPts = Double.NaN;
    /** The earliest presentation time (own time base, seconds) of the video packets sent before the first frame. */
    private double earliestLeadingVideoPacket = Double.NaN;
    /** For the frame being delivered: see {@link VideoFrame#skippedBeforeSeconds()}. */
    private double skippedBeforeSeconds;
    private double nextAudioPts = Double.NaN;
    private double mediaEndSeconds;
    private boolean ended;
    private boolean closed;

    static {
        FfmpegLog.configure();
        AvFrameLayout.verify();
    }

    private MediaInput(InputLocation location, DecodeOptions options) {
        this.location = location;
        this.options = options;
    }

    /** Opens and probes {@code input} (a path or URL). Throws {@link MediaException} at stage OPEN when it cannot. */
    public static MediaInput open(String input, DecodeOptions options) {
        return open(input, options, m -> { });
    }

    /**
     * As {@link #open(String, DecodeOptions)}, handing the input to {@code beforeOpen} first, so that another thread
     * can {@link #abort()} an open that waits on the network (a service stopping a stream whose source is down).
     */
    public static MediaInput open(String input, DecodeOptions options, java.util.function.Consumer<MediaInput> beforeOpen) {
        InputLocation location = InputLocation.parse(input);
        MediaInput media = new MediaInput(location, options);
        beforeOpen.accept(media);
        try {
            media.openStreams();
            return media;
        } catch (RuntimeException | Error e) {
            media.close();
            throw e;
        }
    }

    public InputLocation location() {
        return location;
    }

    public StreamInfo info() {
        return info;
    }

    public boolean hasVideo() {
        return videoIndex >= 0;
    }

    public boolean hasAudio() {
        return audioIndex >= 0;
    }

    /** Video frames decoded so far. */
    public long videoFrames() {
        return videoFrames;
    }

    /** Audio samples per channel decoded so far. */
    public long audioSamples() {
        return audioSamples;
    }

    /** Packets or frames the decoders rejected as damaged. */
    public long decodeErrors() {
        return decodeErrors;
    }

    /** Media time reached so far: the end of the last frame or audio block decoded. */
    public double positionSeconds() {
        return mediaEndSeconds;
    }

    /**
     * Hands the input's bytes to {@code byteTap} as they are read, before the demuxer (call before the open: from
     * the {@code beforeOpen} of {@link #open(String, DecodeOptions, java.util.function.Consumer)}). Only for an
     * input that is one byte stream (a file, UDP, SRT, TCP, HTTP), RTP carrying MPEG-TS (the payloads, in sequence
     * order; see {@link ByteTap#rtpLost}) or an HLS playlist of TS segments (their bytes, one segment after the
     * other, see {@link HlsSegmentTap}); others ignore it. A tap that throws is dropped, and
     * the input goes on without it.
     */
    public void tapBytes(ByteTap byteTap) {
        this.tap = byteTap;
    }

    /**
     * Keeps a reference to every packet of the decoded video and audio streams in {@code ring} as it is read, before
     * it is decoded (call after the open; null: none). The ring is told of the streams now.
     */
    public void tapPackets(PacketRing ring) {
        packetRing = ring;
        if (ring != null) {
            ring.inputOpened(videoIndex >= 0 ? formatContext.streams(videoIndex) : null,
                    audioIndex >= 0 ? formatContext.streams(audioIndex) : null);
        }
    }

    /** Whether the input's bytes go to a tap: it was asked for, and the input is one byte stream. */
    public boolean tapped() {
        return (tappedReader != null || hlsTap) && tap != null;
    }

    /** The tap, or null once dropped: what {@link HlsSegmentTap} hands the segments' bytes to. */
    ByteTap tap() {
        return tap;
    }

    /** Drops the tap, saying why (it failed, or the input's segments are not one stream). */
    void dropTap(String why) {
        tap = null;
        System.getLogger(MediaInput.class.getName()).log(System.Logger.Level.WARNING,
                "the byte tap of " + location.displayName() + " was dropped: " + why);
    }

    /** Whether the input's URL names an HLS playlist (.m3u8, .m3u). */
    private boolean playlist() {
        String path = location.url().toLowerCase(Locale.ROOT).replaceFirst("[?#].*", "");
        return path.endsWith(".m3u8") || path.endsWith(".m3u");
    }

    /** The demuxer FFmpeg chose (e.g. "mpegts"), or null before the open. */
    public String formatName() {
        return formatContext == null || formatContext.iformat() == null ? null
                : formatContext.iformat().name().getString();
    }

    /**
     * The input's own time at its start (seconds of its timestamps' clock: 0 in media time), or NaN before it is
     * known: what maps a transport stream's PCR-clock times onto media time.
     */
    public double originSeconds() {
        return originSeconds;
    }

    /** Makes the read in progress, and every later one, return: the way to stop a live input from another thread. */
    public void abort() {
        aborted = true;
    }

    /**
     * Reads one packet and hands whatever it decodes to {@code sink}. Returns false once the input has ended (the
     * decoders are flushed first). Throws {@link MediaException} at stage READ when the input breaks off.
     */
    public boolean step(MediaSink sink) {
        if (ended) {
            return false;
        }
        armDeadline();
        int ret = av_read_frame(formatContext, packet);
        if (ret == AVERROR_EOF) {
            flush(sink);
            ended = true;
            checkComplete();
            return false;
        }
        if (ret == AvErrors.EAGAIN) {
            return true;
        }
        if (ret < 0) {
            ended = true;
            throw broken(ret);
        }
        try {
            int stream = packet.stream_index();
            if (packetRing != null && (stream == videoIndex || stream == audioIndex)) {
                packetRing.add(packet, stream == videoIndex);
            }
            if (stream == videoIndex) {
                if (videoFrames == 0) {
                    noteLeadingVideoPacket();
                }
                decode(videoDecoder, packet, sink, true);
            } else if (stream == audioIndex) {
                decode(audioDecoder, packet, sink, false);
            } else {
                countSubtitlePacket(stream);
            }
        } finally {
            av_packet_unref(packet);
        }
        return true;
    }

    /** Reads the whole input into {@code sink}. */
    public void readAll(MediaSink sink) {
        while (step(sink)) {
            // each step reads one packet
        }
    }

    private void openStreams() {
        if (!location.remote() && !location.pipe()) {
            Path path = Path.of(location.url());
            if (!Files.exists(path)) {
                throw new MediaException(MediaException.Stage.OPEN, "No such file: " + path + ".");
            }
            if (Files.isDirectory(path)) {
                throw new MediaException(MediaException.Stage.OPEN, path + " is a directory, not a media file.");
            }
            if (!Files.isReadable(path)) {
                throw new MediaException(MediaException.Stage.OPEN, "Cannot read " + path + ": permission denied.");
            }
        }
        OpenGuard guard = options.guard();
        if (guard != null) {
            // Also here, not only in io_open: demuxers that open their own connections (RTSP) never call it.
            String why = guard.refusal(location.url());
            if (why != null) {
                throw new MediaException(MediaException.Stage.OPEN, "Refused to open " + location.displayName() + ": "
                        + why);
            }
        }
        packet = av_packet_alloc();
        audioFrame = av_frame_alloc();
        if (packet == null || audioFrame == null) {
            throw new OutOfMemoryError("av_packet_alloc/av_frame_alloc");
        }

        AVFormatContext context = avformat_alloc_context();
        if (context == null) {
            throw new OutOfMemoryError("avformat_alloc_context");
        }
        installInterruptCallback(context);
        hlsTap = tap != null && playlist() && !tappable();
        if (guard != null || hlsTap) {
            installOpenGuard(context);
        }
        if (hlsTap) {
            try {
                hlsSegments = new HlsSegmentTap(this, context, arena);
            } catch (IllegalStateException e) {
                hlsTap = false;
                dropTap(e.getMessage());
            }
        }
        AVDictionary dict = new AVDictionary(null);
        try {
            av_dict_set(dict, "protocol_whitelist", location.protocolWhitelist(), 0);
            if (hlsTap) {
                // The HLS demuxer's keep-alive and prefetch reuse an I/O context as FFmpeg's own: each segment is
                // opened (and tapped) on its own instead.
                av_dict_set(dict, "http_persistent", "0", 0);
                av_dict_set(dict, "http_multiple", "0", 0);
            }
            if (location.remote()) {
                String micros = Long.toString(options.ioTimeout().toNanos() / 1000);
                av_dict_set(dict, "rw_timeout", micros, 0);
                // RTMP's "timeout" is something else: how long to wait for a client, and it turns on listen mode.
                if (!location.scheme().startsWith("rtmp")) {
                    av_dict_set(dict, "timeout", micros, 0);
                }
            }
            armDeadline();
            org.bytedeco.ffmpeg.avformat.AVInputFormat format = null;
            if (tap != null && tappable() && openTapped(context, dict) && rtp != null) {
                // The demuxer reads the payloads: a transport stream (FFmpeg's own RTP demuxer reads no I/O context).
                format = av_find_input_format("mpegts");
            }
            int ret = avformat_open_input(context, location.url(), format, dict);
            if (ret < 0) {
                // FFmpeg frees a caller-allocated context when the open fails.
                throw new MediaException(MediaException.Stage.OPEN, "Cannot open " + location.displayName() + ": "
                        + describe(ret) + ".", new FfmpegException("avformat_open_input", ret));
            }
            formatContext = context;
        } finally {
            av_dict_free(dict);
        }

        armDeadline();
        int ret = avformat_find_stream_info(formatContext, (PointerPointer<?>) null);
        if (ret < 0) {
            throw new MediaException(MediaException.Stage.OPEN, "Cannot read the streams of " + location.displayName()
                    + ": " + describe(ret) + ".", new FfmpegException("avformat_find_stream_info", ret));
        }

        videoIndex = openDecoder(AVMEDIA_TYPE_VIDEO, -1);
        audioIndex = openDecoder(AVMEDIA_TYPE_AUDIO, videoIndex);
        if (videoIndex < 0 && audioIndex < 0) {
            throw new MediaException(MediaException.Stage.OPEN,
                    location.displayName() + " holds no audio or video stream that vigil can decode.");
        }
        for (int i = 0; i < formatContext.nb_streams(); i++) {
            // Subtitle streams are demuxed, not decoded: their packets over time are the captions' presence.
            if (i != videoIndex && i != audioIndex && subtitleKind(i) == 0) {
                formatContext.streams(i).discard(AVDISCARD_ALL);
            }
        }
        if (videoIndex >= 0) {
            a53 = new A53Captions();
        }
        long start = formatContext.start_time();
        if (start != AV_NOPTS_VALUE) {
            originSeconds = (double) start / AV_TIME_BASE;
        }
        info = describeStreams();
    }

    /** 1 when stream {@code index} carries DVB subtitles, 2 teletext, else 0; remembered per index. */
    private int subtitleKind(int index) {
        if (index >= subtitleKinds.length) {
            // A transport stream may announce streams after the start: look at each index once.
            byte[] grown = new byte[Math.max(index + 1, formatContext.nb_streams())];
            java.util.Arrays.fill(grown, subtitleKinds.length, grown.length, (byte) -1);
            System.arraycopy(subtitleKinds, 0, grown, 0, subtitleKinds.length);
            subtitleKinds = grown;
        }
        if (subtitleKinds[index] < 0) {
            int codec = formatContext.streams(index).codecpar().codec_id();
            subtitleKinds[index] = (byte) (codec == AV_CODEC_ID_DVB_SUBTITLE ? 1 : codec == AV_CODEC_ID_DVB_TELETEXT ? 2 : 0);
        }
        return subtitleKinds[index];
    }

    /**
     * Counts a packet of a DVB subtitle or teletext stream; other streams' are ignored. The next video frame carries
     * the count: a subtitle is sent ahead of its time, and it is its arrival that shows the stream is alive.
     */
    private void countSubtitlePacket(int stream) {
        switch (subtitleKind(stream)) {
            case 1 -> captions.dvbSubtitlePackets++;
            case 2 -> captions.teletextPackets++;
            default -> {
            }
        }
    }

    /** Opens the decoder of the best stream of {@code mediaType}; returns its index, or -1 when there is none. */
    private int openDecoder(int mediaType, int related) {
        int index = av_find_best_stream(formatContext, mediaType, -1, related, (PointerPointer<?>) null, 0);
        if (index == AVERROR_STREAM_NOT_FOUND || index == AVERROR_DECODER_NOT_FOUND || index < 0) {
            return -1;
        }
        AVStream stream = formatContext.streams(index);
        AVCodec codec = avcodec_find_decoder(stream.codecpar().codec_id());
        if (codec == null) {
            return -1;
        }
        AVCodecContext decoder = avcodec_alloc_context3(codec);
        if (decoder == null) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        FfmpegLog.own(decoder);
        try {
            FfmpegException.check(avcodec_parameters_to_context(decoder, stream.codecpar()), "avcodec_parameters_to_context");
            decoder.pkt_timebase(stream.time_base());
            decoder.thread_count(options.decodeThreads());
            if (mediaType == AVMEDIA_TYPE_VIDEO && options.target() instanceof DecodeTarget.Cuda(int device)) {
                useNvdec(decoder, codec, device);
            }
            int ret = avcodec_open2(decoder, codec, (PointerPointer<?>) null);
            if (ret < 0) {
                FfmpegLog.disown(decoder);
                avcodec_free_context(decoder);
                return -1;
            }
        } catch (RuntimeException e) {
            FfmpegLog.disown(decoder);
            avcodec_free_context(decoder);
            throw e;
        }
        double timeBase = av_q2d(stream.time_base());
        if (mediaType == AVMEDIA_TYPE_VIDEO) {
            videoDecoder = decoder;
            videoTimeBase = timeBase;
            double fps = av_q2d(stream.avg_frame_rate());
            if (!(fps > 0)) {
                fps = av_q2d(stream.r_frame_rate());
            }
            nominalFrameDuration = fps > 0 && fps < 1000 ? 1.0 / fps : 1.0 / 25;
        } else {
            audioDecoder = decoder;
            audioTimeBase = timeBase;
        }
        return index;
    }

    /**
     * Asks FFmpeg to decode video with NVDEC into the memory of CUDA device {@code deviceOrdinal}. FFmpeg creates its
     * device context on the device's primary context ({@code primary_ctx=1}), the one vigil's kernels use, so frames
     * need no copy between contexts. When the codec has no CUDA decoder, or NVDEC later refuses the profile or size,
     * FFmpeg decodes on the CPU and {@link #hardwareNote()} says so.
     */
    private void useNvdec(AVCodecContext decoder, AVCodec codec, int deviceOrdinal) {
        if (!hasCudaDecoder(codec)) {
            hardwareNote = "NVDEC cannot decode " + codec.name().getString() + "; decoding on the CPU";
            return;
        }
        AVDictionary dict = new AVDictionary(null);
        AVBufferRef device = new AVBufferRef(null);
        try {
            av_dict_set(dict, "primary_ctx", "1", 0);
            int ret = av_hwdevice_ctx_create(device, AV_HWDEVICE_TYPE_CUDA, Integer.toString(deviceOrdinal), dict, 0);
            if (ret < 0) {
                hardwareNote = "cannot open CUDA device " + deviceOrdinal + " for NVDEC ("
                        + FfmpegException.errorString(ret) + "); decoding on the CPU";
                return;
            }
            cudaDevice = device;
            decoder.hw_device_ctx(av_buffer_ref(cudaDevice));
            // Frames stay referenced while they wait for a batch and as freeze's reference: let the pool grow.
            decoder.extra_hw_frames(16);
        } finally {
            av_dict_free(dict);
        }
    }

    /** Whether FFmpeg can decode {@code codec} into CUDA frames through a device context. */
    public static boolean hasCudaDecoder(AVCodec codec) {
        for (int i = 0; ; i++) {
            AVCodecHWConfig config = avcodec_get_hw_config(codec, i);
            if (config == null) {
                return false;
            }
            if ((config.methods() & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0
                    && config.device_type() == AV_HWDEVICE_TYPE_CUDA) {
                return true;
            }
        }
    }

    /** Why video is decoded on the CPU although NVDEC was asked for, or null. Known after the first frame. */
    public String hardwareNote() {
        return hardwareNote;
    }

    /** Whether the video frames decoded so far were in CUDA memory (NVDEC). */
    public boolean decodingOnDevice() {
        return deviceFrames;
    }

    private StreamInfo describeStreams() {
        StreamInfo.Video video = null;
        if (videoIndex >= 0) {
            var par = formatContext.streams(videoIndex).codecpar();
            String pixFmt = par.format() >= 0 ? av_get_pix_fmt_name(par.format()).getString() : "unknown";
            video = new StreamInfo.Video(avcodec_get_name(par.codec_id()).getString(), par.width(), par.height(),
                    1.0 / nominalFrameDuration, pixFmt);
        }
        StreamInfo.Audio audio = null;
        if (audioIndex >= 0) {
            var par = formatContext.streams(audioIndex).codecpar();
            audio = new StreamInfo.Audio(avcodec_get_name(par.codec_id()).getString(), par.sample_rate(),
                    par.ch_layout().nb_channels());
        }
        long duration = formatContext.duration();
        double seconds = duration == AV_NOPTS_VALUE || duration <= 0 ? Double.NaN : (double) duration / AV_TIME_BASE;
        return new StreamInfo(formatContext.iformat().name().getString(), seconds, video, audio);
    }

    private void decode(AVCodecContext decoder, AVPacket pkt, MediaSink sink, boolean video) {
        int ret = avcodec_send_packet(decoder, pkt);
        if (ret == AvErrors.EAGAIN) {
            // The decoder's output is full: take its frames, then it accepts the packet.
            receive(decoder, sink, video);
            ret = avcodec_send_packet(decoder, pkt);
        }
        if (ret < 0 && ret != AvErrors.EAGAIN && ret != AVERROR_EOF) {
            // A damaged packet: count it and go on, as a monitor must.
            decodeErrors++;
            if (video) {
                videoDecodeErrors++;
            }
        }
        receive(decoder, sink, video);
    }

    private void receive(AVCodecContext decoder, MediaSink sink, boolean video) {
        while (true) {
            AVFrame frame = video ? videoFrame.avFrame() : audioFrame;
            int ret = avcodec_receive_frame(decoder, frame);
            if (ret == AvErrors.EAGAIN || ret == AVERROR_EOF) {
                return;
            }
            if (ret < 0) {
                decodeErrors++;
                if (video) {
                    videoDecodeErrors++;
                }
                return;
            }
            try {
                if (video) {
                    deliverVideo(sink);
                } else {
                    deliverAudio(sink);
                }
            } finally {
                if (video) {
                    videoFrame.release();
                } else {
                    av_frame_unref(audioFrame);
                }
            }
        }
    }

    private void flush(MediaSink sink) {
        if (videoDecoder != null) {
            avcodec_send_packet(videoDecoder, null);
            receive(videoDecoder, sink, true);
        }
        if (audioDecoder != null) {
            avcodec_send_packet(audioDecoder, null);
            receive(audioDecoder, sink, false);
        }
    }

    /** A video packet before the first frame: the earliest time of those is where the input's video began. */
    private void noteLeadingVideoPacket() {
        long ts = packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts();
        if (ts != AV_NOPTS_VALUE && !(ts * videoTimeBase >= earliestLeadingVideoPacket)) {
            earliestLeadingVideoPacket = ts * videoTimeBase;
        }
    }

    /**
     * On the first frame: how much earlier video the decoder was given without making a picture of it (the input
     * began between keyframes); half a frame of slack for rounding. 0 on later frames.
     */
    private double skippedBefore(AVFrame frame, long index) {
        long ts = frame.best_effort_timestamp();
        if (index != 0 || ts == AV_NOPTS_VALUE || Double.isNaN(earliestLeadingVideoPacket)) {
            return 0;
        }
        double skipped = ts * videoTimeBase - earliestLeadingVideoPacket;
        return skipped > nominalFrameDuration / 2 ? skipped : 0;
    }

    /** The decoder's facts every delivered frame carries besides its picture. */
    private void stamp(VideoFrame target) {
        target.decoderErrors(videoDecodeErrors);
        target.skippedBeforeSeconds(skippedBeforeSeconds);
        target.captionsHolder().copyFrom(captions);
    }

    private void deliverVideo(MediaSink sink) {
        AVFrame frame = videoFrame.avFrame();
        skippedBeforeSeconds = skippedBefore(frame, videoFrames);
        double pts = mediaTime(frame.best_effort_timestamp(), videoTimeBase, nextVideoPts);
        long durationTicks = frame.duration();
        double duration = durationTicks > 0 ? durationTicks * videoTimeBase : nominalFrameDuration;
        nextVideoPts = pts + duration;
        mediaEndSeconds = Math.max(mediaEndSeconds, nextVideoPts);
        int format = frame.format();
        long index = videoFrames++;
        // The side data rides on the AVFrame, NVDEC's too: read on the host, the picture untouched.
        a53.read(frame.address(), captions);
        if (format == AV_PIX_FMT_CUDA) {
            deviceFrames = true;
            videoFrame.fill(deviceLayout(frame), pts, duration, index, true);
            stamp(videoFrame);
            sink.onVideo(videoFrame);
            return;
        }
        if (cudaDevice != null && index == 0 && hardwareNote == null) {
            hardwareNote = "NVDEC could not take this stream (codec profile or picture size); decoding on the CPU";
        }
        if (format != layoutFormat) {
            layoutFormat = format;
            layout = PixelLayout.of(format);
        }
        if (layout != null) {
            videoFrame.fill(layout, pts, duration, index, false);
            stamp(videoFrame);
            sink.onVideo(videoFrame);
            return;
        }
        // A format the statistics cannot read in place (RGB, packed YUV): convert once to planar YUV.
        VideoFrame target = convert(frame);
        try {
            target.fill(PixelLayout.of(target.avFrame().format()), pts, duration, index, false);
            stamp(target);
            sink.onVideo(target);
        } finally {
            target.release();
        }
    }

    /** The layout of a CUDA frame's planes: its frames context's software format (NV12, P010...). */
    private PixelLayout deviceLayout(AVFrame frame) {
        if (deviceLayout == null || frame.width() != deviceLayoutWidth || frame.height() != deviceLayoutHeight) {
            AVHWFramesContext frames = new AVHWFramesContext(frame.hw_frames_ctx().data());
            deviceLayout = PixelLayout.of(frames.sw_format());
            if (deviceLayout == null) {
                throw new MediaException(MediaException.Stage.READ, "NVDEC delivered frames in "
                        + av_get_pix_fmt_name(frames.sw_format()).getString() + ", which vigil cannot read.");
            }
            deviceLayoutWidth = frame.width();
            deviceLayoutHeight = frame.height();
        }
        return deviceLayout;
    }

    private VideoFrame convert(AVFrame source) {
        if (converted == null) {
            converted = new VideoFrame();
        }
        boolean deep = org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get(source.format()).comp(0).depth() > 8;
        int targetFormat = deep ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
        converter = sws_getCachedContext(converter, source.width(), source.height(), source.format(),
                source.width(), source.height(), targetFormat, SWS_BILINEAR, null, null, (double[]) null);
        if (converter == null) {
            throw new MediaException(MediaException.Stage.READ, "Cannot convert pixel format "
                    + av_get_pix_fmt_name(source.format()).getString() + " of " + location.displayName() + ".");
        }
        AVFrame target = converted.avFrame();
        target.width(source.width()).height(source.height()).format(targetFormat);
        target.color_range(source.color_range());
        FfmpegException.check(sws_scale_frame(converter, target, source), "sws_scale_frame");
        return converted;
    }

    private void deliverAudio(MediaSink sink) {
        int samples = audioFrame.nb_samples();
        int rate = audioFrame.sample_rate();
        int channels = audioFrame.ch_layout().nb_channels();
        if (samples <= 0 || rate <= 0 || channels <= 0) {
            return;
        }
        double pts = mediaTime(audioFrame.best_effort_timestamp(), audioTimeBase, nextAudioPts);
        ensureResampler(audioFrame.format(), rate, channels);
        int capacity = swr_get_out_samples(resampler, samples);
        ensurePcmCapacity(channels, capacity);
        inputPlanes.at(NativeMemory.pointerAt(audioFrame.address() + AvFrameLayout.EXTENDED_DATA));
        int converted = FfmpegException.check(swr_convert(resampler, pcmPointers, capacity, inputPlanes, samples), "swr_convert");
        audioBlock.prepare(channels, converted);
        for (int c = 0; c < channels; c++) {
            pcmPlanes[c].position(0).get(audioBlock.channel(c), 0, converted);
        }
        audioBlock.set(converted, rate, pts);
        audioSamples += converted;
        nextAudioPts = pts + (double) converted / rate;
        mediaEndSeconds = Math.max(mediaEndSeconds, nextAudioPts);
        sink.onAudio(audioBlock);
    }

    private void ensureResampler(int format, int rate, int channels) {
        if (resampler != null && format == resamplerFormat && rate == resamplerRate && channels == resamplerChannels) {
            return;
        }
        if (resampler != null) {
            swr_free(resampler);
            resampler = null;
        }
        PointerPointer<SwrContext> holder = new PointerPointer<SwrContext>(1).zero();
        try {
            var layoutIn = audioFrame.ch_layout();
            FfmpegException.check(swr_alloc_set_opts2(holder, layoutIn, AV_SAMPLE_FMT_FLTP, rate, layoutIn, format, rate,
                    0, null), "swr_alloc_set_opts2");
            resampler = holder.get(SwrContext.class, 0);
            FfmpegException.check(swr_init(resampler), "swr_init");
        } finally {
            holder.close();
        }
        resamplerFormat = format;
        resamplerRate = rate;
        resamplerChannels = channels;
    }

    private void ensurePcmCapacity(int channels, int capacity) {
        if (pcmPlanes.length == channels && pcmCapacity >= capacity) {
            return;
        }
        freePcm();
        int size = Math.max(capacity, 8192);
        pcmPlanes = new FloatPointer[channels];
        pcmPointers = new PointerPointer<>(channels);
        for (int c = 0; c < channels; c++) {
            pcmPlanes[c] = new FloatPointer(size);
            pcmPointers.put(c, pcmPlanes[c]);
        }
        pcmCapacity = size;
    }

    private void freePcm() {
        for (FloatPointer p : pcmPlanes) {
            p.close();
        }
        pcmPlanes = new FloatPointer[0];
        if (pcmPointers != null) {
            pcmPointers.close();
            pcmPointers = null;
        }
        pcmCapacity = 0;
    }

    /** Seconds from the input's start for a timestamp, or {@code fallback} when the frame has none. */
    private double mediaTime(long ts, double timeBase, double fallback) {
        if (ts == AV_NOPTS_VALUE) {
            return Double.isNaN(fallback) ? 0 : fallback;
        }
        double seconds = ts * timeBase;
        if (Double.isNaN(originSeconds)) {
            originSeconds = seconds;
        }
        return seconds - originSeconds;
    }

    private void checkComplete() {
        if (location.remote() || !(info.durationSeconds() > 0)) {
            return;
        }
        if (formatContext.duration_estimation_method() == AVFMT_DURATION_FROM_BITRATE) {
            return;
        }
        if (formatContext.pb() != null && formatContext.pb().error() < 0) {
            throw broken(formatContext.pb().error());
        }
        if (mediaEndSeconds < info.durationSeconds() - TRUNCATION_SLACK_SECONDS) {
            throw new MediaException(MediaException.Stage.READ, String.format(Locale.ROOT,
                    "%s ended at %.1f s but its header says %.1f s: the file is truncated.",
                    location.displayName(), mediaEndSeconds, info.durationSeconds()));
        }
    }

    private MediaException broken(int ret) {
        return new MediaException(MediaException.Stage.READ, String.format(Locale.ROOT, "%s broke off at %.1f s: %s.",
                location.displayName(), mediaEndSeconds, describe(ret)), new FfmpegException("av_read_frame", ret));
    }

    private String describe(int ret) {
        String refused = refusal;
        if (refused != null && ret == AVERROR_EACCES) {
            return refused;
        }
        String text;
        if (ret == AVERROR_EXIT) {
            text = aborted ? "stopped" : "no data for " + options.ioTimeout().toSeconds() + " s";
        } else if (ret == AVERROR_INVALIDDATA) {
            text = "not a media file FFmpeg can read (" + FfmpegException.errorString(ret) + ")";
        } else {
            text = FfmpegException.errorString(ret);
        }
        return refused == null || aborted ? text : text + " (" + refused + ")";
    }

    /**
     * Whether the input is a transport stream read as one byte stream: a file that starts with two packets' sync
     * bytes, UDP, SRT or TCP, an HTTP URL of a .ts, RTP (tapped when its payload type says MPEG-TS). Only those are tapped: the tap is for transport streams, and other
     * formats keep FFmpeg's own I/O.
     */
    private boolean tappable() {
        if (!TAPPABLE.contains(location.scheme())) {
            return false;
        }
        if (!location.remote()) {
            // Peeked only in a regular file: a pipe or FIFO would lose the bytes read here (or wait for a writer).
            Path file = Path.of(location.url());
            if (!Files.isRegularFile(file)) {
                return false;
            }
            try (var in = Files.newInputStream(file)) {
                byte[] head = in.readNBytes(189);
                return head.length == 189 && head[0] == 0x47 && head[188] == 0x47;
            } catch (java.io.IOException e) {
                return false;
            }
        }
        String path = location.url().toLowerCase(Locale.ROOT).replaceFirst("[?#].*", "");
        return !location.scheme().startsWith("http") || path.endsWith(".ts");
    }

    /**
     * Opens the input's byte stream as FFmpeg would (its whitelist, timeouts and interrupt callback; the guard
     * checks where a redirect led), and gives {@code context} an I/O context of its own whose reads come from that
     * stream and go past the tap: one read, no second pass. The format context does not own them
     * ({@code AVFMT_FLAG_CUSTOM_IO}); {@link #close()} frees both, after it. An RTP input's first packet is read here:
     * its payload type 33 (MPEG-TS) has the demuxer read the payloads (returns true); another leaves the input to
     * FFmpeg's own RTP demuxer, untapped (returns false).
     */
    private boolean openTapped(AVFormatContext context, AVDictionary dict) {
        AVIOContext source = new AVIOContext(null);
        // A copy: avio_open2 takes out of its dictionary what it used, and the demuxer needs it all (its whitelist).
        AVDictionary own = new AVDictionary(null);
        int ret = av_dict_copy(own, dict, 0);
        if (ret >= 0) {
            ret = avio_open2(source, location.url(), AVIO_FLAG_READ, context.interrupt_callback(), own);
        }
        av_dict_free(own);
        if (ret < 0) {
            avformat_free_context(context);
            throw new MediaException(MediaException.Stage.OPEN, "Cannot open " + location.displayName() + ": "
                    + describe(ret) + ".", new FfmpegException("avio_open2", ret));
        }
        tappedSource = source;
        if ("udp".equals(location.scheme())) {
            watchUdpDrops(source);
        }
        if ("rtp".equals(location.scheme()) && !firstRtpPacket(context)) {
            avio_closep(tappedSource);
            tappedSource = null;
            return false;
        }
        OpenGuard guard = options.guard();
        if (guard != null && location.remote()) {
            try (PointerPointer<AVIOContext> slot = new PointerPointer<>(1)) {
                slot.put(0, source);
                String landed = redirectedTo(MemorySegment.ofAddress(slot.address()));
                String why = landed == null || landed.equals(location.url()) ? null : guard.refusal(landed);
                if (why != null) {
                    avformat_free_context(context);
                    throw new MediaException(MediaException.Stage.OPEN, "Refused to open " + location.displayName()
                            + ": " + why + "; a redirect led to " + UrlParts.mask(landed));
                }
            }
        }
        BytePointer buffer = new BytePointer(av_malloc(TAP_BUFFER_BYTES));
        if (buffer.isNull()) {
            avformat_free_context(context);
            throw new OutOfMemoryError("av_malloc");
        }
        AVIOContext reader = avio_alloc_context(buffer, TAP_BUFFER_BYTES, 0, null,
                (org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int) null,
                (org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int) null,
                (org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int) null);
        if (reader == null) {
            av_free(buffer);
            avformat_free_context(context);
            throw new OutOfMemoryError("avio_alloc_context");
        }
        tappedReader = reader;
        try {
            long readOffset = Loader.offsetof(AVIOContext.class, "read_packet");
            long seekOffset = Loader.offsetof(AVIOContext.class, "seek");
            if (readOffset < 0 || seekOffset < 0) {
                throw new IllegalStateException("the FFmpeg bindings do not know AVIOContext.read_packet/seek");
            }
            Linker linker = Linker.nativeLinker();
            var lookup = MethodHandles.lookup();
            MemorySegment read = linker.upcallStub(lookup.findVirtual(MediaInput.class, "tappedRead",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, int.class))
                    .bindTo(this), READ_PACKET, arena);
            MemorySegment seek = linker.upcallStub(lookup.findVirtual(MediaInput.class, "tappedSeek",
                    MethodType.methodType(long.class, MemorySegment.class, long.class, int.class))
                    .bindTo(this), SEEK, arena);
            NativeMemory.at(reader.address() + readOffset, NativeMemory.POINTER_BYTES).set(JAVA_LONG, 0, read.address());
            NativeMemory.at(reader.address() + seekOffset, NativeMemory.POINTER_BYTES).set(JAVA_LONG, 0, seek.address());
        } catch (ReflectiveOperationException | IllegalStateException e) {
            avformat_free_context(context);
            throw new IllegalStateException("cannot install the byte tap", e);
        }
        // Made without a read callback, the context took its buffer for data already read (a memory buffer):
        // empty it, at position 0.
        reader.pos(0);
        reader.buf_ptr(buffer);
        reader.buf_end(buffer);
        reader.seekable(source.seekable());
        context.pb(reader);
        context.flags(context.flags() | AVFMT_FLAG_CUSTOM_IO);
        return true;
    }

    /**
     * Reads an RTP input's first packet (RTCP's are passed over): with payload type 33, keeps its payload for the
     * demuxer's first read and returns true; with another, drops the tap (saying why) and returns false.
     */
    private boolean firstRtpPacket(AVFormatContext context) {
        rtpPacket = arena.allocate(RTP_PACKET_BYTES);
        RtpPayloads payloads = new RtpPayloads();
        while (true) {
            int n = avio_read_partial(tappedSource, rtpPointer.at(rtpPacket.address()), RTP_PACKET_BYTES);
            if (n <= 0) {
                avio_closep(tappedSource);
                tappedSource = null;
                avformat_free_context(context);
                int err = n == 0 ? AVERROR_EOF : n;
                throw new MediaException(MediaException.Stage.OPEN, "Cannot open " + location.displayName() + ": "
                        + describe(err) + ".", new FfmpegException("avio_read_partial", err));
            }
            MemorySegment packet = rtpPacket.asSlice(0, n);
            int type = RtpPayloads.payloadType(packet);
            if (type == RtpPayloads.MPEG_TS) {
                rtp = payloads;
                takeRtp(packet);
                return true;
            }
            if (type >= 0) {
                dropTap("its RTP payload type is " + type + ", not MPEG-TS (" + RtpPayloads.MPEG_TS + ")");
                return false;
            }
        }
    }

    /** Reads one RTP packet's payload into {@link #rtpAt}/{@link #rtpLeft}, telling the tap of a gap before it. */
    private void takeRtp(MemorySegment packet) {
        if (rtp.accept(packet) != RtpPayloads.Kind.PAYLOAD) {
            return;
        }
        rtpAt = rtp.payloadOffset();
        rtpLeft = rtp.payloadLength();
        ByteTap seen = tap;
        if (rtp.lostBefore() > 0 && seen != null) {
            try {
                seen.rtpLost(rtp.lostBefore());
            } catch (Throwable t) {
                dropTap("it failed: " + t);
            }
        }
    }

    /**
     * The tapped reader's read for an RTP input: the payloads of the packets in order, a packet at a time (or what
     * fits of it), past the tap. Late and duplicate packets are left out.
     */
    private int tappedRtpRead(MemorySegment buffer, int size) {
        while (rtpLeft == 0) {
            int n = avio_read_partial(tappedSource, rtpPointer.at(rtpPacket.address()), RTP_PACKET_BYTES);
            if (n == 0) {
                return AVERROR_EOF;
            }
            if (n < 0) {
                return n;
            }
            takeRtp(rtpPacket.asSlice(0, n));
        }
        int n = Math.min(size, rtpLeft);
        MemorySegment into = buffer.reinterpret(n);
        MemorySegment.copy(rtpPacket, rtpAt, into, 0, n);
        rtpAt += n;
        rtpLeft -= n;
        showTap(into);
        return n;
    }

    /** Shows the tap {@code bytes}, read at {@link #tappedPosition}, and moves past them. */
    private void showTap(MemorySegment bytes) {
        ByteTap seen = tap;
        if (seen != null) {
            try {
                seen.bytes(tappedPosition, bytes);
            } catch (Throwable t) {
                // The analysis of the bytes failed; reading the input must not.
                dropTap("it failed: " + t);
            }
        }
        tappedPosition += bytes.byteSize();
    }

    /** The tapped reader's read_packet (an upcall): reads the source, shows the tap. Never throws. */
    @SuppressWarnings("unused")
    private int tappedRead(MemorySegment opaque, MemorySegment buffer, int size) {
        // A network source gives what it has now, as FFmpeg's own reads do (avio_read would wait for the whole
        // buffer: a second of a slow live stream), through its buffer (one copy); a file is read straight into ours.
        if (rtp != null) {
            return tappedRtpRead(buffer, size);
        }
        BytePointer into = tapBuffer.at(buffer.address());
        int n = location.remote() ? avio_read_partial(tappedSource, into, size) : avio_read(tappedSource, into, size);
        if (udpDrops != null) {
            pollUdpDrops(n <= 0);
        }
        if (n == 0) {
            return AVERROR_EOF;
        }
        if (n < 0) {
            return n;
        }
        showTap(buffer.reinterpret(n));
        return n;
    }

    private void watchUdpDrops(AVIOContext source) {
        try {
            udpDrops = UdpDrops.of(source.opaque().address());
        } catch (RuntimeException e) {
            udpDrops = null; // a layout this does not know: no drop counts
        }
        if (udpDrops != null) {
            try (org.bytedeco.javacpp.LongPointer out = new org.bytedeco.javacpp.LongPointer(1)) {
                // udp.c keeps fifo_size in bytes once open (0: no circular buffer).
                udpFifoBytes = av_opt_get_int(source, "fifo_size", AV_OPT_SEARCH_CHILDREN, out) >= 0 ? out.get() : 0;
            }
        }
    }

    /** Tells the tap what the UDP drop counters moved by, at most every {@link #INGEST_POLL_MILLIS} unless {@code now}. */
    private void pollUdpDrops(boolean now) {
        long t = System.nanoTime();
        if (!now && udpPolledNs != 0 && t - udpPolledNs < INGEST_POLL_MILLIS * 1_000_000) {
            return;
        }
        udpPolledNs = t;
        long dropped = udpDrops.dropped();
        long moved = dropped - udpDropsSeen;
        udpDropsSeen = dropped;
        ByteTap seen = tap;
        if (seen != null) {
            try {
                seen.ingestChecked(moved, udpDrops.queuedBytes() + udpFifoBytes);
            } catch (Throwable e) {
                dropTap("it failed: " + e);
            }
        }
    }

    /** RTP packets a tapped RTP input lost before this host (gaps in their sequence numbers), so far; -1: not RTP. */
    public long rtpLost() {
        return rtp == null ? -1 : rtp.lost();
    }

    /** RTP packets a tapped RTP input received late or twice, and left out, so far; -1: not RTP. */
    public long rtpLateOrDuplicate() {
        return rtp == null ? -1 : rtp.lateOrDuplicate();
    }

    /** Datagrams a tapped UDP input lost on this host before FFmpeg read them, so far; -1 when not followed. */
    public long ingestDrops() {
        return udpDrops == null ? -1 : udpDropsSeen;
    }

    /** The tapped reader's seek (an upcall): the source's, with AVSEEK_SIZE answered by its size. Never throws. */
    @SuppressWarnings("unused")
    private long tappedSeek(MemorySegment opaque, long offset, int whence) {
        if ((whence & AVSEEK_SIZE) != 0) {
            return avio_size(tappedSource);
        }
        long at = avio_seek(tappedSource, offset, whence & ~AVSEEK_FORCE);
        if (at >= 0) {
            tappedPosition = at;
        }
        return at;
    }

    private void armDeadline() {
        deadlineNs = System.nanoTime() + options.ioTimeout().toNanos();
    }

    /** FFmpeg's interrupt callback (an upcall): non-zero makes the blocking call in progress return AVERROR_EXIT. */
    @SuppressWarnings("unused")
    private int interrupted(MemorySegment opaque) {
        return aborted || System.nanoTime() - deadlineNs > 0 ? 1 : 0;
    }

    /**
     * Points {@code context->interrupt_callback} at a Panama upcall bound to this input. Panama rather than a
     * JavaCPP callback: JavaCPP caps the live instances of a callback class, and vigil opens many inputs at once.
     */
    private void installInterruptCallback(AVFormatContext context) {
        try {
            var handle = MethodHandles.lookup()
                    .findVirtual(MediaInput.class, "interrupted", MethodType.methodType(int.class, MemorySegment.class))
                    .bindTo(this);
            MemorySegment stub = Linker.nativeLinker().upcallStub(handle, FunctionDescriptor.of(JAVA_INT, ADDRESS), arena);
            long callback = context.interrupt_callback().address();
            // struct AVIOInterruptCB { int (*callback)(void *); void *opaque; }
            MemorySegment interruptCallback = NativeMemory.at(callback, 2 * NativeMemory.POINTER_BYTES);
            interruptCallback.set(JAVA_LONG, 0, stub.address());
            interruptCallback.set(JAVA_LONG, NativeMemory.POINTER_BYTES, 0L);
        } catch (ReflectiveOperationException e) {
            avformat_free_context(context);
            throw new IllegalStateException("cannot bind the interrupt callback", e);
        }
    }

    /**
     * Points {@code context->io_open} at a Panama upcall that asks the guard about each URL before FFmpeg's own
     * io_open (read from the fresh context) opens it. Every nested demuxer FFmpeg makes copies the parent's io_open or
     * calls it on the parent, so this one callback sees all their opens. The upcall lives in this input's arena, as
     * long as the context.
     */
    private void installOpenGuard(AVFormatContext context) {
        // Known once the bindings are loaded, as they are now that the context exists.
        long offset = Loader.offsetof(AVFormatContext.class, "io_open");
        if (offset < 0) {
            avformat_free_context(context);
            throw new IllegalStateException("the FFmpeg bindings do not know AVFormatContext.io_open");
        }
        MemorySegment slot = NativeMemory.at(context.address() + offset, NativeMemory.POINTER_BYTES);
        long ffmpegIoOpen = slot.get(JAVA_LONG, 0);
        try {
            if (ffmpegIoOpen == 0) {
                throw new IllegalStateException("a new format context has no io_open");
            }
            Linker linker = Linker.nativeLinker();
            defaultIoOpen = linker.downcallHandle(MemorySegment.ofAddress(ffmpegIoOpen), IO_OPEN);
            var handle = MethodHandles.lookup().findVirtual(MediaInput.class, "guardedIoOpen",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, MemorySegment.class,
                            int.class, MemorySegment.class)).bindTo(this);
            slot.set(JAVA_LONG, 0, linker.upcallStub(handle, IO_OPEN, arena).address());
        } catch (ReflectiveOperationException | IllegalStateException e) {
            avformat_free_context(context);
            throw new IllegalStateException("cannot install the io_open guard", e);
        }
    }

    /**
     * The io_open upcall: refuses what the guard refuses (AVERROR(EACCES)), opens the rest with FFmpeg's io_open, and
     * then checks where an HTTP redirect chain ended ({@code location}), closing what the guard refuses. Never throws:
     * an exception out of an upcall ends the JVM.
     */
    @SuppressWarnings("unused")
    private int guardedIoOpen(MemorySegment context, MemorySegment pb, MemorySegment url, int flags,
                              MemorySegment dict) {
        try {
            OpenGuard guard = options.guard();
            String target = url.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
            String why = guard == null ? null : guard.refusal(target);
            if (why != null) {
                return refuse(target, why);
            }
            int ret = (int) defaultIoOpen.invokeExact(context, pb, url, flags, dict);
            if (ret < 0) {
                return ret;
            }
            String landed = guard == null ? null : redirectedTo(pb);
            if (landed != null && !landed.equals(target)) {
                String after = guard.refusal(landed);
                if (after != null) {
                    closeOpened(pb);
                    return refuse(landed, after + "; a redirect from " + UrlParts.mask(target) + " led there");
                }
            }
            if (hlsSegments != null && tap != null) {
                hlsSegments.opened(pb, target);
            }
            return ret;
        } catch (Throwable t) {
            refusal = "checking a URL FFmpeg asked to open failed: " + t;
            return AVERROR_EACCES;
        }
    }

    private int refuse(String url, String why) {
        refusal = "refused to open " + UrlParts.mask(url) + ": " + why;
        return AVERROR_EACCES;
    }

    /** Where the I/O context in {@code *pb} reads from after its protocol's redirects (HTTP's "location"), or null. */
    private static String redirectedTo(MemorySegment pb) {
        long io = NativeMemory.pointerAt(pb.address());
        if (io == 0) {
            return null;
        }
        try (PointerPointer<BytePointer> out = new PointerPointer<>(1)) {
            if (av_opt_get(new RawPointer(io), LOCATION, AV_OPT_SEARCH_CHILDREN, out) < 0) {
                return null;
            }
            BytePointer value = out.get(BytePointer.class, 0);
            if (value == null || value.isNull()) {
                return null;
            }
            try {
                return value.getString(StandardCharsets.UTF_8);
            } finally {
                av_free(value);
            }
        }
    }

    /** Closes the I/O context FFmpeg's io_open put in {@code *pb} and clears the pointer. */
    private static void closeOpened(MemorySegment pb) {
        MemorySegment slot = NativeMemory.at(pb.address(), NativeMemory.POINTER_BYTES);
        long io = slot.get(JAVA_LONG, 0);
        if (io != 0) {
            avio_close(new AVIOContext(new RawPointer(io)));
            slot.set(JAVA_LONG, 0, 0L);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (videoDecoder != null) {
            FfmpegLog.disown(videoDecoder);
            avcodec_free_context(videoDecoder);
            videoDecoder = null;
        }
        if (audioDecoder != null) {
            FfmpegLog.disown(audioDecoder);
            avcodec_free_context(audioDecoder);
            audioDecoder = null;
        }
        if (formatContext != null) {
            avformat_close_input(formatContext);
            formatContext = null;
        }
        if (tappedReader != null) {
            // Ours, not the format context's (AVFMT_FLAG_CUSTOM_IO): its buffer (FFmpeg may have replaced it), then it.
            av_free(tappedReader.buffer());
            avio_context_free(tappedReader);
            tappedReader = null;
        }
        if (udpDrops != null) {
            udpDrops.close();
            udpDrops = null;
        }
        if (tappedSource != null) {
            avio_closep(tappedSource);
            tappedSource = null;
        }
        if (cudaDevice != null) {
            av_buffer_unref(cudaDevice);
            cudaDevice = null;
        }
        if (resampler != null) {
            swr_free(resampler);
            resampler = null;
        }
        if (converter != null) {
            sws_freeContext(converter);
            converter = null;
        }
        if (converted != null) {
            converted.close();
        }
        freePcm();
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (audioFrame != null) {
            av_frame_free(audioFrame);
            audioFrame = null;
        }
        videoFrame.close();
        inputPlanes.at(0);
        // Only now: FFmpeg may call the interrupt callback until the format context is closed.
        arena.close();
    }

    /** A JavaCPP view of a native address FFmpeg handed over. */
    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }

    /** A byte pointer whose address is set per call, so that the tapped reader's reads allocate nothing. */
    private static final class TapBuffer extends BytePointer {
        TapBuffer at(long address) {
            this.address = address;
            return this;
        }
    }

    /** A pointer array whose address is set per call, so that passing a frame's planes to swr allocates nothing. */
    private static final class RawPointerPointer extends PointerPointer<Pointer> {
        RawPointerPointer() {
            super((Pointer) null);
        }

        void at(long address) {
            this.address = address;
        }
    }
}
