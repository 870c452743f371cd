package io.vigil.engine;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.BlackDetector;
import io.vigil.engine.detect.ChannelLossDetector;
import io.vigil.engine.detect.ClippingDetector;
import io.vigil.engine.detect.DcOffsetDetector;
import io.vigil.engine.detect.CorruptionDetector;
import io.vigil.engine.detect.Detector;
import io.vigil.engine.detect.BrngDetector;
import io.vigil.engine.detect.FlashDetector;
import io.vigil.engine.detect.LetterboxDetector;
import io.vigil.engine.detect.BlockinessDetector;
import io.vigil.engine.detect.ColorBarsDetector;
import io.vigil.engine.detect.BlurDetector;
import io.vigil.engine.detect.DiscontinuityDetector;
import io.vigil.engine.detect.FreezeDetector;
import io.vigil.engine.detect.LoudnessDetector;
import io.vigil.engine.detect.PhaseDetector;
import io.vigil.engine.detect.SilenceDetector;
import io.vigil.engine.detect.StallDetector;
import io.vigil.engine.detect.AvDriftDetector;
import io.vigil.engine.detect.Statistic;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.AudioLevels;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.LoudnessMeter;
import io.vigil.kernels.engine.FrameStatistics;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One stream's pipeline: computes the statistics its enabled detectors read, hands them to the detectors, and
 * lets the alarm tracker turn their findings into events. Frames are only lent to it; nothing is copied.
 */
public final class StreamAnalyzer implements MediaSink, AutoCloseable {
    /** Not a detector of its own: black and silence raised together (see AlarmTracker). */
    private static final String SIGNAL_LOSS = "signal_loss";

    private final List<Detector> detectors;
    private final AlarmTracker tracker;
    private final boolean live;
    private final FrameStatistics videoStatistics;
    /** Whether any detector looks at video frames at all (their timestamps, if no statistic). */
    private final boolean videoNeeded;
    private final AudioLevels audioLevels;
    /** BS.1770 loudness of the stream's audio, when a detector reads it. */
    private final LoudnessMeter loudness;
    private final FrameStats frameStats = new FrameStats();
    private final AudioStats audioStats = new AudioStats();
    private double lastVideoSeconds = Double.NaN;
    private double audioEndSeconds = Double.NaN;
    /** Keeps the frames where video conditions began, for thumbnails; null without --thumbnails. */
    private StartFrames startFrames;

    private StreamAnalyzer(List<Detector> detectors, AlarmTracker tracker, boolean live, FrameStatistics video,
                           AudioLevels audio) {
        this.detectors = detectors;
        this.tracker = tracker;
        this.live = live;
        this.videoStatistics = video;
        this.videoNeeded = video != null || detectors.stream().anyMatch(d -> d.reads().contains(Statistic.VIDEO_TIMESTAMPS));
        this.audioLevels = audio;
        this.loudness = loudnessMeterFor(detectors);
    }

    /** Builds the detectors enabled in {@code config}, and the statistics they read on {@code backend}. */
    public static StreamAnalyzer create(VigilConfig config, AlarmTracker tracker, boolean live,
                                        StatisticsEngine backend) {
        List<Detector> detectors = new ArrayList<>();
        Set<Statistic> needed = EnumSet.noneOf(Statistic.class);
        double pixelThreshold = 0;
        double freezeNoise = 0;
        double silenceNoise = 0;
        double channelNoise = 0;
        double clipLevel = 1;
        int clipMinRun = 1;
        double letterboxLimit = 0;
        for (DetectorSettings s : config.detectors().values()) {
            if (!s.enabled() || s.detector().equals(SIGNAL_LOSS)) {
                continue;
            }
            Detector d = switch (s.detector()) {
                case BlackDetector.NAME -> {
                    pixelThreshold = s.number("pixelThreshold");
                    yield new BlackDetector(s, tracker);
                }
                case FreezeDetector.NAME -> {
                    freezeNoise = FreezeDetector.noiseOf(s);
                    yield new FreezeDetector(s, tracker);
                }
                case DiscontinuityDetector.NAME -> new DiscontinuityDetector(s, tracker);
                case LoudnessDetector.NAME -> new LoudnessDetector(s, tracker);
                case SilenceDetector.NAME -> {
                    silenceNoise = SilenceDetector.noiseOf(s);
                    yield new SilenceDetector(s, tracker);
                }
                case ChannelLossDetector.NAME -> {
                    channelNoise = ChannelLossDetector.noiseOf(s);
                    yield new ChannelLossDetector(s, tracker);
                }
                case ClippingDetector.NAME -> {
                    clipLevel = ClippingDetector.levelOf(s);
                    clipMinRun = ClippingDetector.minRunOf(s);
                    yield new ClippingDetector(s, tracker);
                }
                case PhaseDetector.NAME -> new PhaseDetector(s, tracker);
                case DcOffsetDetector.NAME -> new DcOffsetDetector(s, tracker);
                case StallDetector.NAME -> new StallDetector(s, tracker);
                case AvDriftDetector.NAME -> new AvDriftDetector(s, tracker);
                case CorruptionDetector.NAME -> new CorruptionDetector(s, tracker);
                case FlashDetector.NAME -> new FlashDetector(s, tracker);
                case BrngDetector.NAME -> new BrngDetector(s, tracker);
                case BlockinessDetector.NAME -> new BlockinessDetector(s, tracker);
                case ColorBarsDetector.NAME -> {
                    // A slate is still by freeze's measure, even when freeze itself is off.
                    freezeNoise = FreezeDetector.noiseOf(config.detectors().get(FreezeDetector.NAME));
                    yield new ColorBarsDetector(s, tracker, freezeNoise);
                }
                case BlurDetector.NAME -> new BlurDetector(s, tracker);
                case LetterboxDetector.NAME -> {
                    // Black frames are black's: judged with black's thresholds, even when black itself is off.
                    DetectorSettings black = config.detectors().get(BlackDetector.NAME);
                    if (black != null && !black.enabled()) {
                        pixelThreshold = black.number("pixelThreshold");
                    }
                    letterboxLimit = LetterboxDetector.limitOf(s);
                    yield new LetterboxDetector(s, tracker, black != null ? black.number("pictureThreshold") : 0.98);
                }
                default -> throw new IllegalArgumentException("no detector named " + s.detector());
            };
            detectors.add(d);
            needed.addAll(d.reads());
        }
        DetectorSettings signalLoss = config.detectors().get(SIGNAL_LOSS);
        if (signalLoss != null && signalLoss.enabled()) {
            // Black and silence at once are one signal_loss alarm (needs both detectors running).
            tracker.enableSignalLoss(signalLoss.severity());
        }
        StatisticsRequest request = statisticsRequest(needed, pixelThreshold, freezeNoise, letterboxLimit);
        FrameStatistics video = request.any() ? backend.open(request) : null;
        AudioLevels audio = needed.contains(Statistic.AUDIO_LEVELS)
                ? new AudioLevels(new AudioLevels.Config(silenceNoise, channelNoise, clipLevel, clipMinRun)) : null;
        return new StreamAnalyzer(List.copyOf(detectors), tracker, live, video, audio);
    }

    /** The video statistics the detectors read, with the parameters their settings give them. */
    private static StatisticsRequest statisticsRequest(Set<Statistic> needed, double pixelThreshold, double freezeNoise,
                                                       double letterboxLimit) {
        StatisticsRequest.Builder request = StatisticsRequest.builder();
        if (needed.contains(Statistic.LUMA)) {
            request.luma(pixelThreshold);
        }
        if (needed.contains(Statistic.FRAME_DIFFERENCE)) {
            request.frameDifference(freezeNoise);
        }
        if (needed.contains(Statistic.BROADCAST_RANGE)) {
            request.broadcastRange();
        }
        if (needed.contains(Statistic.LETTERBOX)) {
            request.letterbox(letterboxLimit);
        }
        if (needed.contains(Statistic.BLOCKINESS)) {
            request.blockiness();
        }
        if (needed.contains(Statistic.COLOR_BARS)) {
            request.colorBars();
        }
        if (needed.contains(Statistic.BLUR)) {
            request.blur();
        }
        return request.build();
    }

    /** One loudness meter for the stream when a detector reads it; the detectors that listen hear its steps. */
    private static LoudnessMeter loudnessMeterFor(List<Detector> detectors) {
        LoudnessMeter meter = null;
        for (Detector d : detectors) {
            if (d.reads().contains(Statistic.LOUDNESS)) {
                meter = meter != null ? meter : new LoudnessMeter();
                if (d instanceof LoudnessMeter.StepListener listener) {
                    meter.addListener(listener);
                }
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
        keeper.watch(detectors);
    }

    /** Names of the detectors that run. */
    public List<String> detectorNames() {
        return detectors.stream().map(Detector::name).toList();
    }

    /** Whether any running detector reads video, or audio. */
    public boolean readsVideo() {
        return videoNeeded;
    }

    /** Whether some detector reads {@code statistic}. */
    public boolean reads(Statistic statistic) {
        return detectors.stream().anyMatch(d -> d.reads().contains(statistic));
    }

    public boolean readsAudio() {
        return audioLevels != null || loudness != null;
    }

    @Override
    public void onVideo(VideoFrame frame) {
        lastVideoSeconds = frame.ptsSeconds();
        if (!videoNeeded) {
            return;
        }
        if (live) {
            tracker.observe(frame.ptsSeconds(), Instant.now());
        }
        if (videoStatistics != null) {
            videoStatistics.compute(frame, frameStats);
        } else {
            frameStats.begin(frame);
        }
        if (startFrames != null) {
            startFrames.before(frame, frameStats);
        }
        for (Detector d : detectors) {
            d.onVideo(frameStats);
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
            tracker.observe(block.ptsSeconds(), Instant.now());
        }
        if (loudness != null) {
            loudness.process(block);
            if (audioLevels == null) {
                tracker.advance(block.ptsSeconds());
                return;
            }
        }
        audioLevels.compute(block, audioStats);
        for (Detector d : detectors) {
            d.onAudio(audioStats);
        }
        tracker.advance(audioStats.ptsSeconds);
    }

    /**
     * No frame has come for a while (called by the analysing thread, never concurrently with the frames): lets the
     * wall-clock detectors (stall) look at the time.
     */
    public void onIdle(long nowNanos) {
        for (Detector d : detectors) {
            d.onIdle(nowNanos);
        }
    }

    /** The input ended: every alarm still firing resolves at its detector's last time. */
    public void finish() {
        tracker.inputEnding();
        for (Detector d : detectors) {
            d.finish(lastVideoSeconds, audioEndSeconds);
        }
    }

    /**
     * The latest key figures, for a service's live charts (call on the analysing thread): lumaMean, darkFraction,
     * mafd, blockiness from the last video frame; rmsDbfs (loudest channel) of the last audio block; momentaryLufs
     * and shortTermLufs when loudness is measured. Figures not measured are left out.
     */
    public void sample(java.util.Map<String, Double> out) {
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
        }
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

    @Override
    public void close() {
        if (videoStatistics != null) {
            videoStatistics.close();
        }
        if (startFrames != null) {
            startFrames.close();
        }
    }
}
