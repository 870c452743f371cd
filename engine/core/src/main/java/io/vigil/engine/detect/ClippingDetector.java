package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.AudioStats;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    /** The absolute sample value at or beyond which a sample is at full scale. */
    public static double levelOf(DetectorSettings settings) {
        return settings.amplitude("level");
    }

    /** The fewest consecutive full-scale samples that make a clip event. */
    public static int minRunOf(DetectorSettings settings) {
        return (int) Math.round(settings.number("minRun"));
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.AUDIO_LEVELS);
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
