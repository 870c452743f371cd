package io.vigil.kernels.cuda;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The two records the host and the kernels exchange, laid out exactly as the C structs {@code VigilFrameDesc} and
 * {@code VigilFrameResult} in kernels/src/main/cuda/vigil_stats.h (a test compiles that header and compares every
 * field's offset and size). Field names are the C names. VarHandles take (segment, byte offset of the record,
 * [plane index,] value).
 */
final class FrameRecords {
    /** VIGIL_MAX_PLANES. */
    static final int MAX_PLANES = 3;
    /** VIGIL_BLOCK_THREADS: threads per block of vigil_frame_stats, fixed by its launch bounds. */
    static final int BLOCK_THREADS = 256;
    /** VIGIL_INIT_THREADS: threads per block of vigil_stats_init. */
    static final int INIT_THREADS = 128;
    static final int WARP_SIZE = 32;

    static final StructLayout DESCRIPTOR = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_LONG).withName("plane"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_LONG).withName("ref"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_INT).withName("pitch"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_INT).withName("refPitch"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_INT).withName("width"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_INT).withName("height"),
            JAVA_INT.withName("planeCount"),
            JAVA_INT.withName("bytesPerSample"),
            JAVA_INT.withName("shift"),
            JAVA_INT.withName("blackThreshold"),
            JAVA_INT.withName("brngLow"),
            JAVA_INT.withName("brngLumaHigh"),
            JAVA_INT.withName("brngChromaHigh"),
            JAVA_INT.withName("chromaShape"),
            JAVA_INT.withName("letterbox"),
            JAVA_INT.withName("letterboxLimit"),
            JAVA_INT.withName("blockiness"),
            JAVA_INT.withName("blockAlpha"),
            JAVA_INT.withName("blur"),
            JAVA_INT.withName("colorBars"),
            JAVA_INT.withName("bitDepth"),
            JAVA_INT.withName("blockPeaks"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_LONG).withName("anchor"),
            JAVA_LONG.withName("peakSadAbove"),
            JAVA_LONG.withName("peakSadAtMost"),
            MemoryLayout.sequenceLayout(MAX_PLANES, JAVA_INT).withName("anchorPitch"),
            JAVA_INT.withName("reserved")).withName("VigilFrameDesc");

    static final StructLayout RESULT = MemoryLayout.structLayout(
            JAVA_LONG.withName("darkCount"),
            JAVA_LONG.withName("lumaSum"),
            JAVA_LONG.withName("sad"),
            JAVA_LONG.withName("samples"),
            JAVA_INT.withName("lumaMin"),
            JAVA_INT.withName("lumaMax"),
            JAVA_LONG.withName("brngCount"),
            JAVA_INT.withName("barTop"),
            JAVA_INT.withName("barBottom"),
            JAVA_INT.withName("barLeft"),
            JAVA_INT.withName("barRight"),
            JAVA_LONG.withName("blockBoundarySum"),
            JAVA_LONG.withName("blockBoundaryCount"),
            JAVA_LONG.withName("blockInnerSum"),
            JAVA_LONG.withName("blockInnerCount"),
            JAVA_LONG.withName("blurWidthSum"),
            JAVA_INT.withName("blurEdgeCount"),
            JAVA_INT.withName("blurLines"),
            JAVA_INT.withName("flatSteps"),
            JAVA_INT.withName("edgeSteps"),
            JAVA_INT.withName("steps"),
            JAVA_INT.withName("barsMatched"),
            JAVA_DOUBLE.withName("referenceBlockPeak"),
            JAVA_DOUBLE.withName("anchorBlockPeak"),
            JAVA_LONG.withName("anchorSad"),
            JAVA_INT.withName("blockPeaksMeasured"),
            JAVA_INT.withName("reserved")).withName("VigilFrameResult");

    static final long DESCRIPTOR_BYTES = DESCRIPTOR.byteSize();
    static final long RESULT_BYTES = RESULT.byteSize();

    static final VarHandle PLANE = planeHandle("plane");
    static final VarHandle REF = planeHandle("ref");
    static final VarHandle PITCH = planeHandle("pitch");
    static final VarHandle REF_PITCH = planeHandle("refPitch");
    static final VarHandle WIDTH = planeHandle("width");
    static final VarHandle HEIGHT = planeHandle("height");
    static final VarHandle PLANE_COUNT = DESCRIPTOR.varHandle(groupElement("planeCount"));
    static final VarHandle BYTES_PER_SAMPLE = DESCRIPTOR.varHandle(groupElement("bytesPerSample"));
    static final VarHandle SHIFT = DESCRIPTOR.varHandle(groupElement("shift"));
    static final VarHandle BLACK_THRESHOLD = DESCRIPTOR.varHandle(groupElement("blackThreshold"));
    static final VarHandle BRNG_LOW = DESCRIPTOR.varHandle(groupElement("brngLow"));
    static final VarHandle BRNG_LUMA_HIGH = DESCRIPTOR.varHandle(groupElement("brngLumaHigh"));
    static final VarHandle BRNG_CHROMA_HIGH = DESCRIPTOR.varHandle(groupElement("brngChromaHigh"));
    static final VarHandle CHROMA_SHAPE = DESCRIPTOR.varHandle(groupElement("chromaShape"));
    static final VarHandle LETTERBOX = DESCRIPTOR.varHandle(groupElement("letterbox"));
    static final VarHandle LETTERBOX_LIMIT = DESCRIPTOR.varHandle(groupElement("letterboxLimit"));
    static final VarHandle BLOCKINESS = DESCRIPTOR.varHandle(groupElement("blockiness"));
    static final VarHandle BLOCK_ALPHA = DESCRIPTOR.varHandle(groupElement("blockAlpha"));
    static final VarHandle BLUR = DESCRIPTOR.varHandle(groupElement("blur"));
    static final VarHandle COLOR_BARS = DESCRIPTOR.varHandle(groupElement("colorBars"));
    static final VarHandle BIT_DEPTH = DESCRIPTOR.varHandle(groupElement("bitDepth"));
    static final VarHandle BLOCK_PEAKS = DESCRIPTOR.varHandle(groupElement("blockPeaks"));
    static final VarHandle ANCHOR = planeHandle("anchor");
    static final VarHandle PEAK_SAD_ABOVE = DESCRIPTOR.varHandle(groupElement("peakSadAbove"));
    static final VarHandle PEAK_SAD_AT_MOST = DESCRIPTOR.varHandle(groupElement("peakSadAtMost"));
    static final VarHandle ANCHOR_PITCH = planeHandle("anchorPitch");
    static final VarHandle RESERVED = DESCRIPTOR.varHandle(groupElement("reserved"));

    static final VarHandle DARK_COUNT = RESULT.varHandle(groupElement("darkCount"));
    static final VarHandle LUMA_SUM = RESULT.varHandle(groupElement("lumaSum"));
    static final VarHandle SAD = RESULT.varHandle(groupElement("sad"));
    static final VarHandle SAMPLES = RESULT.varHandle(groupElement("samples"));
    static final VarHandle LUMA_MIN = RESULT.varHandle(groupElement("lumaMin"));
    static final VarHandle LUMA_MAX = RESULT.varHandle(groupElement("lumaMax"));
    static final VarHandle BRNG_COUNT = RESULT.varHandle(groupElement("brngCount"));
    static final VarHandle BAR_TOP = RESULT.varHandle(groupElement("barTop"));
    static final VarHandle BAR_BOTTOM = RESULT.varHandle(groupElement("barBottom"));
    static final VarHandle BAR_LEFT = RESULT.varHandle(groupElement("barLeft"));
    static final VarHandle BAR_RIGHT = RESULT.varHandle(groupElement("barRight"));
    static final VarHandle BLOCK_BOUNDARY_SUM = RESULT.varHandle(groupElement("blockBoundarySum"));
    static final VarHandle BLOCK_BOUNDARY_COUNT = RESULT.varHandle(groupElement("blockBoundaryCount"));
    static final VarHandle BLOCK_INNER_SUM = RESULT.varHandle(groupElement("blockInnerSum"));
    static final VarHandle BLOCK_INNER_COUNT = RESULT.varHandle(groupElement("blockInnerCount"));
    static final VarHandle BLUR_WIDTH_SUM = RESULT.varHandle(groupElement("blurWidthSum"));
    static final VarHandle BLUR_EDGE_COUNT = RESULT.varHandle(groupElement("blurEdgeCount"));
    static final VarHandle BLUR_LINES = RESULT.varHandle(groupElement("blurLines"));
    static final VarHandle FLAT_STEPS = RESULT.varHandle(groupElement("flatSteps"));
    static final VarHandle EDGE_STEPS = RESULT.varHandle(groupElement("edgeSteps"));
    static final VarHandle STEPS = RESULT.varHandle(groupElement("steps"));
    static final VarHandle BARS_MATCHED = RESULT.varHandle(groupElement("barsMatched"));
    static final VarHandle REFERENCE_BLOCK_PEAK = RESULT.varHandle(groupElement("referenceBlockPeak"));
    static final VarHandle ANCHOR_BLOCK_PEAK = RESULT.varHandle(groupElement("anchorBlockPeak"));
    static final VarHandle ANCHOR_SAD = RESULT.varHandle(groupElement("anchorSad"));
    static final VarHandle BLOCK_PEAKS_MEASURED = RESULT.varHandle(groupElement("blockPeaksMeasured"));

    private FrameRecords() {
    }

    private static VarHandle planeHandle(String name) {
        return DESCRIPTOR.varHandle(groupElement(name), sequenceElement());
    }
}
