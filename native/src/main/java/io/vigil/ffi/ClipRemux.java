package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avcodec.FF_COMPLIANCE_NORMAL;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_NOFILE;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_format;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_query_codec;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Writes a {@link PacketRing.Snapshot} to a file without decoding or encoding anything: the streams' codec parameters
 * copied, each packet's timestamps moved so that the clip starts at 0 and rescaled to the muxer's time base. MP4 gets
 * {@code +faststart} (its index in front, so a browser plays it before it has all of it). Every FFmpeg call is
 * checked; a failure is an {@link FfmpegException} and frees what was made (the half-written file stays for the
 * caller to delete).
 */
public final class ClipRemux {
    static {
        FfmpegLog.configure();
    }

    private ClipRemux() {
    }

    /**
     * "mp4" when MP4 holds every given stream's codec, else "mpegts" when MPEG-TS does, else null. A null stream is
     * none.
     */
    public static String containerFor(AVCodecParameters video, AVCodecParameters audio) {
        for (String format : new String[] {"mp4", "mpegts"}) {
            AVOutputFormat muxer = av_guess_format(format, null, null);
            if (muxer != null && holds(muxer, video) && holds(muxer, audio)) {
                return format;
            }
        }
        return null;
    }

    private static boolean holds(AVOutputFormat muxer, AVCodecParameters stream) {
        return stream == null || avformat_query_codec(muxer, stream.codec_id(), FF_COMPLIANCE_NORMAL) == 1;
    }

    /** The codecs of a snapshot, for a message: "h264 + aac". */
    public static String codecs(PacketRing.Snapshot clip) {
        String v = clip.videoParameters == null ? null : avcodec_get_name(clip.videoParameters.codec_id()).getString();
        String a = clip.audioParameters == null ? null : avcodec_get_name(clip.audioParameters.codec_id()).getString();
        return v == null ? String.valueOf(a) : a == null ? v : v + " + " + a;
    }

    /**
     * Writes {@code clip} into {@code file} (replaced) in the snapshot's container. Returns the clip's length in
     * seconds (its last packet's time less its first). Throws {@link FfmpegException} when a call fails, and
     * {@link IllegalArgumentException} when no container holds the streams or the clip is empty.
     */
    public static double write(PacketRing.Snapshot clip, Path file) {
        if (clip.container() == null) {
            throw new IllegalArgumentException("neither MP4 nor MPEG-TS can hold " + codecs(clip));
        }
        if (clip.size() == 0) {
            throw new IllegalArgumentException("the clip holds no packets");
        }
        AVFormatContext context = null;
        AVIOContext io = null;
        AVPacket work = null;
        PointerPointer<AVFormatContext> holder = new PointerPointer<AVFormatContext>(1).zero();
        try {
            try (BytePointer format = new BytePointer(clip.container());
                 BytePointer url = new BytePointer(file.toString())) {
                FfmpegException.check(avformat_alloc_output_context2(holder, null, format, url),
                        "avformat_alloc_output_context2");
                context = holder.get(AVFormatContext.class, 0);
            }
            AVStream videoOut = clip.hasVideo() ? addStream(context, clip.videoParameters, clip.videoTbNum,
                    clip.videoTbDen) : null;
            AVStream audioOut = clip.hasAudio() ? addStream(context, clip.audioParameters, clip.audioTbNum,
                    clip.audioTbDen) : null;
            if ((context.oformat().flags() & AVFMT_NOFILE) == 0) {
                PointerPointer<AVIOContext> ioHolder = new PointerPointer<AVIOContext>(1).zero();
                try (BytePointer url = new BytePointer(file.toString())) {
                    FfmpegException.check(avio_open(ioHolder, url, AVIO_FLAG_WRITE), "avio_open");
                    io = ioHolder.get(AVIOContext.class, 0);
                    context.pb(io);
                } finally {
                    ioHolder.close();
                }
            }
            AVDictionary options = new AVDictionary(null);
            try {
                if (clip.container().equals("mp4")) {
                    av_dict_set(options, "movflags", "+faststart", 0);
                }
                FfmpegException.check(avformat_write_header(context, options), "avformat_write_header");
            } finally {
                av_dict_free(options);
            }
            work = av_packet_alloc();
            if (work == null) {
                throw new OutOfMemoryError("av_packet_alloc");
            }
            double zeroSeconds = earliestSeconds(clip);
            long videoZero = clip.hasVideo() ? Math.round(zeroSeconds * clip.videoTbDen / clip.videoTbNum) : 0;
            long audioZero = clip.hasAudio() ? Math.round(zeroSeconds * clip.audioTbDen / clip.audioTbNum) : 0;
            AVRational videoTb = clip.hasVideo() ? rational(clip.videoTbNum, clip.videoTbDen) : null;
            AVRational audioTb = clip.hasAudio() ? rational(clip.audioTbNum, clip.audioTbDen) : null;
            try {
                for (int i = 0; i < clip.size(); i++) {
                    AVPacket source = clip.packets[i];
                    if (source.pts() == AV_NOPTS_VALUE && source.dts() == AV_NOPTS_VALUE) {
                        continue;   // a muxer cannot place it
                    }
                    boolean isVideo = clip.video[i];
                    long zero = isVideo ? videoZero : audioZero;
                    FfmpegException.check(av_packet_ref(work, source), "av_packet_ref");
                    if (work.pts() != AV_NOPTS_VALUE) {
                        work.pts(work.pts() - zero);
                    }
                    if (work.dts() != AV_NOPTS_VALUE) {
                        work.dts(work.dts() - zero);
                    }
                    if ((work.dts() != AV_NOPTS_VALUE && work.dts() < 0) || (work.pts() != AV_NOPTS_VALUE && work.pts() < 0)) {
                        av_packet_unref(work);
                        continue;   // before the keyframe the clip starts on
                    }
                    AVStream out = isVideo ? videoOut : audioOut;
                    av_packet_rescale_ts(work, isVideo ? videoTb : audioTb, out.time_base());
                    work.stream_index(out.index());
                    work.pos(-1);
                    // Takes the packet's references whether or not it succeeds; the unref is for the error path.
                    int ret = av_interleaved_write_frame(context, work);
                    av_packet_unref(work);
                    FfmpegException.check(ret, "av_interleaved_write_frame");
                }
            } finally {
                if (videoTb != null) {
                    videoTb.close();
                }
                if (audioTb != null) {
                    audioTb.close();
                }
            }
            FfmpegException.check(av_write_trailer(context), "av_write_trailer");
            return clip.lastSeconds() - clip.firstSeconds();
        } finally {
            holder.close();
            if (work != null) {
                av_packet_free(work);
            }
            if (io != null) {
                context.pb(null);
                avio_closep(io);
            }
            if (context != null) {
                avformat_free_context(context);
            }
        }
    }

    /** The earliest decode (else presentation) time of the clip's packets, seconds: the clip's 0. */
    private static double earliestSeconds(PacketRing.Snapshot clip) {
        double earliest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < clip.size(); i++) {
            AVPacket p = clip.packets[i];
            long ts = p.dts() != AV_NOPTS_VALUE ? p.dts() : p.pts();
            if (ts == AV_NOPTS_VALUE) {
                continue;
            }
            double s = clip.video[i] ? ts * (double) clip.videoTbNum / clip.videoTbDen
                    : ts * (double) clip.audioTbNum / clip.audioTbDen;
            if (clip.video[i] || s >= clip.firstSeconds()) {
                earliest = Math.min(earliest, s);
            }
        }
        return Double.isInfinite(earliest) ? 0 : earliest;
    }

    private static AVStream addStream(AVFormatContext context, AVCodecParameters parameters, int tbNum, int tbDen) {
        AVStream stream = avformat_new_stream(context, null);
        if (stream == null) {
            throw new OutOfMemoryError("avformat_new_stream");
        }
        FfmpegException.check(avcodec_parameters_copy(stream.codecpar(), parameters), "avcodec_parameters_copy");
        // The input container's tag may mean nothing in the output's: let the muxer pick its own.
        stream.codecpar().codec_tag(0);
        stream.time_base().num(tbNum).den(tbDen);
        return stream;
    }

    private static AVRational rational(int num, int den) {
        AVRational r = new AVRational();
        r.num(num).den(den);
        return r;
    }
}
