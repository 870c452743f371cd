package io.vigil.engine.pipeline;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stream's thumbnails (`--thumbnails DIR`): keeps the frame where each video condition began, so that the
 * detectors stay free of pixels, and writes it as a small JPEG when the alarm fires. Only a second reference to
 * FFmpeg's buffer is kept (never a copy), and only one frame per condition, as each detector's spec declares its
 * {@link Evidence}:
 * <ul>
 *   <li>a dark run (black; signal_loss shows the same picture): the first black frame, held while the picture stays
 *       black and until its thumbnail is written;</li>
 *   <li>a still reference (freeze): the reference frame that the freeze statistic compares against (the first frozen
 *       frame), which that statistic holds anyway: the same buffer, so it costs no memory;</li>
 *   <li>a condition start (blockiness, blur, colorbars, letterbox, brng, flash, corruption): the frame on which its
 *       condition began ({@link Detector#conditionSinceSeconds}), held while the condition holds; a detector that does
 *       not say where its condition began gets the frame on which its alarm fires.</li>
 * </ul>
 * The StreamAnalyzer feeds it every frame ({@link #before} ahead of the detectors, {@link #after} once the alarms
 * have advanced); the AlarmTracker asks it for a thumbnail when an alarm fires. Files are
 * {@code DIR/<stream>-<detector>-<start in ms>.jpg}, written on the stream's analysis thread, only when an alarm
 * fires. A thumbnail that cannot be written is a notice, and the alarm goes out without one.
 */
public final class StartFrames implements AlarmTracker.ThumbnailSink, AutoCloseable {
    private final Path dir;
    private final String stream;
    private final Consumer<String> notices;
    /** Each detector's evidence, by name, from the specs. */
    private final Map<String, Evidence> evidence;
    /** The dark share that makes a frame black (black's picture threshold), NaN when no dark-run detector runs. */
    private final double blackPictureThreshold;
    /** The still detector's noise tolerance (freeze's), NaN when it does not run. */
    private final double freezeNoise;
    private final ThumbnailWriter writer = new ThumbnailWriter();
    /** Makes a device frame small where it is (the GPU backend); null: the writer scales every frame itself. */
    private final StatisticsEngine backend;

    private final VideoFrame blackStart = new VideoFrame();
    private boolean black;
    private boolean blackNow;
    /** The thumbnail already written for the current black stretch (a later signal_loss or black alarm reuses it). */
    private String blackThumbnail;
    private final VideoFrame freezeReference = new VideoFrame();
    /** The other picture detectors' first frames, one per detector. */
    private final List<RunStart> runStarts = new ArrayList<>();
    /** The frame the detectors are looking at now (between {@link #before} and {@link #after}), else null. */
    private VideoFrame current;

    /** Where one picture detector's current condition began, and that frame. */
    private static final class RunStart {
        final Detector detector;
        final VideoFrame frame = new VideoFrame();
        double sinceSeconds = Double.NaN;

        RunStart(Detector detector) {
            this.detector = detector;
        }
    }

    private StartFrames(Path dir, String stream, Consumer<String> notices, Map<String, Evidence> evidence,
                        double blackPictureThreshold, double freezeNoise, StatisticsEngine backend) {
        this.backend = backend;
        this.evidence = evidence;
        this.dir = dir;
        this.stream = stream;
        this.notices = notices;
        this.blackPictureThreshold = blackPictureThreshold;
        this.freezeNoise = freezeNoise;
    }

    /** A keeper for the video detectors that {@code config} runs, writing into {@code dir} (see {@link #prepare}). */
    public static StartFrames create(VigilConfig config, Path dir, String stream, Consumer<String> notices) {
        return create(config, dir, stream, notices, null);
    }

    /** As {@link #create(VigilConfig, Path, String, Consumer)}, thumbnails made through {@code backend}. */
    public static StartFrames create(VigilConfig config, Path dir, String stream, Consumer<String> notices,
                                     StatisticsEngine backend) {
        Map<String, Evidence> evidence = new HashMap<>();
        double threshold = Double.NaN;
        double noise = Double.NaN;
        for (DetectorSpec spec : DetectorRegistry.standard().specs()) {
            evidence.put(spec.name(), spec.evidence());
            DetectorSettings s = config.detectors().get(spec.name());
            if (s == null || !s.enabled()) {
                continue;
            }
            switch (spec.evidence()) {
                case Evidence.DarkRun d -> threshold = s.number(d.parameter());
                case Evidence.StillReference r -> noise = s.amplitude(r.parameter());
                default -> {
                }
            }
        }
        return new StartFrames(dir, stream, notices, Map.copyOf(evidence), threshold, noise, backend);
    }

    /**
     * Sees every frame {@code analyzer} analyses from now on and makes the thumbnails {@code tracker} asks for when
     * an alarm fires; closed with the analyzer.
     */
    void attach(StreamAnalyzer analyzer, AlarmTracker tracker) {
        analyzer.startFrames(this);
        tracker.thumbnails(this);
    }

    /**
     * Creates {@code dir} if it is missing and checks that files can be written there (by writing and deleting one);
     * throws {@link IOException} with a message for people when they cannot.
     */
    public static void prepare(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".vigil-", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("Cannot write thumbnails to " + dir + ": " + ThumbnailWriter.describe(e), e);
        }
    }

    /** The file name for a thumbnail: the stream id made safe for a file name. */
    static String fileName(String stream, String detector, double startSeconds) {
        String safe = stream.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe + "-" + detector + "-" + Math.round(startSeconds * 1000) + ".jpg";
    }

    /** Keeps first frames for those of these detectors whose evidence is where their condition began. */
    void watch(List<Detector> detectors) {
        for (Detector d : detectors) {
            if (evidenceOf(d.name()) instanceof Evidence.ConditionStart) {
                runStarts.add(new RunStart(d));
            }
        }
    }

    /** {@code detector} was switched off (it failed on the stream's content): its first frame is let go. */
    void unwatch(Detector detector) {
        runStarts.removeIf(run -> {
            if (run.detector != detector) {
                return false;
            }
            run.frame.close();
            return true;
        });
    }

    private Evidence evidenceOf(String detector) {
        return evidence.getOrDefault(detector, Evidence.NONE);
    }

    /** A frame and its statistics, before the detectors see them: notes where conditions begin. */
    void before(VideoFrame frame, FrameStats s) {
        current = frame;
        if (!Double.isNaN(blackPictureThreshold)) {
            blackNow = s.darkFraction >= blackPictureThreshold;
            if (blackNow && !black) {
                black = true;
                blackThumbnail = null;
                blackStart.refFrom(frame);
            }
        }
        // The freeze statistic makes a frame the anchor of a still run when it differs from the run (or is the
        // first): keep the same frame, so that a freeze's first frame is at hand when it fires.
        if (!Double.isNaN(freezeNoise) && !(s.anchorPtsSeconds < s.ptsSeconds)) {
            freezeReference.refFrom(frame);
        }
    }

    /** The detectors and alarms have seen the frame: a black stretch that ended lets its frame go. */
    void after() {
        if (black && !blackNow) {
            black = false;
            blackThumbnail = null;
            blackStart.release();
        }
        for (RunStart run : runStarts) {
            double since = run.detector.conditionSinceSeconds();
            if (Double.isNaN(since)) {
                run.sinceSeconds = Double.NaN;
                run.frame.release();
            } else if (since != run.sinceSeconds) {
                // A condition began on this frame (or was found on it, when back-dated): keep it.
                run.sinceSeconds = since;
                run.frame.refFrom(current);
            }
        }
        current = null;
    }

    @Override
    public String thumbnail(String detector, double startSeconds) {
        Evidence shown = evidenceOf(detector);
        if (shown instanceof Evidence.SameAs same) {
            shown = evidenceOf(same.detector());
        }
        return switch (shown) {
            case Evidence.DarkRun d -> {
                if (blackThumbnail == null && blackStart.isFilled()) {
                    blackThumbnail = write(blackStart, detector, startSeconds);
                    // Written: the picture is no longer needed, only its path.
                    blackStart.release();
                }
                yield blackThumbnail;
            }
            case Evidence.StillReference r -> freezeReference.isFilled()
                    ? write(freezeReference, detector, startSeconds) : null;
            default -> other(detector, startSeconds);
        };
    }

    private String other(String detector, double startSeconds) {
        for (RunStart run : runStarts) {
            if (run.detector.name().equals(detector)) {
                if (run.frame.isFilled()) {
                    String path = write(run.frame, detector, startSeconds);
                    run.frame.release();   // written: the condition's next frames need no picture
                    return path;
                }
                return current != null ? write(current, detector, startSeconds) : null;
            }
        }
        return null;   // not a picture detector (audio, stream)
    }

    private String write(VideoFrame frame, String detector, double startSeconds) {
        Path file = dir.resolve(fileName(stream, detector, startSeconds));
        try {
            if (backend != null) {
                backend.writeThumbnail(frame, writer, file);
            } else {
                writer.write(frame, file);
            }
            return file.toString();
        } catch (ThumbnailWriter.ThumbnailException e) {
            notices.accept(stream + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        for (RunStart run : runStarts) {
            run.frame.close();
        }
        blackStart.close();
        freezeReference.close();
        writer.close();
    }
}
