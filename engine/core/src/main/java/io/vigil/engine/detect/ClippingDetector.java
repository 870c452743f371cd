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
 * Clipping that keeps happening. A clip event is a run of at least {@code minRun} consecutive samples of one sign
 * at or beyond {@code level} (a flattened peak: what astats' peak count and flat factor show); clipping holds while
 * the sliding 1 s window has at least {@code eventsPerSecond} events (counted over all channels), from the first
 * sample of the first event to the last clipped sample, so that one full-scale peak, or a few, never raises it.
 * One alarm for all channels together (a programme clips as a whole far more often than one channel alone); its
 * metrics say how many channels clipped. A square wave at full scale is clipped by this definition, as it is by
 * astats'; one below full scale is not.
 */
public final class ClippingDetector extends AlarmingDetector {
    public static final String NAME = "clipping";

    /**
     * Clip events (3 consecutive samples within 0.01 dB of full scale: the classic "over") at least once in every 1 s
     * window for 2 s: one clipped peak, or a few, never raises it.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 80)
                    .describe("audio clipping", """
                            clip events keep happening: at least `eventsPerSecond` (counted over all channels) in
                            every sliding 1 s window, from the first clipped sample to the last. A clip event is a
                            run of at least `minRun` consecutive samples of one sign at or beyond `level` (a
                            flattened peak, as astats' peak count and flat factor show it; 3 samples at full scale
                            is the classic "over"). One full-scale peak, or a few, is not clipping; a square wave at
                            full scale is clipped by this definition (one below it is not). One alarm for all
                            channels; metrics `clippedSamples`, `clipEventsPerSecond`, `peakDbfs`, `clippedChannels`""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.level("level", "-0.01dB", "smallest absolute sample value that counts as"
                            + " full scale"))
                    .parameter(ParamSpec.integer("minRun", 3, 1, 1000, "samples",
                            "fewest consecutive full-scale samples of one sign that make a clip event"))
                    .parameter(ParamSpec.number("eventsPerSecond", 1, 1, 10000, "",
                            "fewest clip events in every 1 s window, all channels together"))
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

    private final double eventsPerWindow;
    private final AudioBins bins = new AudioBins(BIN_SECONDS, 4, KEPT_BINS);
    private double since = Double.NaN;
    private double lastClipEnd = Double.NaN;
    private double[] lastClipByChannel = new double[0];
    /** The clipping run the metrics describe, kept after it ends for a resolved event that a clear delay holds back. */
    private double runStart = Double.NaN;
    private double runEnd = Double.NaN;
    private long runEvents;
    private long runClipped;
    private double runPeak;

    public ClippingDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.eventsPerWindow = settings.number("eventsPerSecond") * WINDOW_SECONDS;
    }

    @Override
    public void onAudio(AudioStats s) {
        int channels = s.channels;
        if (lastClipByChannel.length != channels) {
            lastClipByChannel = new double[channels];
            Arrays.fill(lastClipByChannel, Double.NEGATIVE_INFINITY);
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
        // a full window once there is one; before that, what there is (fewer events can only raise it later)
        int window = bins.windowBins(WINDOW_SECONDS);
        if (window == 0) {
            window = bins.complete();
        }
        boolean clipping = bins.sum(EVENTS, window) >= eventsPerWindow && bins.sum(EVENTS, window) > 0;
        if (clipping) {
            if (Double.isNaN(since)) {
                runStart = Double.NaN;
                runEvents = 0;
                runClipped = 0;
                runPeak = 0;
                for (int age = window - 1; age >= 0; age--) {
                    if (bins.value(age, EVENTS) > 0 && Double.isNaN(since)) {
                        since = bins.value(age, FIRST_EVENT);
                        runStart = since;
                    }
                    if (!Double.isNaN(since)) {
                        joined(age);
                    }
                }
            } else {
                joined(0);
            }
            runEnd = lastClipEnd;
            alarm.hold(since, lastClipEnd);
        } else {
            end();
        }
    }

    private void joined(int age) {
        runEvents += (long) bins.value(age, EVENTS);
        runClipped += (long) bins.value(age, CLIPPED);
        runPeak = Math.max(runPeak, bins.value(age, PEAK));
    }

    /** Clipping stopped: it ended with the last clipped sample. */
    private void end() {
        if (!Double.isNaN(since)) {
            alarm.clear(lastClipEnd);
            since = Double.NaN;
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        end();
        alarm.finish(audioEndSeconds);
    }

    private double eventsPerSecond() {
        double seconds = runEnd - runStart;
        return seconds > 0 ? runEvents / seconds : runEvents;
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "audio clipping (%.0f events/s) for %.1f s", eventsPerSecond(), heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        int channels = 0;
        for (double t : lastClipByChannel) {
            if (t >= runStart) {
                channels++;
            }
        }
        out.put("clippedSamples", (double) runClipped);
        out.put("clipEventsPerSecond", eventsPerSecond());
        out.put("peakDbfs", runPeak > 0 ? 20 * Math.log10(runPeak) : -120.0);
        out.put("clippedChannels", (double) channels);
    }
}
