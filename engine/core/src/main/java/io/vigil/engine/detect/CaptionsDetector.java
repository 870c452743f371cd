package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.ffi.CaptionCounts;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * Captions gone: a channel that carried captions carries none for the raise delay, or (with {@code required}) a
 * channel has carried none since it began. Captions are CEA-608 (field 1 or 2) and CEA-708 (DTVCC) data in the
 * pictures' A/53 user data, counted by triplets that are valid and carry data, not by the side data's presence (an
 * encoder whose captions are off still sends padding), and the packets of DVB subtitle and teletext streams the PMT
 * names. Any kind resets the wait. The alarm starts where the last caption data ended and resolves at the next.
 */
public final class CaptionsDetector extends AlarmingDetector {
    public static final String NAME = "captions";

    /**
     * On by default and quiet on channels that never carried captions, unless `required`. 30 s: captions stop between
     * sentences (608 pop-on captions are sent once per caption, padding in between), so a pause in dialogue must not
     * raise it; a caption encoder or inserter that failed stays silent for minutes.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 125)
                    .describe("captions missing", """
                            a channel that carried captions carries none for the raise delay: CEA-608 (field 1 or
                            2) or CEA-708 (DTVCC) data in the pictures' A/53 user data (H.264, HEVC, MPEG-2),
                            counted by cc_data triplets that are valid and carry data (the padding an encoder sends
                            while captions are off is none), or packets of a DVB subtitle or teletext stream. With
                            `required`, a channel that has carried none since it began is raised too, from its first
                            frame. Starts where the last caption data ended, resolves when captions come back.
                            Quiet on channels without captions unless `required`. The raise delay is 30 s because
                            captions pause between sentences (pop-on captions are sent once each, padding in
                            between); a failed caption encoder or inserter is silent for minutes. Metrics `lastCea608Field1`,
                            `lastCea608Field2`, `lastDtvcc`, `lastDvbSubtitle`, `lastTeletext` (media time each kind
                            was last seen, when it was), `dtvccServices` (bit n: service n seen), `silentSeconds`""")
                    .alarm(Severity.ERROR, 30.0, 0.0)
                    .parameter(ParamSpec.flag("required", false,
                            "raise it also when the channel has carried no captions at all for the raise delay"
                                    + " since it began"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .factory(c -> new CaptionsDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final boolean required;
    private double firstFrameSeconds = Double.NaN;
    /** Where the last caption data ended; NaN before any. */
    private double captionsEndSeconds = Double.NaN;
    private long dvbSubtitlePackets;
    private long teletextPackets;
    private double lastCea608Field1 = Double.NaN;
    private double lastCea608Field2 = Double.NaN;
    private double lastDtvcc = Double.NaN;
    private double lastDvbSubtitle = Double.NaN;
    private double lastTeletext = Double.NaN;
    private long dtvccServices;
    /** The silent run held last: from where captions ended (or the first frame) to the last frame without any. */
    private double silentFromSeconds = Double.NaN;
    private double silentUntilSeconds = Double.NaN;

    public CaptionsDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.required = settings.flag("required");
    }

    @Override
    public void onInputStart() {
        // A reopened input counts its subtitle packets from 0 again.
        dvbSubtitlePackets = 0;
        teletextPackets = 0;
    }

    @Override
    public void onVideo(FrameStats s) {
        if (Double.isNaN(firstFrameSeconds)) {
            firstFrameSeconds = s.ptsSeconds;
        }
        CaptionCounts c = s.captions;
        boolean seen = false;
        if (c.cea608Field1 > 0) {
            lastCea608Field1 = s.ptsSeconds;
            seen = true;
        }
        if (c.cea608Field2 > 0) {
            lastCea608Field2 = s.ptsSeconds;
            seen = true;
        }
        if (c.dtvcc > 0) {
            lastDtvcc = s.ptsSeconds;
            dtvccServices |= c.dtvccServices;
            seen = true;
        }
        if (c.dvbSubtitlePackets > dvbSubtitlePackets) {
            dvbSubtitlePackets = c.dvbSubtitlePackets;
            lastDvbSubtitle = s.ptsSeconds;
            seen = true;
        }
        if (c.teletextPackets > teletextPackets) {
            teletextPackets = c.teletextPackets;
            lastTeletext = s.ptsSeconds;
            seen = true;
        }
        if (seen) {
            captionsEndSeconds = s.endSeconds();
            alarm.clear(s.ptsSeconds);
        } else if (!Double.isNaN(captionsEndSeconds)) {
            silent(captionsEndSeconds, s.endSeconds());
        } else if (required) {
            silent(firstFrameSeconds, s.endSeconds());
        }
    }

    private void silent(double fromSeconds, double untilSeconds) {
        silentFromSeconds = fromSeconds;
        silentUntilSeconds = untilSeconds;
        alarm.hold(fromSeconds, untilSeconds);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastVideoSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        if (Double.isNaN(captionsEndSeconds)) {
            return String.format(Locale.ROOT, "no captions for %.1f s since the channel began (captions required)",
                    heldSeconds);
        }
        return String.format(Locale.ROOT, "no captions for %.1f s (%s were there before)", heldSeconds, kindsSeen());
    }

    private String kindsSeen() {
        StringBuilder kinds = new StringBuilder();
        append(kinds, lastCea608Field1, "CEA-608 field 1");
        append(kinds, lastCea608Field2, "CEA-608 field 2");
        append(kinds, lastDtvcc, "CEA-708");
        append(kinds, lastDvbSubtitle, "DVB subtitles");
        append(kinds, lastTeletext, "teletext");
        return kinds.toString();
    }

    private static void append(StringBuilder kinds, double lastSeen, String kind) {
        if (!Double.isNaN(lastSeen)) {
            kinds.append(kinds.isEmpty() ? "" : ", ").append(kind);
        }
    }

    @Override
    public void metrics(Map<String, Double> out) {
        put(out, "lastCea608Field1", lastCea608Field1);
        put(out, "lastCea608Field2", lastCea608Field2);
        put(out, "lastDtvcc", lastDtvcc);
        put(out, "lastDvbSubtitle", lastDvbSubtitle);
        put(out, "lastTeletext", lastTeletext);
        if (dtvccServices != 0) {
            out.put("dtvccServices", (double) dtvccServices);
        }
        if (!Double.isNaN(silentFromSeconds)) {
            out.put("silentSeconds", silentUntilSeconds - silentFromSeconds);
        }
    }

    private static void put(Map<String, Double> out, String key, double value) {
        if (!Double.isNaN(value)) {
            out.put(key, value);
        }
    }
}
