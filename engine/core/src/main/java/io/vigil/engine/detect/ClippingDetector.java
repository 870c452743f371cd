package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.engine.detect.spec.StatisticRead;
import io.vigil.kernels.AudioStats;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Clipping: a run of clip events. A clip event is a run of at least {@code minRun} consecutive samples of one sign
 * at or beyond {@code level} (a flattened peak: what astats' peak count and flat factor show). A run of clipping
 * lasts while the sliding 1 s window has at least {@code eventsPerSecond} events (counted over all channels), from
 * the first sample of its first event to its last clipped sample; it is raised, back-dated to its start, as soon as
 * one channel has had {@code minEvents} events in it: the delay is counted in flattened peaks, not in seconds, so a
 * half-second gain error is raised within its first cycles, while one over, or a few on one transient, never is.
 * One alarm for all channels together (a programme clips as a whole far more often than one channel alone); its
 * metrics say how many channels clipped. While the alarm waits out its clear delay, the next run that is raised
 * joins it: clipping that recurs on every loud phrase is one alarm. A square wave at full scale is clipped by this
 * definition, as it is by astats'; one below full scale is not.
 */
public final class ClippingDetector extends AlarmingDetector {
    public static final String NAME = "clipping";

    /**
     * Raised on the 5th clip event in one channel (3 consecutive samples within 0.01 dB of full scale: the classic
     * "over") of a run of events no more than 1 s apart; resolved 5 s after the last one.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 80)
                    .describe("audio clipping", """
                            a run of clip events (one lasts while every sliding 1 s window has at least
                            `eventsPerSecond` of them, counted over all channels, from the first clipped sample to
                            the last) reaches `minEvents` events in one channel: raised then, back-dated to its first
                            clipped sample. A clip event is a run of at least `minRun` consecutive samples of one
                            sign at or beyond `level` (a flattened peak, as astats' peak count and flat factor show
                            it; 3 samples at full scale is the classic "over"). The delay is counted in flattened
                            peaks, not seconds: a clipped waveform flattens every peak, two a cycle, so half a
                            second of gain error is raised within its first cycles, while an over on one transient
                            (one or two flattened peaks) or sparse overs seconds apart are not clipping (a true peak
                            over the ceiling is `loudness`'s). The clear delay (5 s, longer than a bar of music)
                            makes clipping that recurs on every loud phrase one alarm that stays up while it keeps
                            coming; the resolved event still ends at the last clipped sample. A square wave at full
                            scale is clipped by this definition (one below it is not). One alarm for all channels;
                            metrics `clippedSamples`, `clipEventsPerSecond`, `peakDbfs`, `clippedChannels`""")
                    .alarm(Severity.WARNING, 0.0, 5.0)
                    .raiseNote("`minEvents` clip events")
                    .parameter(ParamSpec.level("level", "-0.01dB", "smallest absolute sample value that counts as"
                            + " full scale"))
                    .parameter(ParamSpec.integer("minRun", 3, 1, 1000, "samples",
                            "fewest consecutive full-scale samples of one sign that make a clip event"))
                    .parameter(ParamSpec.number("eventsPerSecond", 1, 1, 10000, "",
                            "fewest clip events in every 1 s window, all channels together, for a run of clipping"
                                    + " to go on"))
                    .parameter(ParamSpec.integer("minEvents", 5, 1, 100000, "events",
                            "clip events in one channel that make a run of clipping an alarm")
                            .withNote("two and a half cycles of a clipped waveform, 10 to 50 ms of clipped music;"
                                    + " an over on one transient flattens one or two peaks"))
                    .reads(StatisticRead.of(Statistic.AUDIO_LEVELS)
                            .setting(StatisticParameter.CLIP_LEVEL, NAME, "level")
                            .setting(StatisticParameter.CLIP_MIN_RUN, NAME, "minRun"))
                    .factory(c -> new ClippingDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    static final double BIN_SECONDS = 0.1;
    static final double WINDOW_SECONDS = 1.0;
    private static final int KEPT_BINS = 30;
    private static final int EVENTS = 0;
    private static final int CLIPPED = 1;
    private static final int FIRST_EVENT = 2;
    private static final int PEAK = 3;
    /** Then one field per channel: its clip events. */
    private static final int CHANNEL_EVENTS = 4;

    private final double eventsPerWindow;
    private final int minEvents;
    private AudioBins bins = new AudioBins(BIN_SECONDS, CHANNEL_EVENTS, KEPT_BINS);
    /** Start of the current run of clipping; NaN between runs. */
    private double since = Double.NaN;
    /** Whether the current run has been raised. */
    private boolean raised;
    private long[] runEventsByChannel = new long[0];
    private double lastClipEnd = Double.NaN;
    private double[] lastClipByChannel = new double[0];
    // The current run's figures.
    private long runEvents;
    private long runClipped;
    private double runPeak;
    /**
     * What the metrics describe: the alarm's runs, kept after they end for the resolved event that the clear delay
     * holds back (the runs that ended, plus the current one once raised).
     */
    private double alarmStart = Double.NaN;
    private double alarmEnd = Double.NaN;
    private long endedEvents;
    private long endedClipped;
    private double endedPeak;

    public ClippingDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.eventsPerWindow = settings.number("eventsPerSecond") * WINDOW_SECONDS;
        this.minEvents = (int) Math.round(settings.number("minEvents"));
    }

    @Override
    public void onAudio(AudioStats s) {
        int channels = s.channels;
        if (lastClipByChannel.length != channels) {
            end();
            lastClipByChannel = new double[channels];
            Arrays.fill(lastClipByChannel, Double.NEGATIVE_INFINITY);
            runEventsByChannel = new long[channels];
            bins = new AudioBins(BIN_SECONDS, CHANNEL_EVENTS + channels, KEPT_BINS);
        }
        if (bins.begin(s)) {
            end();
        }
        int events = 0;
        long clipped = 0;
        double first = Double.POSITIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
            if (s.clipEvents[c] > 0) {
                events += s.clipEvents[c];
                bins.add(CHANNEL_EVENTS + c, s.clipEvents[c]);
                first = Math.min(first, s.secondsAt(s.clipStartOffset[c]));
            }
            if (s.clipEndOffset[c] >= 0) {
                clipped += s.clippedSamples[c];
                double end = s.secondsAt(s.clipEndOffset[c]);
                lastClipByChannel[c] = end;
                lastClipEnd = Double.isNaN(lastClipEnd) ? end : Math.max(lastClipEnd, end);
            }
        }
        if (events > 0) {
            boolean firstInBin = bins.openValue(EVENTS) == 0;
            bins.setOpen(FIRST_EVENT, firstInBin ? first : Math.min(first, bins.openValue(FIRST_EVENT)));
            bins.add(EVENTS, events);
        }
        bins.add(CLIPPED, clipped);
        if (clipped > 0) {
            bins.setOpen(PEAK, Math.max(bins.openValue(PEAK), s.maxPeak()));
        }
        if (!bins.closeIfFull()) {
            return;
        }
        // a full window once there is one; before that, what there is (fewer events can only start a run later)
        int window = bins.windowBins(WINDOW_SECONDS);
        if (window == 0) {
            window = bins.complete();
        }
        boolean clipping = bins.sum(EVENTS, window) >= eventsPerWindow && bins.sum(EVENTS, window) > 0;
        if (!clipping) {
            end();
            return;
        }
        if (Double.isNaN(since)) {
            // A run starts at the first event of the window that started it.
            Arrays.fill(runEventsByChannel, 0);
            for (int age = window - 1; age >= 0; age--) {
                if (bins.value(age, EVENTS) > 0 && Double.isNaN(since)) {
                    since = bins.value(age, FIRST_EVENT);
                    runEvents = 0;
                    runClipped = 0;
                    runPeak = 0;
                }
                if (!Double.isNaN(since)) {
                    joined(age);
                }
            }
        } else {
            joined(0);
        }
        if (!raised && busiestChannelEvents() >= minEvents) {
            raised = true;
            if (!alarm.firing()) {
                // a new alarm; otherwise this run joins the one still up
                alarmStart = since;
                endedEvents = 0;
                endedClipped = 0;
                endedPeak = 0;
            }
        }
        if (raised) {
            alarmEnd = lastClipEnd;
            alarm.hold(since, lastClipEnd);
        }
    }

    private long busiestChannelEvents() {
        long most = 0;
        for (long e : runEventsByChannel) {
            most = Math.max(most, e);
        }
        return most;
    }

    private void joined(int age) {
        for (int c = 0; c < runEventsByChannel.length; c++) {
            runEventsByChannel[c] += (long) bins.value(age, CHANNEL_EVENTS + c);
        }
        runEvents += (long) bins.value(age, EVENTS);
        runClipped += (long) bins.value(age, CLIPPED);
        runPeak = Math.max(runPeak, bins.value(age, PEAK));
    }

    /** The run stopped: it ended with the last clipped sample. */
    private void end() {
        if (!Double.isNaN(since) && raised) {
            endedEvents += runEvents;
            endedClipped += runClipped;
            endedPeak = Math.max(endedPeak, runPeak);
            alarm.clear(lastClipEnd);
        }
        since = Double.NaN;
        raised = false;
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        end();
        alarm.finish(audioEndSeconds);
    }

    /** Clip events of the alarm's runs. */
    private long events() {
        return endedEvents + (raised ? runEvents : 0);
    }

    private double eventsPerSecond() {
        double seconds = alarmEnd - alarmStart;
        return seconds > 0 ? events() / seconds : events();
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "audio clipping (%.0f events/s) for %.1f s", eventsPerSecond(), heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        int channels = 0;
        for (double t : lastClipByChannel) {
            if (t >= alarmStart) {
                channels++;
            }
        }
        out.put("clippedSamples", (double) (endedClipped + (raised ? runClipped : 0)));
        out.put("clipEventsPerSecond", eventsPerSecond());
        double peak = Math.max(endedPeak, raised ? runPeak : 0);
        out.put("peakDbfs", peak > 0 ? 20 * Math.log10(peak) : -120.0);
        out.put("clippedChannels", (double) channels);
    }
}
