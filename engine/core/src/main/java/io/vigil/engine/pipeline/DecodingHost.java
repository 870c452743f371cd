package io.vigil.engine.pipeline;

import io.vigil.ffi.HostProbe;
import io.vigil.ffi.NvdecCodecs;
import java.util.ArrayList;
import java.util.List;

/** What this host offers the pipeline, for {@code vigil doctor}: the runtime, the FFmpeg build, the GPUs, NVDEC. */
public final class DecodingHost {
    private DecodingHost() {
    }

    /** One line per fact, for people; never throws (what is missing is said in its line). */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>(HostProbe.probe().lines());
        lines.add("NVDEC:    FFmpeg decodes these codecs into CUDA memory: " + String.join(", ", NvdecCodecs.names())
                + " (a stream whose profile or size NVDEC refuses is decoded on the CPU, and analyze says so)");
        return lines;
    }
}
