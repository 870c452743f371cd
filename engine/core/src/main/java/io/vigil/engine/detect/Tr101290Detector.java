package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmLabel;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.transport.SpliceInfo;
import io.vigil.engine.transport.TransportFeed;
import io.vigil.engine.transport.TsCheck;
import io.vigil.engine.transport.TsLimits;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ETSI TR 101 290 priority 1 and 2 on an MPEG transport stream, read from the input's bytes before the demuxer (the
 * pipeline feeds its {@link TransportFeed}): one alarm per check and PID, so a burst of continuity errors is one
 * alarm. A run of occurrences holds the alarm; {@code quietSeconds} of media without another ends the run, and the
 * clear delay resolves it. A table or PID that stays missing is told again each interval its check allows (a PID
 * silent for good, every {@code pidSilenceSeconds}), so such a check's run lasts that interval longer: one alarm
 * while the PID is silent, not one every 5 s. SCTE-35 cues on the PIDs the PMT declares go out as {@code marker} events. Inputs that
 * are not transport streams, or not one byte stream (RTP, RTSP), raise nothing; HLS's TS segments are read one after
 * the other as one stream.
 */
public final class Tr101290Detector implements Detector, TransportFeed.Sink {
    public static final String NAME = "tr101290";

    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 45)
                    .describe("transport stream errors (ETSI TR 101 290 priority 1 and 2)", """
                            an MPEG-TS input breaks one of TR 101 290's priority 1 checks (TS_sync_loss,
                            Sync_byte_error, PAT_error, Continuity_count_error, PMT_error, PID_error) or priority 2
                            checks (Transport_error, CRC_error, PCR_repetition_error,
                            PCR_discontinuity_indicator_error, PTS_error), read from the input's bytes before the
                            demuxer (files, UDP, SRT, TCP, HTTP, HLS TS segments, RTP of MPEG-TS; not RTSP). One
                            alarm per
                            check and PID
                            (`check`, `priority`, `pid` in the event; none for the multiplex-wide sync checks),
                            ended by `quietSeconds` without another occurrence (PAT, PMT and PID_error: that plus
                            their interval, as a table or PID that stays missing is told again each interval, so
                            one alarm lasts while it is missing). Timed limits in seconds of the
                            multiplex's own clock. Counts per check and PID go in the summary's `transport`; on
                            UDP, datagrams this host dropped before reading them are counted there as `ingestDrops`,
                            on RTP, packets lost before this host (sequence gaps) as `rtpLost`, and raise nothing. SCTE-35 cues (stream_type 0x86) are `marker` events. Metrics
                            `errors`, `priority`""")
                    .alarm(Severity.ERROR, 0.0, 2.0)
                    .parameter(ParamSpec.seconds("patIntervalSeconds", 0.5, "longest gap between two PATs"))
                    .parameter(ParamSpec.seconds("pmtIntervalSeconds", 0.5, "longest gap between two PMTs of a"
                            + " programme"))
                    .parameter(ParamSpec.seconds("pcrIntervalSeconds", 0.1, "longest gap between two PCRs"))
                    .parameter(ParamSpec.seconds("pcrJumpSeconds", 0.1, "how far a PCR may stray, without its"
                            + " discontinuity_indicator, from where the bytes since the previous one put it"))
                    .parameter(ParamSpec.seconds("ptsIntervalSeconds", 0.7, "longest gap between two PTSs of an"
                            + " elementary stream that sends all the time (not subtitles or teletext)"))
                    .parameter(ParamSpec.seconds("pidSilenceSeconds", 5, "longest silence of a PID the PMT names"
                            + " that sends all the time (video, audio; not SCTE-35, subtitles, teletext or other data"
                            + " sent now and then)")
                            .withNote("TR 101 290 leaves it to the user"))
                    .parameter(ParamSpec.seconds("quietSeconds", 1, "media without another occurrence that ends"
                            + " a run of one check on one PID"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new Tr101290Detector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final DetectorSettings settings;
    private final AlarmTracker tracker;
    private final TransportFeed feed;
    private final double quietSeconds;
    private final TsLimits limits;
    private final Map<Long, Run> runs = new HashMap<>();
    private final java.util.List<CueListener> cueListeners = new java.util.ArrayList<>();
    private double nowSeconds;

    public Tr101290Detector(DetectorSettings settings, AlarmTracker tracker) {
        this.settings = settings;
        this.tracker = tracker;
        this.quietSeconds = settings.number("quietSeconds");
        this.limits = new TsLimits(settings.number("patIntervalSeconds"),
                settings.number("pmtIntervalSeconds"), settings.number("pcrIntervalSeconds"),
                settings.number("pcrJumpSeconds"), settings.number("ptsIntervalSeconds"),
                settings.number("pidSilenceSeconds"));
        this.feed = new TransportFeed(limits);
    }

    /** Hears every SCTE-35 cue as it goes out as a marker event ({@code scte35}). */
    public interface CueListener {
        void cue(SpliceInfo cue, double mediaSeconds, double spliceSeconds);
    }

    /** Adds {@code listener} to those that hear each cue. */
    public void listen(CueListener listener) {
        cueListeners.add(listener);
    }

    /** What the pipeline feeds from the input's bytes. */
    public TransportFeed feed() {
        return feed;
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

    @Override
    public void onIdle(long nowNanos) {
        feed.drain(this);
    }

    private void advance(double mediaSeconds) {
        nowSeconds = Math.max(nowSeconds, mediaSeconds);
        feed.drain(this);
        for (Run run : runs.values()) {
            if (run.active && nowSeconds - run.lastSeconds > quietSeconds + repeatSeconds(run.check)) {
                run.active = false;
                run.alarm.clear(run.lastSeconds);
            }
        }
    }

    /** How often the analyser tells {@code check} again while what it misses stays missing; 0: it does not. */
    private double repeatSeconds(TsCheck check) {
        return switch (check) {
            case PAT_ERROR -> limits.patIntervalSeconds();
            case PMT_ERROR -> limits.pmtIntervalSeconds();
            case PID_ERROR -> limits.pidSilenceSeconds();
            default -> 0;
        };
    }

    @Override
    public void error(TsCheck check, int pid, double mediaSeconds) {
        long key = ((long) check.ordinal() << 16) | (pid & 0xFFFF);
        Run run = runs.computeIfAbsent(key, k -> new Run(check, pid));
        double at = Math.max(mediaSeconds, run.active ? run.sinceSeconds : mediaSeconds);
        if (!run.active) {
            run.active = true;
            run.sinceSeconds = at;
            run.errors = 0;
        }
        run.errors++;
        run.lastSeconds = at;
        run.alarm.hold(run.sinceSeconds, at);
    }

    @Override
    public void splice(SpliceInfo cue, int pid, double mediaSeconds, double spliceSeconds) {
        double start = Double.isNaN(spliceSeconds) ? mediaSeconds : spliceSeconds;
        tracker.marker(new Event.Marker(tracker.stream(), "scte35", pid, cue.command(),
                cue.out() == null ? null : cue.out() ? "out" : "in", AlarmTracker.round(start),
                cue.ptsTicks() >= 0 ? cue.ptsTicks() : null,
                cue.durationTicks() >= 0 ? AlarmTracker.round(cue.durationTicks() / 90_000.0) : null,
                cue.eventId() >= 0 ? cue.eventId() : null, cue.cancel() ? Boolean.TRUE : null,
                cue.segmentationType() >= 0 ? cue.segmentationType() : null,
                cue.upidType() >= 0 ? cue.upidType() : null, cue.upid(), tracker.wallText(start)));
        for (CueListener listener : cueListeners) {
            listener.cue(cue, mediaSeconds, spliceSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        double end = Math.max(Double.isNaN(lastVideoSeconds) ? 0 : lastVideoSeconds,
                Double.isNaN(audioEndSeconds) ? 0 : audioEndSeconds);
        feed.drain(this);
        for (Run run : runs.values()) {
            run.active = false;
            run.alarm.finish(Math.max(end, run.lastSeconds));
        }
    }

    /** One check on one PID: its alarm, and the run of occurrences now holding it. */
    private final class Run implements AlarmSubject {
        final TsCheck check;
        final int pid;
        final Alarm alarm;
        boolean active;
        double sinceSeconds;
        double lastSeconds;
        long errors;

        Run(TsCheck check, int pid) {
            this.check = check;
            this.pid = pid;
            this.alarm = tracker.register(NAME, null, new AlarmLabel(check.standardName(), check.priority(),
                    pid < 0 ? null : pid), settings.severity(), settings.durationSeconds(),
                    settings.clearDelaySeconds(), this);
        }

        @Override
        public String summary(double heldSeconds) {
            return String.format(Locale.ROOT, "%s%s: %d in %.1f s", check.standardName(),
                    pid < 0 ? "" : " on PID " + pid, errors, heldSeconds);
        }

        @Override
        public void metrics(Map<String, Double> out) {
            out.put("errors", (double) errors);
            out.put("priority", (double) check.priority());
        }
    }
}
