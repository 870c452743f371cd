package io.vigil.engine.pipeline;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.EventDeliveryException;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.Lineup;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.AudioLevels;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.LoudnessMeter;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticFailedException;
import io.vigil.kernels.engine.StatisticSpec;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsRequest;
import java.util.Arrays;
import java.util.List;
import io.vigil.kernels.picture.PictureMatching;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One stream's pipeline: computes the statistics its enabled detectors read, hands them to the detectors, and
 * lets the alarm tracker turn their findings into events. Frames are only lent to it; nothing is copied.
 *
 * <p>What the stream's content makes fail never ends the analysis here: a detector that throws, or a statistic that
 * cannot be computed on these frames (a picture larger than it measures), is switched off for this stream, its
 * alarms resolved, with one {@link Warnings warning} per detector that no longer runs; the others go on.
 */
public final class StreamAnalyzer implements MediaSink, AutoCloseable {
    /** Told, once per detector, that a detector was switched off on this stream and why (one sentence). */
    @FunctionalInterface
    public interface Warnings {
        void warn(String detector, String message);
    }

    private final Lineup lineup;
    private final Warnings warnings;
    /** The detectors still running; replaced (never changed in place) when one is switched off. */
    private Detector[] detectors;
    /** The statistics the running detectors read. */
    private final Set<Statistic> reads;
    private final AlarmTracker tracker;
    private final boolean live;
    private final FrameStatistics videoStatistics;
    /** Whether any detector looks at video frames at all (their timestamps, if no statistic). */
    private final boolean videoNeeded;
    /** Audio levels, when a detector reads them; null once they failed on the stream's audio. */
    private AudioLevels audioLevels;
    /** BS.1770 loudness of the stream's audio, when a detector reads it; null once it failed on the stream's audio. */
    private LoudnessMeter loudness;
    private final FrameStats frameStats = new FrameStats();
    private final AudioStats audioStats = new AudioStats();
    /** Per channel, since the last {@link #sample}: the largest peak and the sum of squares over meterSamples. */
    private double[] meterPeak = new double[0];
    private double[] meterSumSquares = new double[0];
    private long meterSamples;
    private double lastVideoSeconds = Double.NaN;
    private double audioEndSeconds = Double.NaN;
    /** Keeps the frames where video conditions began, for thumbnails; null without --thumbnails. */
    private StartFrames startFrames;
    /** The logo and card checks, when a detector reads them; null once they failed on the stream's frames. */
    private PictureMatching pictures;
    /** Why a picture reference could not be loaded, told (and its readers switched off) on the first frame. */
    private final Map<Statistic, RuntimeException> pictureFailures;

    private StreamAnalyzer(Lineup lineup, AlarmTracker tracker, boolean live, FrameStatistics video,
                           AudioLevels audio, Warnings warnings, PictureChecks pictureChecks) {
        this.pictures = pictureChecks.matching();
        this.pictureFailures = new EnumMap<>(pictureChecks.failures());
        this.lineup = lineup;
        this.warnings = warnings;
        this.detectors = lineup.detectors().toArray(Detector[]::new);
        this.reads = lineup.statistics();
        this.tracker = tracker;
        this.live = live;
        this.videoStatistics = video;
        this.videoNeeded = video != null || pictures != null || !pictureFailures.isEmpty()
                || reads.contains(Statistic.VIDEO_TIMESTAMPS);
        this.audioLevels = audio;
        this.loudness = reads.contains(Statistic.LOUDNESS) ? loudnessMeterFor(lineup) : null;
        wireCues();
    }

    /** {@code scte35} hears the cues {@code tr101290} reads, each call through its own fault boundary. */
    private void wireCues() {
        io.vigil.engine.detect.Tr101290Detector transport = null;
        for (Detector d : detectors) {
            if (d instanceof io.vigil.engine.detect.Tr101290Detector t) {
                transport = t;
            }
        }
        if (transport == null) {
            return;
        }
        for (Detector d : detectors) {
            if (d instanceof io.vigil.engine.detect.Scte35Detector markers) {
                markers.watching(transport.feed());
                transport.listen((cue, media, splice) -> guarded(d, () -> markers.cue(cue, media, splice)));
            }
        }
    }

    /**
     * Builds the detectors enabled in {@code config} (the registry makes each from its spec), and the statistics they
     * read on {@code backend}; {@code warnings} hears of each detector switched off because it failed on the content,
     * and of audio whose loudness cannot be measured.
     */
    public static StreamAnalyzer create(VigilConfig config, AlarmTracker tracker, boolean live, StatisticsEngine backend,
                                        Warnings warnings) {
        return create(DetectorRegistry.standard().build(config.detectors(), tracker), tracker, live, backend, warnings);
    }

    /** The analysis of {@code lineup}'s detectors (tests give one made by hand). */
    static StreamAnalyzer create(Lineup lineup, AlarmTracker tracker, boolean live, StatisticsEngine backend,
                                 Warnings warnings) {
        StatisticsRequest request = videoRequest(lineup);
        FrameStatistics video = request.any() ? backend.open(request) : null;
        AudioLevels audio = lineup.reads(Statistic.AUDIO_LEVELS) ? new AudioLevels(audioConfig(lineup)) : null;
        return new StreamAnalyzer(lineup, tracker, live, video, audio, warnings, PictureChecks.of(lineup, backend));
    }

    /** The video statistics the lineup reads, with the figures its detectors set, as the backend takes them. */
    private static StatisticsRequest videoRequest(Lineup l) {
        StatisticsRequest.Builder request = StatisticsRequest.builder();
        if (l.reads(Statistic.LUMA)) {
            request.luma(l.parameter(StatisticParameter.DARK_LEVEL));
        }
        if (l.reads(Statistic.FRAME_DIFFERENCE)) {
            request.frameDifference(l.parameter(StatisticParameter.STILL_NOISE),
                    l.parameter(StatisticParameter.RECODE_NOISE));
        }
        if (l.reads(Statistic.BROADCAST_RANGE)) {
            request.broadcastRange();
        }
        if (l.reads(Statistic.LETTERBOX)) {
            request.letterbox(l.parameter(StatisticParameter.BAR_LIMIT));
        }
        if (l.reads(Statistic.BLOCKINESS)) {
            request.blockiness();
        }
        if (l.reads(Statistic.COLOR_BARS)) {
            request.colorBars();
        }
        if (l.reads(Statistic.BLUR)) {
            request.blur();
        }
        return request.build();
    }

    private static AudioLevels.Config audioConfig(Lineup l) {
        return new AudioLevels.Config(l.parameter(StatisticParameter.SILENCE_NOISE),
                l.parameter(StatisticParameter.CHANNEL_SILENCE_NOISE), l.parameter(StatisticParameter.CLIP_LEVEL),
                (int) Math.round(l.parameter(StatisticParameter.CLIP_MIN_RUN)));
    }

    /** Runs {@code call} of detector {@code d} while it runs; a throw switches it off. */
    private void guarded(Detector d, Runnable call) {
        if (!running(d)) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            detectorFailed(d, e);
        }
    }

    /**
     * One loudness meter for the stream, with the sliding window a detector asks for; the detectors that listen hear
     * its steps while they run. Audio it cannot measure is one warning per listening detector; the
     * detectors hear it and stop judging until it comes measurable again.
     */
    private LoudnessMeter loudnessMeterFor(Lineup lineup) {
        LoudnessMeter meter = new LoudnessMeter();
        meter.slidingWindowSeconds(lineup.parameter(StatisticParameter.LOUDNESS_WINDOW));
        for (Detector d : lineup.detectors()) {
            if (d instanceof LoudnessMeter.StepListener listener) {
                // Every call passes the detector's fault boundary (a detector switched off hears no more).
                meter.addListener(new LoudnessMeter.StepListener() {
                    @Override
                    public void onStep(LoudnessMeter m, double endSeconds) {
                        guarded(d, () -> listener.onStep(m, endSeconds));
                    }

                    @Override
                    public void onRestart(LoudnessMeter m, double atSeconds) {
                        guarded(d, () -> listener.onRestart(m, atSeconds));
                    }

                    private boolean warned;

                    @Override
                    public void onUnmeasurable(LoudnessMeter m, double atSeconds, String why) {
                        if (!warned && running(d)) {
                            warned = true;
                            warnings.warn(d.name(), String.format(Locale.ROOT, "Loudness is not measured from %.1f s"
                                    + " (%s), so the %s detector does not judge until the audio comes in a format the"
                                    + " meter measures.", atSeconds, why, d.name()));
                        }
                        guarded(d, () -> listener.onUnmeasurable(m, atSeconds, why));
                    }
                });
            }
        }
        return meter;
    }

    /**
     * The summary's loudness: integrated (LUFS), range (LU) and true peak (dBTP), to 0.1 as meters show them;
     * null when no loudness was measured. A level that silence leaves undefined (-infinity) is left out.
     */
    public java.util.Map<String, Double> loudnessSummary() {
        if (loudness == null || loudness.steps() == 0) {
            return null;
        }
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        double[] values = {loudness.integratedLufs(), loudness.loudnessRangeLu(), loudness.truePeakDbtp()};
        String[] keys = {"integrated", "range", "truePeak"};
        for (int i = 0; i < keys.length; i++) {
            if (Double.isFinite(values[i])) {
                out.put(keys[i], Math.round(values[i] * 10) / 10.0);
            }
        }
        return out;
    }

    /** Feeds {@code keeper} every video frame from now on; closed with this analyzer. */
    void startFrames(StartFrames keeper) {
        startFrames = keeper;
        keeper.watch(List.of(detectors));
    }

    /** The feed of the transport stream checks when {@code tr101290} runs on the stream, else null. */
    public io.vigil.engine.transport.TransportFeed transportFeed() {
        for (Detector d : detectors) {
            if (d instanceof io.vigil.engine.detect.Tr101290Detector transport) {
                return transport.feed();
            }
        }
        return null;
    }

    /** Names of the detectors that run (those switched off on this stream's content no longer do). */
    public List<String> detectorNames() {
        return Arrays.stream(detectors).map(Detector::name).toList();
    }

    /** Whether any running detector reads video, or audio. */
    public boolean readsVideo() {
        return videoNeeded;
    }

    /** Whether some detector reads {@code statistic}. */
    public boolean reads(Statistic statistic) {
        return reads.contains(statistic);
    }

    public boolean readsAudio() {
        return audioLevels != null || loudness != null;
    }

    /** An input begins (the first, or a reopening), before its first frame or block: the detectors hear of it. */
    void inputStarted() {
        for (Detector d : detectors) {
            d.onInputStart();
        }
    }

    @Override
    public void onVideo(VideoFrame frame) {
        lastVideoSeconds = frame.ptsSeconds();
        if (!videoNeeded) {
            return;
        }
        if (live) {
            tracker.observe(frame.ptsSeconds());
        }
        if (videoStatistics != null) {
            try {
                videoStatistics.compute(frame, frameStats);
            } catch (StatisticFailedException e) {
                // The other statistics were computed; the failed ones are gone, and their readers with them.
                for (StatisticFailedException.Failure f : e.failures()) {
                    statisticFailed(statisticOf(f.statistic()), f.cause());
                }
            }
        } else {
            frameStats.begin(frame);
        }
        if (!pictureFailures.isEmpty()) {
            pictureFailures.forEach(this::statisticFailed);
            pictureFailures.clear();
        }
        if (pictures != null) {
            try {
                pictures.compute(frame, frameStats);
            } catch (RuntimeException e) {
                PictureMatching failed = pictures;
                pictures = null;
                failed.close();
                statisticFailed(Statistic.LOGO_MATCH, e);
                statisticFailed(Statistic.CARD_MATCH, e);
            }
        }
        if (startFrames != null) {
            startFrames.before(frame, frameStats);
        }
        for (Detector d : detectors) {
            try {
                d.onVideo(frameStats);
            } catch (RuntimeException e) {
                detectorFailed(d, e);
            }
        }
        tracker.advance(frameStats.ptsSeconds);
        if (startFrames != null) {
            startFrames.after();
        }
    }

    @Override
    public void onAudio(AudioBlock block) {
        audioEndSeconds = block.endSeconds();
        if (audioLevels == null && loudness == null) {
            return;
        }
        if (live) {
            tracker.observe(block.ptsSeconds());
        }
        if (loudness != null) {
            try {
                loudness.process(block);
            } catch (RuntimeException e) {
                // The listening detectors' own failures are caught where they listen: this is the meter's.
                loudness = null;
                statisticFailed(Statistic.LOUDNESS, e);
            }
        }
        if (audioLevels != null) {
            try {
                audioLevels.compute(block, audioStats);
            } catch (RuntimeException e) {
                audioLevels = null;
                statisticFailed(Statistic.AUDIO_LEVELS, e);
            }
        }
        if (audioLevels == null) {
            tracker.advance(block.ptsSeconds());
            return;
        }
        meter(audioStats);
        for (Detector d : detectors) {
            try {
                d.onAudio(audioStats);
            } catch (RuntimeException e) {
                detectorFailed(d, e);
            }
        }
        tracker.advance(audioStats.ptsSeconds);
    }

    /**
     * No frame has come for a while (called by the analysing thread, never concurrently with the frames): lets the
     * wall-clock detectors (stall) look at the time.
     */
    public void onIdle(long nowNanos) {
        for (Detector d : detectors) {
            try {
                d.onIdle(nowNanos);
            } catch (RuntimeException e) {
                detectorFailed(d, e);
            }
        }
    }

    /** The input ended: every alarm still firing resolves at its detector's last time. */
    public void finish() {
        tracker.inputEnding();
        for (Detector d : detectors) {
            try {
                d.finish(lastVideoSeconds, audioEndSeconds);
            } catch (RuntimeException e) {
                detectorFailed(d, e);
            }
        }
    }

    /**
     * {@code d} threw on this stream's content: it is switched off, with one warning. An event sink that failed under
     * it is not its fault, and goes on up to the stream's boundary.
     */
    private void detectorFailed(Detector d, RuntimeException e) {
        if (e instanceof EventDeliveryException) {
            throw e;
        }
        switchOff(d, "The " + d.name() + " detector failed on this stream's content (" + describe(e)
                + ") and is off for the rest of the analysis.");
    }

    /** {@code statistic} cannot be computed on this stream's content: every detector that reads it is switched off. */
    private void statisticFailed(Statistic statistic, RuntimeException e) {
        if (e instanceof EventDeliveryException) {
            throw e;
        }
        String name = statistic.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        for (Detector d : detectors) {
            if (lineup.reads(d.name(), statistic)) {
                switchOff(d, "The " + name + " statistic cannot be computed on this stream's content ("
                        + describe(e) + "), so the " + d.name() + " detector is off for the rest of the analysis.");
            }
        }
    }

    /**
     * Stops calling {@code d}; what it left firing resolves at the last media time seen (its input ended there, as far
     * as it is concerned), and the warning goes out.
     */
    private void switchOff(Detector d, String message) {
        if (!running(d)) {
            return;
        }
        detectors = Arrays.stream(detectors).filter(x -> x != d).toArray(Detector[]::new);
        if (startFrames != null) {
            startFrames.unwatch(d);
        }
        tracker.finishDetector(d.name(), lastMediaSeconds());
        warnings.warn(d.name(), message);
    }

    private boolean running(Detector d) {
        for (Detector x : detectors) {
            if (x == d) {
                return true;
            }
        }
        return false;
    }

    /** The latest media time seen, video or audio; NaN before any. */
    private double lastMediaSeconds() {
        if (Double.isNaN(lastVideoSeconds)) {
            return audioEndSeconds;
        }
        return Double.isNaN(audioEndSeconds) ? lastVideoSeconds : Math.max(lastVideoSeconds, audioEndSeconds);
    }

    /** "IllegalArgumentException: picture too large ...": the kind and the message, for the warning. */
    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** The detectors' name for a statistic the backend computes. */
    private static Statistic statisticOf(StatisticSpec spec) {
        return switch (spec) {
            case StatisticSpec.Luma l -> Statistic.LUMA;
            case StatisticSpec.FrameDifference d -> Statistic.FRAME_DIFFERENCE;
            case StatisticSpec.BroadcastRange b -> Statistic.BROADCAST_RANGE;
            case StatisticSpec.Letterbox l -> Statistic.LETTERBOX;
            case StatisticSpec.Blockiness b -> Statistic.BLOCKINESS;
            case StatisticSpec.ColorBars c -> Statistic.COLOR_BARS;
            case StatisticSpec.Blur b -> Statistic.BLUR;
        };
    }

    /** Adds a block to the level meter's figures (a few additions per channel per block). */
    private void meter(AudioStats a) {
        if (meterPeak.length != a.channels) {
            meterPeak = new double[a.channels];
            meterSumSquares = new double[a.channels];
            meterSamples = 0;
        }
        for (int c = 0; c < a.channels; c++) {
            meterPeak[c] = Math.max(meterPeak[c], a.peak[c]);
            meterSumSquares[c] += a.sumSquares[c];
        }
        meterSamples += a.samples;
    }

    /** Meter figures below this are silence: the meters' floor, in dBFS (LUFS for the loudness). */
    public static final double METER_FLOOR_DBFS = -100;

    /**
     * The latest key figures, for a service's live charts (call on the analysing thread): lumaMean, darkFraction,
     * mafd, blockiness from the last video frame; rmsDbfs (loudest channel) of the last audio block; momentaryLufs,
     * shortTermLufs and truePeakDbtp (the last 100 ms step's) when loudness is measured; per channel N (from 0), for the level meters, the peak
     * ({@code peakDbfs.N}) and RMS ({@code levelDbfs.N}) of the audio since the previous call, at least
     * {@link #METER_FLOOR_DBFS}, and, when loudness is measured, the channel's own momentary loudness
     * ({@code momentaryLufs.N}: {@link LoudnessMeter#channelMomentaryLufs}, the last 400 ms, at least the floor).
     * Figures not measured are left out.
     */
    public void sample(java.util.Map<String, Double> out) {
        if (meterSamples > 0) {
            for (int c = 0; c < meterPeak.length; c++) {
                out.put("peakDbfs." + c, meterDbfs(meterPeak[c]));
                out.put("levelDbfs." + c, meterDbfs(Math.sqrt(meterSumSquares[c] / meterSamples)));
                if (loudness != null && loudness.channels() == meterPeak.length) {
                    double lufs = loudness.channelMomentaryLufs(c);
                    if (!Double.isNaN(lufs)) {
                        out.put("momentaryLufs." + c, meterLevel(lufs));
                    }
                }
                meterPeak[c] = 0;
                meterSumSquares[c] = 0;
            }
            meterSamples = 0;
        }
        putFinite(out, "lumaMean", frameStats.lumaMean);
        putFinite(out, "darkFraction", frameStats.darkFraction);
        putFinite(out, "mafd", frameStats.mafd);
        putFinite(out, "blockiness", frameStats.blockiness);
        if (audioStats.rms.length > 0) {
            double rms = 0;
            for (double r : audioStats.rms) {
                rms = Math.max(rms, r);
            }
            putFinite(out, "rmsDbfs", 20 * Math.log10(rms));
        }
        if (loudness != null) {
            putFinite(out, "momentaryLufs", loudness.momentaryLufs());
            putFinite(out, "shortTermLufs", loudness.shortTermLufs());
            putFinite(out, "truePeakDbtp", loudness.stepTruePeakDbtp());
        }
    }

    private static double meterDbfs(double linear) {
        return meterLevel(20 * Math.log10(linear));
    }

    /** A level for the meters: to 0.1, the floor for silence (-infinity) and below. */
    private static double meterLevel(double db) {
        return Double.isFinite(db) && db > METER_FLOOR_DBFS ? Math.round(db * 10) / 10.0 : METER_FLOOR_DBFS;
    }

    private static void putFinite(java.util.Map<String, Double> out, String key, double value) {
        if (Double.isFinite(value)) {
            out.put(key, Math.round(value * 1e4) / 1e4);
        }
    }

    /** The backend that computed this stream's video statistics ("cpu" when none were needed). */
    public String backend() {
        return videoStatistics != null ? videoStatistics.backend() : "cpu";
    }

    /** Mean cost of one logo or card check (making the picture small and matching), in µs; NaN before any. */
    public double meanPictureCheckMicros() {
        return pictures == null ? Double.NaN : pictures.meanCheckMicros();
    }

    @Override
    public void close() {
        if (videoStatistics != null) {
            videoStatistics.close();
        }
        if (pictures != null) {
            pictures.close();
            pictures = null;
        }
        if (startFrames != null) {
            startFrames.close();
        }
    }
}
