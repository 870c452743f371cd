package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.AudioStats;
import java.util.Locale;
import java.util.Map;

/**
 * A DC offset on one channel: the mean of the channel's samples over a sliding 1 s window (astats' "DC offset",
 * measured per window) beyond {@code level} in either direction. One alarm per channel. The window slides by
 * 0.1 s bins, and the offset's start and end are placed on those bins.
 */
public final class DcOffsetDetector implements Detector, BinnedCondition.Judge {
    public static final String NAME = "dc_offset";

    /** A mean over 1 s beyond 1% of full scale (-40 dBFS): far above what programme leaves in a 1 s mean. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 100)
                    .describe("DC offset on a channel", """
                            the mean of one channel over a sliding 1 s window (astats' DC offset) goes beyond
                            `level` either way; one alarm per channel (`"channel": N`). Start and end to about 0.1
                            s. Metrics `dcOffset` (signed, full scale 1), `dcDbfs`""")
                    .alarm(Severity.WARNING, 2.0, 0.0)
                    .parameter(ParamSpec.level("level", "-40dB",
                            "largest 1 s mean of a channel, either way, that is not a DC offset")
                            .withNote("1% of full scale: a 1 s mean of programme stays far below it, a faulty"
                                    + " converter's offset is typically above"))
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new DcOffsetDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    static final double BIN_SECONDS = 0.1;
    static final double WINDOW_SECONDS = 1.0;
    /** Bins kept: the window, and as long again to look back for where an offset began. */
    private static final int KEPT_BINS = 40;

    private final double level;
    private final ChannelAlarms alarms;
    private AudioBins bins;
    private BinnedCondition[] conditions = new BinnedCondition[0];
    /** Per channel, over the bins of the offset now held: sum of samples and their count. */
    private double[] runSum = new double[0];
    private long[] runSamples = new long[0];

    public DcOffsetDetector(DetectorSettings settings, AlarmTracker tracker) {
        this.level = settings.amplitude("level");
        this.alarms = new ChannelAlarms(NAME, settings, tracker, Subject::new);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onAudio(AudioStats s) {
        int channels = s.channels;
        if (alarms.ensure(channels, s.ptsSeconds)) {
            for (int c = 0; c < conditions.length && c < channels; c++) {
                conditions[c].interrupt(alarms.get(c));
            }
            bins = new AudioBins(BIN_SECONDS, channels, KEPT_BINS);
            conditions = new BinnedCondition[channels];
            for (int c = 0; c < channels; c++) {
                conditions[c] = new BinnedCondition(c);
            }
            runSum = new double[channels];
            runSamples = new long[channels];
        }
        if (bins.begin(s)) {
            for (int c = 0; c < channels; c++) {
                conditions[c].interrupt(alarms.get(c));
            }
        }
        for (int c = 0; c < channels; c++) {
            bins.add(c, s.sum[c]);
        }
        int window = bins.closeIfFull() ? bins.windowBins(WINDOW_SECONDS) : 0;
        if (window == 0) {
            return;
        }
        double samples = bins.windowSamples(window);
        for (int c = 0; c < channels; c++) {
            double mean = bins.sum(c, window) / samples;
            conditions[c].update(Math.abs(mean) > level, window, bins, this, alarms.get(c));
        }
    }

    @Override
    public boolean bad(int age, int channel) {
        return Math.abs(bins.value(age, channel) / bins.samples(age)) > level;
    }

    @Override
    public void started(int channel) {
        runSum[channel] = 0;
        runSamples[channel] = 0;
    }

    @Override
    public void joined(int age, int channel) {
        runSum[channel] += bins.value(age, channel);
        runSamples[channel] += bins.samples(age);
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarms.finish(audioEndSeconds);
    }

    private double offset(int channel) {
        return channel < runSamples.length && runSamples[channel] > 0 ? runSum[channel] / runSamples[channel] : 0;
    }

    private final class Subject implements AlarmSubject {
        private final int channel;

        Subject(int channel) {
            this.channel = channel;
        }

        @Override
        public String summary(double heldSeconds) {
            return String.format(Locale.ROOT, "DC offset %+.3f on channel %d for %.1f s", offset(channel), channel,
                    heldSeconds);
        }

        @Override
        public void metrics(Map<String, Double> out) {
            double dc = offset(channel);
            out.put("dcOffset", dc);
            out.put("dcDbfs", dc == 0 ? -120.0 : 20 * Math.log10(Math.abs(dc)));
        }
    }
}
