package io.vigil.engine.pipeline;

import io.vigil.engine.alarm.AlarmTracker;
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
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsRequest;
import java.util.List;
import java.util.Set;

/**
 * One stream's pipeline: computes the statistics its enabled detectors read, hands them to the detectors, and
 * lets the alarm tracker turn their findings into events. Frames are only lent to it; nothing is copied.
 */
public final class StreamAnalyzer implements MediaSink, AutoCloseable {
    private final List<Detector> detectors;
    /** The statistics the running detectors read. */
    private final Set<Statistic> reads;
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

    private StreamAnalyzer(Lineup lineup, AlarmTracker tracker, boolean live, FrameStatistics video,
                           AudioLevels audio) {
        this.detectors = lineup.detectors();
        this.reads = lineup.statistics();
        this.tracker = tracker;
        this.live = live;
        this.videoStatistics = video;
        this.videoNeeded = video != null || reads.contains(Statistic.VIDEO_TIMESTAMPS);
        this.audioLevels = audio;
        this.loudness = reads.contains(Statistic.LOUDNESS) ? loudnessMeterFor(lineup) : null;
    }

    /**
     * Builds the detectors enabled in {@code config} (the registry makes each from its spec), and the statistics they
     * read on {@code backend}.
     */
    public static StreamAnalyzer create(VigilConfig config, AlarmTracker tracker, boolean live, StatisticsEngine backend) {
        Lineup lineup = DetectorRegistry.standard().build(config.detectors(), tracker);
        StatisticsRequest request = videoRequest(lineup);
        FrameStatistics video = request.any() ? backend.open(request) : null;
        AudioLevels audio = lineup.reads(Statistic.AUDIO_LEVELS) ? new AudioLevels(audioConfig(lineup)) : null;
        return new StreamAnalyzer(lineup, tracker, live, video, audio);
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

    /**
     * One loudness meter for the stream, with the sliding window a detector asks for; the detectors that listen hear
     * its steps.
     */
    private static LoudnessMeter loudnessMeterFor(Lineup lineup) {
        LoudnessMeter meter = new LoudnessMeter();
        meter.slidingWindowSeconds(lineup.parameter(StatisticParameter.LOUDNESS_WINDOW));
        for (Detector d : lineup.detectors()) {
            if (d instanceof LoudnessMeter.StepListener listener) {
                meter.addListener(listener);
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
        return reads.contains(statistic);
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
            tracker.observe(frame.ptsSeconds());
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
            tracker.observe(block.ptsSeconds());
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
