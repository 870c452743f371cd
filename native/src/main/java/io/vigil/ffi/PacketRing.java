package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_free;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;

/**
 * The compressed packets of one input's video and audio streams over its last seconds, as the demuxer read them:
 * what an alarm's clip is remuxed from ({@link ClipRemux}). Each kept packet is a second reference to the demuxer's
 * own buffer ({@code av_packet_ref}: no copy of the data), held in a slot that is reused once the packet leaves, so
 * that filling the ring allocates no packet per packet. Bounded by bytes (the packets' sizes) and seconds; the oldest
 * leave first. A packet larger than the byte bound on its own is not kept.
 *
 * <p>Times here are the input's own: seconds of its timestamps' clock ({@code pts * time_base}), as read.
 *
 * <p>Thread-safe: the reading thread adds, the clip writers take {@link #snapshot}s. The ring owns every slot, and
 * the copies of the streams' parameters; {@link #close} frees them once.
 */
public final class PacketRing implements AutoCloseable {
    private static final int INITIAL_SLOTS = 256;

    private final long maxBytes;
    private final double maxSeconds;

    private AVPacket[] slots = new AVPacket[0];
    private boolean[] video = new boolean[0];
    private boolean[] key = new boolean[0];
    private double[] seconds = new double[0];
    private int[] sizes = new int[0];
    private int head;
    private int count;
    private long bytes;
    private double newestSeconds = Double.NaN;
    private long dropped;

    /** The current input's streams, copied when it opened; null when it has none of that kind. */
    private AVCodecParameters videoParameters;
    private AVCodecParameters audioParameters;
    private int videoTbNum;
    private int videoTbDen;
    private int audioTbNum;
    private int audioTbDen;
    private String container;
    private boolean closed;

    public PacketRing(long maxBytes, double maxSeconds) {
        if (maxBytes <= 0 || !(maxSeconds > 0)) {
            throw new IllegalArgumentException("a packet ring needs a positive byte and seconds bound");
        }
        this.maxBytes = maxBytes;
        this.maxSeconds = maxSeconds;
    }

    /**
     * A new input opened, with {@code videoStream} and {@code audioStream} (either null): what was kept of the last
     * one is let go, and these streams' parameters are copied for the clips to come.
     */
    public synchronized void inputOpened(AVStream videoStream, AVStream audioStream) {
        ensureOpen();
        clearPackets();
        freeParameters();
        if (videoStream != null) {
            videoParameters = copy(videoStream.codecpar());
            videoTbNum = videoStream.time_base().num();
            videoTbDen = videoStream.time_base().den();
        }
        if (audioStream != null) {
            audioParameters = copy(audioStream.codecpar());
            audioTbNum = audioStream.time_base().num();
            audioTbDen = audioStream.time_base().den();
        }
        container = ClipRemux.containerFor(videoParameters, audioParameters);
    }

    /** Keeps a reference to {@code packet} of the video ({@code isVideo}) or audio stream; the oldest make room. */
    public synchronized void add(AVPacket packet, boolean isVideo) {
        if (closed || (isVideo ? videoParameters : audioParameters) == null) {
            return;
        }
        int size = packet.size();
        if (size > maxBytes) {
            dropped++;
            return;
        }
        long ts = packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts();
        double at = ts == AV_NOPTS_VALUE ? newestSeconds
                : isVideo ? ts * (double) videoTbNum / videoTbDen : ts * (double) audioTbNum / audioTbDen;
        if (Double.isNaN(at)) {
            dropped++;   // nothing to place it by yet
            return;
        }
        while (count > 0 && (bytes + size > maxBytes || at - seconds[head] > maxSeconds)) {
            evictOldest();
        }
        if (count == slots.length) {
            grow();
        }
        int slot = (head + count) % slots.length;
        if (slots[slot] == null) {
            slots[slot] = av_packet_alloc();
            if (slots[slot] == null) {
                throw new OutOfMemoryError("av_packet_alloc");
            }
        }
        int ret = av_packet_ref(slots[slot], packet);
        if (ret < 0) {
            dropped++;
            return;
        }
        video[slot] = isVideo;
        key[slot] = (packet.flags() & AV_PKT_FLAG_KEY) != 0;
        seconds[slot] = at;
        sizes[slot] = size;
        count++;
        bytes += size;
        if (!(at <= newestSeconds)) {
            newestSeconds = at;
        }
    }

    /** Bytes of packet data held now (what the byte bound limits). */
    public synchronized long bytes() {
        return bytes;
    }

    /** Packets held now. */
    public synchronized int packets() {
        return count;
    }

    /** Packets not kept: larger than the bound, or before any time was known. */
    public synchronized long dropped() {
        return dropped;
    }

    /** The latest time (input's own seconds) of a packet added since the input opened; NaN before the first. */
    public synchronized double newestSeconds() {
        return newestSeconds;
    }

    /** The oldest time held, NaN when empty. */
    public synchronized double oldestSeconds() {
        return count == 0 ? Double.NaN : seconds[head];
    }

    /**
     * The container a clip of the current input goes in: "mp4" when it holds every stream's codec, else "mpegts",
     * else null (neither holds them; no clip can be made). Null before an input opened.
     */
    public synchronized String container() {
        return container;
    }

    /**
     * References to the packets a clip from {@code fromSeconds} to {@code toSeconds} (input's own times) needs:
     * from the last video keyframe at or before {@code fromSeconds} (the first one held, when none is that early),
     * every video packet up to {@code toSeconds} and the audio packets between. Without video, the audio from
     * {@code fromSeconds}. Null when nothing fits (no keyframe held, no packets). The snapshot owns its references.
     */
    public synchronized Snapshot snapshot(double fromSeconds, double toSeconds) {
        ensureOpen();
        if (count == 0) {
            return null;
        }
        int start = -1;
        if (videoParameters != null) {
            for (int i = 0; i < count; i++) {
                int slot = (head + i) % slots.length;
                if (video[slot] && key[slot]) {
                    if (seconds[slot] <= fromSeconds || start < 0) {
                        start = i;
                    }
                    if (seconds[slot] > fromSeconds) {
                        break;
                    }
                }
            }
        } else {
            for (int i = 0; i < count && start < 0; i++) {
                if (seconds[(head + i) % slots.length] >= fromSeconds) {
                    start = i;
                }
            }
            if (start < 0) {
                start = count - 1;
            }
        }
        if (start < 0) {
            return null;
        }
        double startSeconds = seconds[(head + start) % slots.length];
        List<Integer> picked = new ArrayList<>();
        for (int i = start; i < count; i++) {
            int slot = (head + i) % slots.length;
            double at = seconds[slot];
            if (at <= toSeconds && (video[slot] || at >= startSeconds)) {
                picked.add(slot);
            }
        }
        Snapshot snapshot = new Snapshot(videoParameters == null ? null : copy(videoParameters), videoTbNum,
                videoTbDen, audioParameters == null ? null : copy(audioParameters), audioTbNum, audioTbDen,
                container, picked.size());
        try {
            for (int slot : picked) {
                snapshot.add(slots[slot], video[slot], seconds[slot]);
            }
        } catch (RuntimeException | Error e) {
            snapshot.close();
            throw e;
        }
        return snapshot;
    }

    /** Lets every packet go (the parameters stay). */
    public synchronized void clear() {
        clearPackets();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        clearPackets();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                av_packet_free(slots[i]);
                slots[i] = null;
            }
        }
        freeParameters();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("packet ring used after close");
        }
    }

    private void evictOldest() {
        av_packet_unref(slots[head]);
        bytes -= sizes[head];
        head = (head + 1) % slots.length;
        count--;
    }

    private void clearPackets() {
        while (count > 0) {
            evictOldest();
        }
        head = 0;
        newestSeconds = Double.NaN;
    }

    /** Twice the slots, the packets kept in order from slot 0. */
    private void grow() {
        int n = Math.max(INITIAL_SLOTS, slots.length * 2);
        AVPacket[] s = new AVPacket[n];
        boolean[] v = new boolean[n];
        boolean[] k = new boolean[n];
        double[] t = new double[n];
        int[] z = new int[n];
        for (int i = 0; i < slots.length; i++) {
            int from = (head + i) % slots.length;
            s[i] = slots[from];
            v[i] = video[from];
            k[i] = key[from];
            t[i] = seconds[from];
            z[i] = sizes[from];
        }
        slots = s;
        video = v;
        key = k;
        seconds = t;
        sizes = z;
        head = 0;
    }

    private void freeParameters() {
        if (videoParameters != null) {
            avcodec_parameters_free(videoParameters);
            videoParameters = null;
        }
        if (audioParameters != null) {
            avcodec_parameters_free(audioParameters);
            audioParameters = null;
        }
        container = null;
    }

    private static AVCodecParameters copy(AVCodecParameters source) {
        AVCodecParameters copy = avcodec_parameters_alloc();
        if (copy == null) {
            throw new OutOfMemoryError("avcodec_parameters_alloc");
        }
        int ret = avcodec_parameters_copy(copy, source);
        if (ret < 0) {
            avcodec_parameters_free(copy);
            throw new FfmpegException("avcodec_parameters_copy", ret);
        }
        return copy;
    }

    /**
     * The packets of one clip, in the order they were read, with copies of their streams' parameters: owned here
     * (each a reference of its own), freed once by {@link #close}, so the ring may move on while a clip is written.
     */
    public static final class Snapshot implements AutoCloseable {
        final AVCodecParameters videoParameters;
        final int videoTbNum;
        final int videoTbDen;
        final AVCodecParameters audioParameters;
        final int audioTbNum;
        final int audioTbDen;
        final String container;
        final AVPacket[] packets;
        final boolean[] video;
        private final double[] seconds;
        private int count;
        private boolean closed;

        private Snapshot(AVCodecParameters videoParameters, int videoTbNum, int videoTbDen,
                         AVCodecParameters audioParameters, int audioTbNum, int audioTbDen, String container,
                         int capacity) {
            this.videoParameters = videoParameters;
            this.videoTbNum = videoTbNum;
            this.videoTbDen = videoTbDen;
            this.audioParameters = audioParameters;
            this.audioTbNum = audioTbNum;
            this.audioTbDen = audioTbDen;
            this.container = container;
            this.packets = new AVPacket[capacity];
            this.video = new boolean[capacity];
            this.seconds = new double[capacity];
        }

        private void add(AVPacket source, boolean isVideo, double at) {
            AVPacket ref = av_packet_alloc();
            if (ref == null) {
                throw new OutOfMemoryError("av_packet_alloc");
            }
            int ret = av_packet_ref(ref, source);
            if (ret < 0) {
                av_packet_free(ref);
                throw new FfmpegException("av_packet_ref", ret);
            }
            packets[count] = ref;
            video[count] = isVideo;
            seconds[count] = at;
            count++;
        }

        /** Packets held. */
        public int size() {
            return count;
        }

        /** The first packet's time (input's own seconds), NaN when empty. */
        public double firstSeconds() {
            return count == 0 ? Double.NaN : seconds[0];
        }

        /** The latest packet time held, NaN when empty. */
        public double lastSeconds() {
            double last = Double.NaN;
            for (int i = 0; i < count; i++) {
                if (!(seconds[i] <= last)) {
                    last = seconds[i];
                }
            }
            return last;
        }

        public boolean hasVideo() {
            return videoParameters != null;
        }

        public boolean hasAudio() {
            return audioParameters != null;
        }

        /** "mp4", "mpegts", or null when no container holds the streams. */
        public String container() {
            return container;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < count; i++) {
                av_packet_free(packets[i]);
                packets[i] = null;
            }
            if (videoParameters != null) {
                avcodec_parameters_free(videoParameters);
            }
            if (audioParameters != null) {
                avcodec_parameters_free(audioParameters);
            }
        }
    }
}
