package io.vigil.engine.detect;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.config.DetectorSettings;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * No new frames for {@code timeoutSeconds} of wall clock: a live source that stopped sending while its connection
 * stays open (for a file, decoding only stalls when the input itself hangs). The clock is the stream's video, or
 * its audio when it has no video. Unlike every other detector this one watches the wall clock, not media time: the
 * analysing thread calls {@link #onIdle} whenever no frame has come for a moment, on the same thread as the frames.
 *
 * <p>The alarm is raised (after the timeout, which is its raise delay; the {@code duration} setting is not used)
 * with {@code start} at the media time where the last frame before the stall ended; it resolves at the first frame
 * after frames flow again (its {@code end} is that frame's media time, and {@code clearDelay}, in media time,
 * applies from there), or at the last frame when the input ends or breaks off while it stalls. Nothing is watched
 * before the first frame: opening an input has its own timeout. The metric {@code stalledSeconds} is the wall-clock
 * length of the stall so far.
 */
public final class StallDetector extends AlarmingDetector {
    public static final String NAME = "stall";

    private final long timeoutNanos;
    /** Wall clock ({@link System#nanoTime()}) of the last frame on the clock stream; 0 before the first. */
    private long lastFrameNanos;
    private boolean sawFrame;
    private boolean sawVideo;
    /** Media time where the last frame on the clock stream ended. */
    private double lastEndSeconds = Double.NaN;
    /** Whether a stall is under way (raised). */
    private boolean stalled;
    private long stallStartedNanos;
    private double stalledSeconds;
    private long stalls;

    public StallDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings.withTiming(0, settings.clearDelaySeconds(), settings.severity()), tracker);
        this.timeoutNanos = Math.round(settings.number("timeoutSeconds") * 1e9);
    }

    @Override
    public Set<Statistic> reads() {
        return Set.of(Statistic.VIDEO_TIMESTAMPS, Statistic.AUDIO_LEVELS);
    }

    @Override
    public void onVideo(FrameStats s) {
        sawVideo = true;
        frame(s.ptsSeconds, s.endSeconds());
    }

    @Override
    public void onAudio(AudioStats s) {
        if (!sawVideo) {
            frame(s.ptsSeconds, s.endSeconds());
        }
    }

    private void frame(double startSeconds, double endSeconds) {
        long now = System.nanoTime();
        if (stalled) {
            stalled = false;
            stalledSeconds = (now - stallStartedNanos) / 1e9;
            alarm.clear(startSeconds);
        }
        sawFrame = true;
        lastFrameNanos = now;
        lastEndSeconds = endSeconds;
    }

    @Override
    public void onIdle(long nowNanos) {
        if (!sawFrame) {
            return;
        }
        long waited = nowNanos - lastFrameNanos;
        if (stalled) {
            stalledSeconds = waited / 1e9;
        } else if (waited >= timeoutNanos) {
            stalled = true;
            stalls++;
            stallStartedNanos = lastFrameNanos;
            stalledSeconds = waited / 1e9;
            alarm.hold(lastEndSeconds, lastEndSeconds);
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        alarm.finish(lastEndSeconds);
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "no new frames for %.1f s", stalledSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("stalledSeconds", stalledSeconds);
        out.put("stalls", (double) stalls);
    }
}
