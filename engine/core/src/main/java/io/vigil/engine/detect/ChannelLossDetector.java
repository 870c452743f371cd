package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.Detector;
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
 * One channel silent while another carries sound: a channel is silent where silencedetect's test ({@code -noise <
 * s < noise}) holds for it alone, to the sample. One alarm per channel. When every channel is silent that is
 * {@code silence}, not a lost channel: an all-channel silence as long as the raise delay ends the loss where it began
 * (and the loss resumes, if the channel stays silent, when another channel sounds again), while a shorter one (a
 * pause between words) is bridged. The loss is raised only on what is confirmed: up to the last instant another
 * channel had sound. Needs at least two channels.
 */
public final class ChannelLossDetector implements Detector {
    public static final String NAME = "channel_loss";

    /** One channel silent (silencedetect's -60 dB, alone) while another sounds, for silence's 2 s. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 70)
                    .describe("one channel silent", """
                            one channel stays within `-noise < sample < noise` (silencedetect's test, that channel
                            alone, to the sample) while another carries sound; one alarm per channel (`"channel":
                            N`). All channels silent together is `silence`: a silence of all as long as the raise
                            delay ends the loss where it began, a shorter one (a pause) is bridged. Needs two
                            channels or more""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .parameter(ParamSpec.level("noise", "-60dB", "largest amplitude that still counts as silent in"
                            + " one channel"))
                    .reads(StatisticRead.of(Statistic.AUDIO_LEVELS)
                            .setting(StatisticParameter.CHANNEL_SILENCE_NOISE, NAME, "noise"))
                    .factory(c -> new ChannelLossDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** Media times are compared to the microsecond, as the alarms do. */
    private static final double EPSILON_SECONDS = 1e-6;

    private final double bridgeSeconds;
    private final ChannelAlarms alarms;
    /** Per channel: start of the loss held now (NaN when none), and the last instant another channel had sound. */
    private double[] lossSince = new double[0];
    private double[] lastOther = new double[0];
    /** Per channel: whether the last block ended in this channel's silence. */
    private boolean[] silent = new boolean[0];
    /** Per channel, over the loss: this channel's peak, and the loudest other channel's. */
    private double[] peak = new double[0];
    private double[] otherPeak = new double[0];

    public ChannelLossDetector(DetectorSettings settings, AlarmTracker tracker) {
        this.bridgeSeconds = settings.durationSeconds();
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
            for (int c = 0; c < Math.min(channels, lossSince.length); c++) {
                alarms.get(c).clear(s.ptsSeconds);
            }
            lossSince = new double[channels];
            lastOther = new double[channels];
            Arrays.fill(lossSince, Double.NaN);
            silent = new boolean[channels];
            peak = new double[channels];
            otherPeak = new double[channels];
        }
        if (channels < 2) {
            return;
        }
        for (int c = 0; c < channels; c++) {
            channel(c, s);
        }
    }

    private void channel(int c, AudioStats s) {
        int n = s.samples;
        Alarm alarm = alarms.get(c);
        // Where the other channels sound in this block: the first and last sample of any of them.
        int othersFirst = n;
        int othersLast = -1;
        double loudestOther = 0;
        for (int o = 0; o < s.channels; o++) {
            if (o != c && !s.channelSilent(o)) {
                othersFirst = Math.min(othersFirst, s.channelLeadingSilentSamples[o]);
                othersLast = Math.max(othersLast, n - 1 - s.channelTrailingSilentSamples[o]);
                loudestOther = Math.max(loudestOther, s.peak[o]);
            }
        }
        int head = s.channelLeadingSilentSamples[c];
        boolean open = !Double.isNaN(lossSince[c]);
        if (head < n) {
            // This channel sounds again: a loss held until now ends with its silent head.
            double back = s.secondsAt(head);
            if (open) {
                double until;
                if (othersFirst < head) {
                    // another channel sounded before this one came back: a pause of all channels in between is
                    // bridged if it was short, and otherwise ended the loss (which then began again)
                    double othersBack = s.secondsAt(othersFirst);
                    if (othersBack - lastOther[c] >= bridgeSeconds - EPSILON_SECONDS) {
                        alarm.clear(lastOther[c]);
                        start(c, othersBack);
                    }
                    until = back;
                } else {
                    // it came back while all were silent: the loss is confirmed up to the others' last sound
                    until = Math.max(lossSince[c], lastOther[c]);
                }
                alarm.hold(lossSince[c], until);
                alarm.clear(until);
                lossSince[c] = Double.NaN;
            }
            // A silent tail may begin the next loss: from its first sample, if another channel sounds after it or
            // sounds again soon enough.
            int tail = s.channelTrailingSilentSamples[c];
            silent[c] = tail > 0;
            if (tail > 0) {
                double gone = s.secondsAt(n - tail);
                start(c, gone);
                lastOther[c] = gone;
                if (othersLast >= n - tail) {
                    lastOther[c] = s.secondsAt(othersLast + 1);
                    otherPeak[c] = loudestOther;
                    alarm.hold(gone, lastOther[c]);
                }
            }
            return;
        }
        // Silent for the whole block; if it sounded up to the end of the last one, its silence (and a loss) begins
        // here.
        if (!silent[c]) {
            silent[c] = true;
            start(c, s.ptsSeconds);
            lastOther[c] = s.ptsSeconds;
            open = true;
        }
        if (othersFirst < n) {
            double othersBack = s.secondsAt(othersFirst);
            if (!open || othersBack - lastOther[c] >= bridgeSeconds - EPSILON_SECONDS) {
                if (open) {
                    alarm.clear(lastOther[c]);
                }
                start(c, othersBack);
            }
            lastOther[c] = s.secondsAt(othersLast + 1);
            peak[c] = Math.max(peak[c], s.peak[c]);
            otherPeak[c] = Math.max(otherPeak[c], loudestOther);
            alarm.hold(lossSince[c], lastOther[c]);
        } else if (open) {
            peak[c] = Math.max(peak[c], s.peak[c]);
            if (s.endSeconds() - lastOther[c] >= bridgeSeconds - EPSILON_SECONDS) {
                // every channel silent for the raise delay: that is silence, and the loss ended where it began
                alarm.clear(lastOther[c]);
                lossSince[c] = Double.NaN;
            }
        }
    }

    private void start(int c, double at) {
        lossSince[c] = at;
        peak[c] = 0;
        otherPeak[c] = 0;
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        for (int c = 0; c < lossSince.length; c++) {
            if (!Double.isNaN(lossSince[c]) && lastOther[c] < audioEndSeconds - EPSILON_SECONDS) {
                // the others fell silent shortly before the end: the loss is confirmed only until then
                alarms.get(c).clear(lastOther[c]);
            }
            lossSince[c] = Double.NaN;
        }
        alarms.finish(audioEndSeconds);
    }

    private final class Subject implements AlarmSubject {
        private final int channel;

        Subject(int channel) {
            this.channel = channel;
        }

        @Override
        public String summary(double heldSeconds) {
            return String.format(Locale.ROOT, "channel %d silent while others carry sound for %.1f s", channel,
                    heldSeconds);
        }

        @Override
        public void metrics(Map<String, Double> out) {
            boolean known = channel < peak.length;
            out.put("peakDbfs", dbfs(known ? peak[channel] : 0));
            out.put("otherPeakDbfs", dbfs(known ? otherPeak[channel] : 0));
        }
    }

    private static double dbfs(double amplitude) {
        return amplitude > 0 ? 20 * Math.log10(amplitude) : -120.0;
    }
}
