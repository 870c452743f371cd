package io.vigil.ffi;

/**
 * The captions a video frame came with: CEA-608/708 triplets from its A/53 side data (this frame's only), and the
 * DVB subtitle and teletext packets the input has demuxed so far (cumulative: those that came since the last frame
 * came with this one, whatever time they are stamped with).
 * A reusable holder, filled by the decoder beside the picture and copied with it; nothing here is read from pixels.
 */
public final class CaptionCounts {
    /** cc_data triplets of this frame that are valid and carry data (padding left out), by kind. */
    public int cea608Field1;
    public int cea608Field2;
    /** CEA-708 (DTVCC) packet data and packet starts. */
    public int dtvcc;
    /** Bit {@code n} set: this frame's DTVCC data completed a service block of service {@code n} (1..63). */
    public long dtvccServices;

    /** DVB subtitle and teletext packets the input has demuxed so far (a reopened input counts from 0 again). */
    public long dvbSubtitlePackets;
    public long teletextPackets;

    /** Whether this frame carried caption data in its side data. */
    public boolean anyInFrame() {
        return cea608Field1 + cea608Field2 + dtvcc > 0;
    }

    /** Forgets this frame's side-data counts (the cumulative packet counts stay). */
    void clearFrame() {
        cea608Field1 = 0;
        cea608Field2 = 0;
        dtvcc = 0;
        dtvccServices = 0;
    }

    public void copyFrom(CaptionCounts other) {
        cea608Field1 = other.cea608Field1;
        cea608Field2 = other.cea608Field2;
        dtvcc = other.dtvcc;
        dtvccServices = other.dtvccServices;
        dvbSubtitlePackets = other.dvbSubtitlePackets;
        teletextPackets = other.teletextPackets;
    }
}
