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
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;

/**
 * silencedetect with all channels together: silence from the first sample instant at which every channel is
 * below the noise tolerance to the first at which one is not, to the sample.
 *
 * <p>Audio that stops coming while the picture goes on (an audio encoder or PID gone, a stream whose audio ends
 * early) is silence too, from the end of its last block: silencedetect sees nothing to judge there, an operator hears
 * nothing. It counts once the picture is {@value #MISSING_AFTER_SECONDS} s past the audio (the audio of a
 * multiplex or a file may trail its pictures by about that much), and a stream that never had audio has none missing.
 */
public final class SilenceDetector extends AlarmingDetector {
    public static final String NAME = "silence";

    /** silencedetect's defaults (n=-60dB d=2). With black it makes signal_loss. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 30)
                    .describe("audio silent", """
                            every channel stays within `-noise < sample < noise` (silencedetect, all channels
                            together), or the audio stops coming while the picture goes on (from the end of its last
                            block, once the picture is 1 s past it; "no audio" in the message). A stream that never
                            had audio has none missing""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .parameter(ParamSpec.level("noise", "-60dB", "largest amplitude that still counts as silent"))
                    .reads(StatisticRead.of(Statistic.AUDIO_LEVELS)
                            .setting(StatisticParameter.SILENCE_NOISE, NAME, "noise"))
                    .factory(c -> new SilenceDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** How far the pictures may run ahead of the audio before the audio counts as missing. */
    static final double MISSING_AFTER_SECONDS = 1.0;

    private double since = Double.NaN;
    private double peakDuring;
    /** The end of the last audio block (NaN: none in this input yet); whether the silence held now is missing audio. */
    private double audioEndSeconds = Double.NaN;
    private boolean missing;
    /** The latest picture's time. */
    private double videoSeconds = Double.NaN;

    public SilenceDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
    }

    @Override
    public void onInputStart() {
        audioEndSeconds = Double.NaN; // a reopened source's audio may start after its first pictures
        videoSeconds = Double.NaN;
    }

    @Override
    public void onVideo(FrameStats s) {
        if (!Double.isNaN(videoSeconds) && (s.ptsSeconds < videoSeconds || s.ptsSeconds - videoSeconds > 1.0)) {
            audioEndSeconds = Double.NaN; // the timestamps jumped: the audio's end is on the old timeline
        }
        videoSeconds = s.ptsSeconds;
        if (Double.isNaN(audioEndSeconds) || s.ptsSeconds - audioEndSeconds <= MISSING_AFTER_SECONDS) {
            return;
        }
        if (Double.isNaN(since)) {
            since = audioEndSeconds;
            peakDuring = 0;
            missing = true;
        }
        alarm.hold(since, s.endSeconds());
    }

    @Override
    public void onAudio(AudioStats s) {
        audioEndSeconds = s.endSeconds();
        if (missing && alarm.firing() && videoSeconds - audioEndSeconds > MISSING_AFTER_SECONDS) {
            // A straggler, far behind the picture, once the missing audio is an alarm (a multiplexer flushes a
            // stream's last audio at its end): the audio is still missing.
            return;
        }
        missing = false;
        double rate = s.sampleRate;
        if (s.allSilent()) {
            if (Double.isNaN(since)) {
                since = s.ptsSeconds;
                peakDuring = 0;
            }
            peakDuring = Math.max(peakDuring, s.maxPeak());
            alarm.hold(since, s.endSeconds());
            return;
        }
        // Sound in this block: a silence running into it ends after its silent head.
        double soundStarts = s.ptsSeconds + s.leadingSilentSamples / rate;
        if (!Double.isNaN(since)) {
            alarm.hold(since, soundStarts);
            alarm.clear(soundStarts);
        } else if (s.leadingSilentSamples > 0) {
            alarm.hold(s.ptsSeconds, soundStarts);
            alarm.clear(soundStarts);
        }
        // A silent tail may be the start of the next silence.
        if (s.trailingSilentSamples > 0) {
            since = s.endSeconds() - s.trailingSilentSamples / rate;
            peakDuring = 0;
            alarm.hold(since, s.endSeconds());
        } else {
            since = Double.NaN;
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(missing ? Math.max(lastVideoSeconds, audioEndSeconds) : audioEndSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, missing ? "no audio for %.1f s" : "audio silent for %.1f s", heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("peakDbfs", peakDuring > 0 ? 20 * Math.log10(peakDuring) : -120.0);
    }
}
