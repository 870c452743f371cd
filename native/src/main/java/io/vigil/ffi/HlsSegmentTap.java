package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_read_partial;
import static org.bytedeco.ffmpeg.global.avformat.avio_seek;
import static org.bytedeco.ffmpeg.global.avformat.avio_size;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * The byte tap of an HLS input: every TS segment (and media playlist) the HLS demuxer opens through the format
 * context's {@code io_open} is handed back wrapped in an I/O context of ours, whose reads come from FFmpeg's and go
 * past the tap (segments) or into {@link HlsPlaylists} (playlists); the {@code io_close2} hook frees the wrapper and
 * closes FFmpeg's. The segments' bytes reach the tap as one stream, each segment told first, with whether it breaks
 * off from the one before. Two segments open at once (several renditions, each its own multiplex) are not one
 * stream: the tap is dropped. The wrapper's {@code opaque} is FFmpeg's own (its URLContext), so that options found
 * through it and a plain {@code avio_close} of it still work.
 */
final class HlsSegmentTap {
    /** {@code int (*io_close2)(AVFormatContext *s, AVIOContext *pb)} */
    private static final FunctionDescriptor IO_CLOSE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor READ_PACKET = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor SEEK = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final int BUFFER_BYTES = 32 * 1024;
    /** A playlist longer than this is not read for its segments (they are then taken to break off). */
    private static final int MAX_PLAYLIST_BYTES = 1 << 20;

    /** One wrapped I/O context: FFmpeg's, ours, and what its bytes are. */
    private static final class Wrapped {
        final AVIOContext inner;
        final AVIOContext wrapper;
        final boolean segment;
        final ByteArrayOutputStream playlist;

        Wrapped(AVIOContext inner, AVIOContext wrapper, boolean segment) {
            this.inner = inner;
            this.wrapper = wrapper;
            this.segment = segment;
            this.playlist = segment ? null : new ByteArrayOutputStream();
        }
    }

    private final MediaInput input;
    private final MethodHandle defaultIoClose;
    private final MemorySegment readStub;
    private final MemorySegment seekStub;
    private final long readOffset;
    private final long seekOffset;
    /** By the wrapper's opaque (FFmpeg's URLContext), and by the wrapper's address. */
    private final Map<Long, Wrapped> byOpaque = new HashMap<>();
    private final Map<Long, Wrapped> byWrapper = new HashMap<>();
    private final HlsPlaylists playlists = new HlsPlaylists();
    private final SegmentBuffer into = new SegmentBuffer();
    private int openSegments;
    private long position;

    HlsSegmentTap(MediaInput input, AVFormatContext context, Arena arena) {
        this.input = input;
        long closeOffset = Loader.offsetof(AVFormatContext.class, "io_close2");
        readOffset = Loader.offsetof(AVIOContext.class, "read_packet");
        seekOffset = Loader.offsetof(AVIOContext.class, "seek");
        if (closeOffset < 0 || readOffset < 0 || seekOffset < 0) {
            throw new IllegalStateException("the FFmpeg bindings do not know io_close2, read_packet or seek");
        }
        MemorySegment slot = NativeMemory.at(context.address() + closeOffset, NativeMemory.POINTER_BYTES);
        long ffmpegIoClose = slot.get(JAVA_LONG, 0);
        if (ffmpegIoClose == 0) {
            throw new IllegalStateException("a new format context has no io_close2");
        }
        Linker linker = Linker.nativeLinker();
        defaultIoClose = linker.downcallHandle(MemorySegment.ofAddress(ffmpegIoClose), IO_CLOSE);
        try {
            var lookup = MethodHandles.lookup();
            readStub = linker.upcallStub(lookup.findVirtual(HlsSegmentTap.class, "read", MethodType.methodType(
                    int.class, MemorySegment.class, MemorySegment.class, int.class)).bindTo(this), READ_PACKET, arena);
            seekStub = linker.upcallStub(lookup.findVirtual(HlsSegmentTap.class, "seek", MethodType.methodType(
                    long.class, MemorySegment.class, long.class, int.class)).bindTo(this), SEEK, arena);
            slot.set(JAVA_LONG, 0, linker.upcallStub(lookup.findVirtual(HlsSegmentTap.class, "close",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class)).bindTo(this),
                    IO_CLOSE, arena).address());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the HLS segment tap", e);
        }
    }

    /** FFmpeg's io_open put an I/O context for {@code url} in {@code *pb}: wraps a TS segment's or a playlist's. */
    void opened(MemorySegment pb, String url) {
        String path = url.toLowerCase(Locale.ROOT).replaceFirst("[?#].*", "");
        boolean segment = path.endsWith(".ts");
        if (!segment && !path.endsWith(".m3u8") && !path.endsWith(".m3u")) {
            return;
        }
        MemorySegment slot = NativeMemory.at(pb.address(), NativeMemory.POINTER_BYTES);
        long innerAddress = slot.get(JAVA_LONG, 0);
        if (innerAddress == 0) {
            return;
        }
        AVIOContext inner = new AVIOContext(new Raw(innerAddress));
        if (inner.opaque() == null || inner.opaque().isNull()) {
            return;
        }
        if (segment && ++openSegments > 1) {
            // Another segment is open: several renditions, each its own multiplex, not one stream.
            openSegments--;
            input.dropTap("the HLS input reads several renditions at once");
            return;
        }
        BytePointer buffer = new BytePointer(av_malloc(BUFFER_BYTES));
        if (buffer.isNull()) {
            if (segment) {
                openSegments--;
            }
            return;
        }
        AVIOContext wrapper = avio_alloc_context(buffer, BUFFER_BYTES, 0, inner.opaque(),
                (org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int) null,
                (org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int) null,
                (org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int) null);
        if (wrapper == null) {
            av_free(buffer);
            if (segment) {
                openSegments--;
            }
            return;
        }
        NativeMemory.at(wrapper.address() + readOffset, NativeMemory.POINTER_BYTES).set(JAVA_LONG, 0, readStub.address());
        NativeMemory.at(wrapper.address() + seekOffset, NativeMemory.POINTER_BYTES).set(JAVA_LONG, 0, seekStub.address());
        // Made without a read callback, the context took its buffer for data already read: empty it.
        wrapper.pos(0);
        wrapper.buf_ptr(buffer);
        wrapper.buf_end(buffer);
        wrapper.seekable(inner.seekable());
        Wrapped w = new Wrapped(inner, wrapper, segment);
        byOpaque.put(inner.opaque().address(), w);
        byWrapper.put(wrapper.address(), w);
        slot.set(JAVA_LONG, 0, wrapper.address());
        if (segment) {
            ByteTap seen = input.tap();
            if (seen != null) {
                try {
                    seen.segment(playlists.breaksOff(url));
                } catch (Throwable t) {
                    input.dropTap(t.toString());
                }
            }
        }
    }

    /** A wrapper's read_packet (an upcall): reads FFmpeg's, hands a segment's bytes to the tap. Never throws. */
    @SuppressWarnings("unused")
    private int read(MemorySegment opaque, MemorySegment buffer, int size) {
        Wrapped w = byOpaque.get(opaque.address());
        if (w == null) {
            return AVERROR_EOF;
        }
        int n = avio_read_partial(w.inner, into.at(buffer.address()), size);
        if (n == 0) {
            return AVERROR_EOF;
        }
        if (n < 0) {
            return n;
        }
        MemorySegment data = buffer.reinterpret(n);
        if (!w.segment) {
            if (w.playlist.size() + n <= MAX_PLAYLIST_BYTES) {
                w.playlist.write(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, n);
                // Read as it comes (its whole lines): the demuxer opens segments before it closes the input's own
                // playlist, which it reads first.
                byte[] text = w.playlist.toByteArray();
                int lines = text.length;
                while (lines > 0 && text[lines - 1] != '\n') {
                    lines--;
                }
                playlists.read(text, lines);
            }
            return n;
        }
        ByteTap seen = input.tap();
        if (seen != null) {
            try {
                seen.bytes(position, data);
            } catch (Throwable t) {
                input.dropTap(t.toString());
            }
        }
        position += n;
        return n;
    }

    /** A wrapper's seek (an upcall): FFmpeg's, with AVSEEK_SIZE answered by its size. Never throws. */
    @SuppressWarnings("unused")
    private long seek(MemorySegment opaque, long offset, int whence) {
        Wrapped w = byOpaque.get(opaque.address());
        if (w == null) {
            return -1;
        }
        if ((whence & AVSEEK_SIZE) != 0) {
            return avio_size(w.inner);
        }
        return avio_seek(w.inner, offset, whence & ~AVSEEK_FORCE);
    }

    /** The io_close2 hook (an upcall): frees a wrapper of ours and closes FFmpeg's context, else FFmpeg's. */
    @SuppressWarnings("unused")
    private int close(MemorySegment context, MemorySegment pb) {
        try {
            Wrapped w = byWrapper.remove(pb.address());
            if (w == null) {
                return (int) defaultIoClose.invokeExact(context, pb);
            }
            byOpaque.remove(w.inner.opaque().address());
            if (w.segment) {
                openSegments--;
            } else {
                playlists.read(w.playlist.toByteArray(), w.playlist.size());
            }
            av_free(w.wrapper.buffer());
            avio_context_free(w.wrapper);
            return (int) defaultIoClose.invokeExact(context, MemorySegment.ofAddress(w.inner.address()));
        } catch (Throwable t) {
            return -1;
        }
    }

    /** A byte pointer whose address is set per call, so that reads allocate nothing. */
    private static final class SegmentBuffer extends BytePointer {
        SegmentBuffer at(long address) {
            this.address = address;
            return this;
        }
    }

    /** A JavaCPP view of a native address FFmpeg handed over. */
    private static final class Raw extends Pointer {
        Raw(long address) {
            this.address = address;
        }
    }
}
