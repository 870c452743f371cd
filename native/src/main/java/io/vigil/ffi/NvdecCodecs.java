package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avcodec.av_codec_is_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.av_codec_iterate;

import java.util.List;
import java.util.TreeSet;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The codecs this FFmpeg build can decode into CUDA memory (NVDEC through a CUDA device context). The separate
 * {@code *_cuvid} decoders are left out: vigil uses FFmpeg's own decoders with the NVDEC hwaccel.
 */
public final class NvdecCodecs {
    private NvdecCodecs() {
    }

    /** Codec names, sorted; empty when FFmpeg was built without CUDA. */
    public static List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        try (PointerPointer<Pointer> opaque = new PointerPointer<>(1)) {
            opaque.zero();
            for (AVCodec c = av_codec_iterate(opaque); c != null; c = av_codec_iterate(opaque)) {
                String name = c.name().getString();
                if (av_codec_is_decoder(c) != 0 && !name.endsWith("_cuvid") && MediaInput.hasCudaDecoder(c)) {
                    names.add(name);
                }
            }
        }
        return List.copyOf(names);
    }
}
