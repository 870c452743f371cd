package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmLabel;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.transport.SpliceInfo;
import io.vigil.engine.transport.TransportFeed;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SCTE-35 markers missing (the contract's "missing in-band data"), from the cues {@code tr101290} reads on the
 * transport stream: with {@code required}, a channel that carried no splice_info for {@code missingMinutes} of media
 * (check {@code no_splice_info}); and a break that never ends, an out (a splice_insert out of the network, or a
 * segmentation start) with a duration whose in (the same event id, or an in without one) has not come
 * {@code graceSeconds} after its duration (check {@code out_without_in}). Judges only a transport stream that
 * {@code tr101290} reads (it needs that detector); quiet on other inputs.
 */
public final class Scte35Detector implements Detector {
    public static final String NAME = "scte35";

    /**
     * Off by default: only some channels carry markers. 30 minutes: a commercial channel has a break every 10 to 20
     * minutes, so half an hour without a cue means the inserter or the path that carries its cues is gone (a channel
     * with long stretches without breaks, overnight, wants more). 10 s of grace: a splicer returns on the next frame
     * or GOP after the break's end, and an in cue is sent a few seconds ahead.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 46)
                    .describe("SCTE-35 markers missing", """
                            with `required`, a channel whose transport stream carried no SCTE-35 splice_info (a cue
                            with a good CRC, on a PID the PMT declares with stream_type 0x86) for `missingMinutes`
                            of media (`check: "no_splice_info"`, from the last cue or the first frame, resolved at
                            the next cue); and an out (splice_insert out of the network, or a segmentation start)
                            with a duration whose in (same event id, or one without) has not come `graceSeconds`
                            after the duration ran out (`check: "out_without_in"`, from the out's splice time,
                            resolved by its in, a cancel or the next out). Reads the cues `tr101290` reads, so it
                            needs that detector; quiet on inputs that are not transport streams. Metrics `cues`,
                            `minutesSinceCue`, `outDurationSeconds`""")
                    .alarm(Severity.WARNING, 0.0, 0.0)
                    .offByDefault()
                    .parameter(ParamSpec.flag("required", false, "raise `no_splice_info` when the channel carries"
                            + " no cue for `missingMinutes`"))
                    .parameter(ParamSpec.number("missingMinutes", 30, 0.1, 1440, "min", "media without a cue that"
                            + " makes `no_splice_info`, with `required`")
                            .withNote("a break every 10 to 20 minutes on a commercial channel"))
                    .parameter(ParamSpec.seconds("graceSeconds", 10, "how long after an out's duration ran out its"
                            + " in may still come"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new Scte35Detector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final boolean required;
    private final double missingSeconds;
    private final double graceSeconds;
    private final Alarm missing;
    private final Alarm unmatched;
    /** The transport stream's feed, when tr101290 reads one: judged only once it has read packets. */
    private TransportFeed feed;
    private double nowSeconds = Double.NaN;
    private double lastCueSeconds = Double.NaN;
    private long cues;
    /** Outs waiting for their in: event id (-1: none), splice time, and when the in is due at the latest. */
    private final List<Out> outs = new ArrayList<>();
    private Out overdue;

    private record Out(long eventId, double startSeconds, double durationSeconds, double dueSeconds) {
    }

    public Scte35Detector(DetectorSettings settings, AlarmTracker tracker) {
        this.required = settings.flag("required");
        this.missingSeconds = settings.number("missingMinutes") * 60;
        this.graceSeconds = settings.number("graceSeconds");
        this.missing = tracker.register(NAME, null, new AlarmLabel("no_splice_info", null, null), settings.severity(),
                settings.durationSeconds(), settings.clearDelaySeconds(), new Subject(true));
        this.unmatched = tracker.register(NAME, null, new AlarmLabel("out_without_in", null, null),
                settings.severity(), settings.durationSeconds(), settings.clearDelaySeconds(), new Subject(false));
    }

    /** The feed of the transport stream this detector's cues come from (tr101290's). */
    public void watching(TransportFeed transportFeed) {
        this.feed = transportFeed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onVideo(FrameStats stats) {
        advance(stats.ptsSeconds);
    }

    @Override
    public void onAudio(AudioStats stats) {
        advance(stats.ptsSeconds);
    }

    /** A cue that arrived at {@code mediaSeconds}, splicing at {@code spliceSeconds} (NaN: now). */
    public void cue(SpliceInfo cue, double mediaSeconds, double spliceSeconds) {
        cues++;
        lastCueSeconds = Double.isNaN(lastCueSeconds) ? mediaSeconds : Math.max(lastCueSeconds, mediaSeconds);
        missing.clear(mediaSeconds);
        double at = Double.isNaN(spliceSeconds) ? mediaSeconds : spliceSeconds;
        if (cue.cancel()) {
            outs.removeIf(o -> o.eventId == cue.eventId());
            endOverdue(cue.eventId(), mediaSeconds);
        } else if (Boolean.TRUE.equals(cue.out())) {
            // A new break: the one overdue before it is over, whatever became of it.
            endOverdue(-1, mediaSeconds);
            if (cue.durationTicks() > 0) {
                double duration = cue.durationTicks() / 90_000.0;
                outs.add(new Out(cue.eventId(), at, duration, at + duration + graceSeconds));
            }
        } else if (Boolean.FALSE.equals(cue.out())) {
            Iterator<Out> it = outs.iterator();
            while (it.hasNext()) {
                Out o = it.next();
                if (cue.eventId() < 0 || o.eventId < 0 || o.eventId == cue.eventId()) {
                    it.remove();
                }
            }
            endOverdue(cue.eventId(), mediaSeconds);
        }
    }

    private void endOverdue(long eventId, double atSeconds) {
        if (overdue != null && (eventId < 0 || overdue.eventId < 0 || overdue.eventId == eventId)) {
            overdue = null;
            unmatched.clear(atSeconds);
        }
    }

    private void advance(double mediaSeconds) {
        nowSeconds = Double.isNaN(nowSeconds) ? mediaSeconds : Math.max(nowSeconds, mediaSeconds);
        if (feed == null || feed.packets() == 0) {
            return;
        }
        if (Double.isNaN(lastCueSeconds)) {
            // Counted from the first frame of a transport stream.
            lastCueSeconds = nowSeconds;
        }
        if (required && nowSeconds - lastCueSeconds >= missingSeconds) {
            missing.hold(lastCueSeconds, nowSeconds);
        }
        for (Iterator<Out> it = outs.iterator(); it.hasNext(); ) {
            Out o = it.next();
            if (nowSeconds > o.dueSeconds) {
                it.remove();
                overdue = o;
            }
        }
        if (overdue != null) {
            unmatched.hold(overdue.startSeconds, nowSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        double end = Math.max(Double.isNaN(lastVideoSeconds) ? 0 : lastVideoSeconds,
                Double.isNaN(audioEndSeconds) ? 0 : audioEndSeconds);
        missing.finish(end);
        unmatched.finish(end);
    }

    /** What one of the two alarms says. */
    private final class Subject implements AlarmSubject {
        private final boolean missingCues;

        Subject(boolean missingCues) {
            this.missingCues = missingCues;
        }

        @Override
        public String summary(double heldSeconds) {
            if (missingCues) {
                return String.format(Locale.ROOT, "no SCTE-35 cue for %.1f min", heldSeconds / 60);
            }
            Out o = overdue;
            return o == null ? String.format(Locale.ROOT, "a break without its in for %.1f s", heldSeconds)
                    : String.format(Locale.ROOT, "a %.1f s break%s without its in after %.1f s", o.durationSeconds,
                            o.eventId < 0 ? "" : " (event " + o.eventId + ")", heldSeconds);
        }

        @Override
        public void metrics(Map<String, Double> out) {
            out.put("cues", (double) cues);
            if (missingCues) {
                out.put("minutesSinceCue", Double.isNaN(lastCueSeconds) ? 0 : (nowSeconds - lastCueSeconds) / 60);
            } else if (overdue != null) {
                out.put("outDurationSeconds", overdue.durationSeconds);
            }
        }
    }
}
