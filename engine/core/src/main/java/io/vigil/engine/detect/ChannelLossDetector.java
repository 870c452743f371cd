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
 *
 * <p>Beyond two channels only the pairs of a surround layout are judged, each channel against its partner: a 5.1
 * programme of speech or stereo leaves its centre, LFE and surrounds silent as a matter of course (and music leaves
 * its LFE silent between bass notes), so "silent while another sounds" is no fault there; one of a pair silent while
 * the other sounds is. {@code everyChannel} judges each channel against all the others instead.
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
                            channels or more. Beyond two, only the pairs of the layout the channel count implies
                            (FFmpeg's order) are judged, each channel against its partner: front left/right always,
                            and the surround pairs of 5.0 (4-5), 5.1 (5-6), 6.1 (6-7) and 7.1 (5-6, 7-8), numbered
                            from 1; the centre, LFE and back centre are not judged, nor channels 3 and 4 of four (a
                            5.1 programme of speech or stereo leaves its centre, LFE and surrounds silent, music its
                            LFE between bass notes). `everyChannel: true` judges each channel against all the
                            others""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .parameter(ParamSpec.level("noise", "-60dB", "largest amplitude that still counts as silent in"
                            + " one channel"))
                    .parameter(ParamSpec.flag("everyChannel", false, "judge each channel against all the others,"
                            + " not only against its partner in a surround layout's pairs (beyond two channels)"))
                    .reads(StatisticRead.of(Statistic.AUDIO_LEVELS)
                            .setting(StatisticParameter.CHANNEL_SILENCE_NOISE, NAME, "noise"))
                    .factory(c -> new ChannelLossDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** Media times are compared to the microsecond, as the alarms do. */
    private static final double EPSILON_SECONDS = 1e-6;

    private final double bridgeSeconds;
    private final boolean everyChannel;
    private final ChannelAlarms alarms;
    /** Per channel: the channels it is judged against (none: not judged). */
    private int[][] partners = new int[0][];
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
        this.everyChannel = settings.flag("everyChannel");
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
            partners = partners(channels, everyChannel);
        }
        if (channels < 2) {
            return;
        }
        for (int c = 0; c < channels; c++) {
            if (partners[c].length > 0) {
                channel(c, s);
            }
        }
    }

    /** The surround pairs by channel count, in FFmpeg's channel order (0-based); other counts: the front pair. */
    private static final Map<Integer, int[][]> PAIRS = Map.of(
            5, new int[][] {{0, 1}, {3, 4}}, // 5.0: FL FR FC BL BR
            6, new int[][] {{0, 1}, {4, 5}}, // 5.1: FL FR FC LFE BL BR (or SL SR)
            7, new int[][] {{0, 1}, {5, 6}}, // 6.1: FL FR FC LFE BC SL SR
            8, new int[][] {{0, 1}, {4, 5}, {6, 7}}); // 7.1: FL FR FC LFE BL BR SL SR

    /** Per channel of {@code channels}, those it is judged against. */
    static int[][] partners(int channels, boolean everyChannel) {
        int[][] out = new int[channels][];
        if (channels == 2 || everyChannel) {
            for (int c = 0; c < channels; c++) {
                final int self = c;
                out[c] = java.util.stream.IntStream.range(0, channels).filter(o -> o != self).toArray();
            }
            return out;
        }
        Arrays.fill(out, new int[0]);
        for (int[] pair : PAIRS.getOrDefault(channels, channels > 2 ? new int[][] {{0, 1}} : new int[0][])) {
            out[pair[0]] = new int[] {pair[1]};
            out[pair[1]] = new int[] {pair[0]};
        }
        return out;
    }

    private void channel(int c, AudioStats s) {
        int n = s.samples;
        Alarm alarm = alarms.get(c);
        // Where the other channels sound in this block: the first and last sample of any of them.
        int othersFirst = n;
        int othersLast = -1;
        double loudestOther = 0;
        for (int o : partners[c]) {
            if (!s.channelSilent(o)) {
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
            if (partners.length > 2 && channel < partners.length && partners[channel].length == 1) {
                return String.format(Locale.ROOT, "channel %d silent while its pair's channel %d carries sound for"
                        + " %.1f s", channel, partners[channel][0], heldSeconds);
            }
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
