package io.vigil.engine.pipeline;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Decoding and analysing on two threads. The decoding thread lends each frame by reference (a second reference to
 * FFmpeg's buffer, no pixel copy; audio, which is small, is copied) into a small ring of holders, and one analysing
 * thread hands them to the stream's statistics and detectors in decode order. When the ring is full a file's decoder
 * waits (the right back-pressure), while a live input drops the video frame and counts it: a live source cannot
 * be paused, and falling ever further behind it would make every alarm late.
 */
final class FrameHandoff implements MediaSink, AutoCloseable {
    static final int SLOTS = 8;
    /** A live source no further than this behind its best pace waits for the analysis rather than loses frames. */
    private static final double REAL_TIME_SLACK_SECONDS = 1.0;
    /**
     * Over about this much wall time, the share of it the decoding thread spent waiting for the analysis: a live
     * source is dropped only when the analysis is the cause of its delay, not the source itself being late.
     */
    private static final double BLOCKED_WINDOW_SECONDS = 5.0;
    /** The analysis is the bottleneck when the decoding thread waited for it this share of the recent wall time. */
    private static final double BLOCKED_SHARE = 0.5;
    /** How often the analysing thread wakes up when no frame arrives, to let wall-clock detectors (stall) look. */
    static final long IDLE_POLL_MILLIS = 200;

    private static final class Slot {
        final VideoFrame frame = new VideoFrame();
        final AudioBlock audio = new AudioBlock();
        boolean video;
        boolean end;
        /** The first frame or block of an input handed over. */
        boolean inputStart;
    }

    private final MediaSink target;
    /** Called on the analysing thread with {@link System#nanoTime()} whenever no frame came for a poll interval. */
    private final LongConsumer idle;
    /** Called on the analysing thread before the first frame or block of each input. */
    private final Runnable inputStarted;
    private final BlockingQueue<Slot> free = new ArrayBlockingQueue<>(SLOTS);
    private final BlockingQueue<Slot> filled = new ArrayBlockingQueue<>(SLOTS + 1);
    private final Slot[] slots = new Slot[SLOTS];
    private final Slot endMarker = new Slot();
    private final Thread worker;
    private final boolean dropWhenFull;
    private volatile Throwable failure;
    private boolean drained;
    private long droppedFrames;
    private double firstPtsSeconds = Double.NaN;
    private long startedNanos;
    /** Added to every timestamp handed over: keeps one timeline across a live source's reopenings. */
    private double offsetSeconds;
    /** An input has started and nothing of it has been handed over yet (a dropped frame does not count). */
    private boolean inputStartPending;
    /** The least the input has been behind real time (negative: ahead), seconds. */
    private double minLagSeconds;
    /** Seconds the decoding thread waited for a free slot, decayed over {@link #BLOCKED_WINDOW_SECONDS}. */
    private double blockedRecentSeconds;
    private long blockedStampNanos = System.nanoTime();

    /** @param dropWhenFull drop video frames rather than wait when the analysis is behind (live inputs) */
    FrameHandoff(MediaSink target, String name, boolean dropWhenFull) {
        this(target, name, dropWhenFull, now -> { }, () -> { });
    }

    /**
     * @param idle called on the analysing thread (the only thread that calls {@code target}) with the
     *             {@link System#nanoTime()} of each {@link #IDLE_POLL_MILLIS} that passes without a frame
     * @param inputStarted called on the analysing thread before the first frame or block of each input
     *                     ({@link #inputStarted})
     */
    FrameHandoff(MediaSink target, String name, boolean dropWhenFull, LongConsumer idle, Runnable inputStarted) {
        this.target = target;
        this.idle = idle;
        this.inputStarted = inputStarted;
        this.dropWhenFull = dropWhenFull;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
            free.add(slots[i]);
        }
        endMarker.end = true;
        worker = Thread.ofPlatform().name("analyse-" + name).daemon().start(this::work);
    }

    @Override
    public void onVideo(VideoFrame frame) {
        if (Double.isNaN(firstPtsSeconds)) {
            firstPtsSeconds = frame.ptsSeconds();
            startedNanos = System.nanoTime();
        }
        Slot slot;
        if (dropWhenFull) {
            double lagSeconds = (System.nanoTime() - startedNanos) / 1e9
                    - (frame.ptsSeconds() + offsetSeconds - firstPtsSeconds);
            minLagSeconds = Math.min(minLagSeconds, lagSeconds);
            rethrow();
            slot = free.poll();
            if (slot == null) {
                if (!aheadOfRealTime(lagSeconds) && analysisIsBehind()) {
                    droppedFrames++;
                    return;
                }
                slot = takeFree();
            }
        } else {
            slot = takeFree();
        }
        slot.video = true;
        slot.frame.refFrom(frame);
        slot.frame.shiftPts(offsetSeconds);
        publish(slot);
    }

    @Override
    public void onAudio(AudioBlock block) {
        Slot slot = takeFree();
        slot.video = false;
        slot.audio.copyFrom(block);
        slot.audio.shiftPts(offsetSeconds);
        publish(slot);
    }

    /**
     * Whether the input may wait for the analysis rather than lose this frame: it is not further behind real time
     * than it has been at its best (by {@link #REAL_TIME_SLACK_SECONDS}). A file served over the network runs ahead
     * and always waits; a live source that delivers in bursts (an HLS segment at a time, SRT catching up after a
     * connect) waits through the burst; only a source the analysis keeps falling behind loses frames.
     */
    private boolean aheadOfRealTime(double lagSeconds) {
        return lagSeconds - minLagSeconds < REAL_TIME_SLACK_SECONDS;
    }

    /**
     * Whether the decoding thread spent more than {@link #BLOCKED_SHARE} of the recent wall time waiting for the
     * analysis. A source that is itself late (an encoder that cannot keep real time, a slow playlist refresh) falls
     * behind real time without the analysis being slow: its frames are not dropped, as that would not help.
     */
    private boolean analysisIsBehind() {
        decayBlocked(System.nanoTime());
        return blockedRecentSeconds > BLOCKED_SHARE * BLOCKED_WINDOW_SECONDS;
    }

    private void decayBlocked(long nowNanos) {
        double elapsed = (nowNanos - blockedStampNanos) / 1e9;
        blockedRecentSeconds *= Math.exp(-elapsed / BLOCKED_WINDOW_SECONDS);
        blockedStampNanos = nowNanos;
    }

    /**
     * An input (the first, or a reopening) starts (call on the decoding thread before handing over its first frame
     * or block): from now on {@code offsetSeconds} is added to the timestamps of what is handed over, as a reopened
     * live source starts its own timestamps afresh and the analysis needs one timeline; the analysing thread hears of
     * the new input before its first frame or block.
     */
    void inputStarted(double offsetSeconds) {
        this.offsetSeconds = offsetSeconds;
        inputStartPending = true;
    }

    /** Video frames dropped because the analysis was behind a live input. */
    long droppedFrames() {
        return droppedFrames;
    }

    /** Waits until every frame handed over so far has been analysed; rethrows what the analysing thread threw. */
    void drain() {
        if (!drained) {
            drained = true;
            publish(endMarker);
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the analysis to finish", e);
            }
        }
        rethrow();
    }

    private void work() {
        while (true) {
            Slot slot;
            try {
                slot = filled.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (slot == null) {
                try {
                    if (failure == null) {
                        idle.accept(System.nanoTime());
                    }
                } catch (Throwable t) {
                    failure = t;
                }
                continue;
            }
            if (slot.end) {
                return;
            }
            try {
                if (failure == null) {
                    if (slot.inputStart) {
                        inputStarted.run();
                    }
                    if (slot.video) {
                        target.onVideo(slot.frame);
                    } else {
                        target.onAudio(slot.audio);
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                slot.frame.release();
                free.add(slot);
            }
        }
    }

    private Slot takeFree() {
        rethrow();
        Slot slot = free.poll();
        if (slot != null) {
            return slot;
        }
        try {
            long waitFrom = System.nanoTime();
            slot = free.take();
            long now = System.nanoTime();
            decayBlocked(now);
            blockedRecentSeconds += (now - waitFrom) / 1e9;
            return slot;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing a frame to the analysis", e);
        }
    }

    private void publish(Slot slot) {
        slot.inputStart = inputStartPending && !slot.end;
        if (slot.inputStart) {
            inputStartPending = false;
        }
        try {
            filled.put(slot);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing a frame to the analysis", e);
        }
    }

    private void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** Stops the analysing thread (after what was handed over) and frees the holders. */
    @Override
    public void close() {
        try {
            if (!drained) {
                drained = true;
                publish(endMarker);
                worker.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!worker.isAlive()) {
                for (Slot s : slots) {
                    s.frame.close();
                }
            }
        }
    }
}
