package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.alarm.StreamClock;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.kernels.AudioStats;
import io.vigil.kernels.FrameStats;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * No new frames for {@code timeoutSeconds} of wall clock: a live source that stopped sending while its connection
 * stays open (for a file, decoding only stalls when the input itself hangs). The clock is the stream's video, or
 * its audio when it has no video. Unlike every other detector this one watches the wall clock, not media time: the
 * analysing thread calls {@link #onIdle} whenever no frame has come for a moment, on the same thread as the frames.
 *
 * <p>The alarm is raised (after the timeout, which is its raise delay; the {@code duration} setting is not used)
 * with {@code start} at the media time where the last frame before the stall ended; it resolves at the first frame
 * of frames that flow again (one followed by another within {@link #STRAGGLER_SECONDS}: a lone frame in the outage,
 * such as the one the MPEG-TS demuxer hands over when a dead source's read times out, does not end it), or when the
 * input ends or breaks off while it stalls. Its {@code duration} is the outage's wall length ({@code end} is
 * {@code start} plus it: the first frame's media time for a source whose timestamps followed the wall clock, where
 * the frame would have been for one restarted in place with its timestamps reset); {@code clearDelay}, in media
 * time, applies from that first frame. Nothing is watched
 * before the first frame: opening an input has its own timeout. The metric {@code stalledSeconds} is the wall-clock
 * length of the stall so far, {@code stalls} the stalls of the stream so far, this one included; its wall times
 * come from the same clock, so that they say how long it lasted.
 *
 * <p>One outage is one stall, even when a stray frame comes in the middle of it, such as the last frame the MPEG-TS
 * demuxer hands over when a dropped source's read times out: a straggler, a frame that arrives more than
 * {@link #STRAGGLER_SECONDS} later than its predecessor and the media between them say, neither ends nor defers the
 * quiet before a stall (the stall is raised {@code timeoutSeconds} after the last frame that came on time, and counts
 * from it, so that a read timeout at or under the stall's cannot hide an outage); a stall that comes back before the
 * last one resolved (within the clear delay) is the same alarm and the same stall, its length counted from where it
 * began.
 */
public final class StallDetector extends AlarmingDetector {
    public static final String NAME = "stall";

    /**
     * No new frame for 5 s of wall clock (the timeout is the raise delay; duration is not used): longer than a live
     * source's normal burstiness and an HLS segment fetch, well under the 10 s ioTimeout that calls the input broken.
     * Resolved at the first frame that comes again.
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 110)
                    .describe("no new frames", """
                            no new frame (video; audio when there is no video) for `timeoutSeconds` of wall clock
                            after the first one: a live source that stops sending but keeps its connection open.
                            Watched on the analysing thread, which wakes every 200 ms when no frame comes. `start`
                            is where the last frame before the stall ended; it resolves at the first of the frames
                            that flow again (a lone frame in the outage, such as the one a timed-out read hands
                            over, does not end it), or when the input ends or breaks off while stalled. `duration`
                            is the outage's wall length (`end` is `start` plus it), as are `wallStart`/`wallEnd`.
                            Metrics `stalledSeconds` (wall clock), `stalls`""")
                    .alarm(Severity.CRITICAL, 0.0, 0.0)
                    .raiseNote("`timeoutSeconds` (`duration` is not used)")
                    .parameter(ParamSpec.seconds("timeoutSeconds", 5, "wall-clock seconds without a new frame that"
                            + " make a stall")
                            .withNote("beyond a live source's normal burstiness, under the 10 s `ioTimeout` that"
                                    + " calls the input broken"))
                    .reads(Statistic.VIDEO_TIMESTAMPS)
                    .reads(Statistic.AUDIO_LEVELS)
                    .factory(c -> new StallDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    /** Later than this beyond its media time after its predecessor, a lone frame is a straggler, not the source. */
    public static final double STRAGGLER_SECONDS = 1.0;

    private final long timeoutNanos;
    private final StreamClock clock;
    /** The stream clock's {@link StreamClock#nanoTime()} at the last frame on the clock stream; 0 before the first. */
    private long lastFrameNanos;
    private boolean sawFrame;
    private boolean sawVideo;
    /** Media time where the last frame on the clock stream ended. */
    private double lastEndSeconds = Double.NaN;
    /** The last frame that came on time (not a straggler), or that ended a stall: where a stall would begin. */
    private long quietFromNanos;
    private double quietFromEndSeconds = Double.NaN;
    /** Whether a stall is under way (raised). */
    private boolean stalled;
    private long stallStartedNanos;
    /** Media time where the stall began (the alarm's start). */
    private double stallStartSeconds;
    /** While stalled: when the first frame in a while came, and its start; the stall ends there if another follows. */
    private boolean backNanosKnown;
    private long backNanos;
    private double backStartSeconds;
    private double stalledSeconds;
    private long stalls;

    public StallDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings.withTiming(0, settings.clearDelaySeconds(), settings.severity()), tracker);
        this.timeoutNanos = Math.round(settings.number("timeoutSeconds") * 1e9);
        this.clock = tracker.clock();
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
        long now = clock.nanoTime();
        boolean straggler = sawFrame
                && (now - lastFrameNanos) / 1e9 - (endSeconds - lastEndSeconds) > STRAGGLER_SECONDS;
        if (stalled) {
            if (!backNanosKnown || now - backNanos > STRAGGLER_SECONDS * 1e9) {
                // The first frame in a while: the source is back if another follows it soon, else a straggler.
                backNanosKnown = true;
                backNanos = now;
                backStartSeconds = startSeconds;
                sawFrame = true;
                lastFrameNanos = now;
                lastEndSeconds = endSeconds;
                return;
            }
            // Frames flow again: the stall ended where the first of them came.
            stalled = false;
            backNanosKnown = false;
            stalledSeconds = (backNanos - stallStartedNanos) / 1e9;
            alarm.clear(backStartSeconds, wallAt(backNanos),
                    stallStartSeconds + stalledSeconds);
            straggler = false;
        }
        if (!straggler) {
            quietFromNanos = now;
            quietFromEndSeconds = endSeconds;
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
        if (stalled) {
            stalledSeconds = (nowNanos - stallStartedNanos) / 1e9;
        } else if (nowNanos - quietFromNanos >= timeoutNanos) {
            // Timed from the last frame that came on time: a straggler in the quiet neither ends nor defers it.
            stalled = true;
            if (!alarm.firing()) {
                // A new stall; one back within the clear delay goes on from where the alarm's began.
                stalls++;
                stallStartedNanos = quietFromNanos;
                stallStartSeconds = quietFromEndSeconds;
            }
            stalledSeconds = (nowNanos - stallStartedNanos) / 1e9;
            alarm.hold(quietFromEndSeconds, quietFromEndSeconds, wallAt(stallStartedNanos));
        }
    }

    @Override
    public void finish(double lastVideoSeconds, double audioEndSeconds) {
        if (stalled) {
            // Still stalled when the input ends or the stream stops: it lasted until a frame came back alone (the
            // input ended after it), else until now.
            long until = backNanosKnown ? backNanos : clock.nanoTime();
            stalledSeconds = (until - stallStartedNanos) / 1e9;
            alarm.clear(backNanosKnown ? backStartSeconds : lastEndSeconds, wallAt(until),
                    stallStartSeconds + stalledSeconds);
        }
        alarm.finish(lastEndSeconds);
    }

    /** The wall clock at {@code nanos} of the stream clock. */
    private Instant wallAt(long nanos) {
        return clock.now().minusNanos(clock.nanoTime() - nanos);
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
