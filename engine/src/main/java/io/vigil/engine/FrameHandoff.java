package io.vigil.engine;

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
    /** A source more than this far ahead of the wall clock is not live: it waits rather than loses frames. */
    private static final double REAL_TIME_SLACK_SECONDS = 1.0;
    /** How often the analysing thread wakes up when no frame arrives, to let wall-clock detectors (stall) look. */
    static final long IDLE_POLL_MILLIS = 200;

    private static final class Slot {
        final VideoFrame frame = new VideoFrame();
        final AudioBlock audio = new AudioBlock();
        boolean video;
        boolean end;
    }

    private final MediaSink target;
    /** Called on the analysing thread with {@link System#nanoTime()} whenever no frame came for a poll interval. */
    private final LongConsumer idle;
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

    /** @param dropWhenFull drop video frames rather than wait when the analysis is behind (live inputs) */
    FrameHandoff(MediaSink target, String name, boolean dropWhenFull) {
        this(target, name, dropWhenFull, now -> { });
    }

    /**
     * @param idle called on the analysing thread (the only thread that calls {@code target}) with the
     *             {@link System#nanoTime()} of each {@link #IDLE_POLL_MILLIS} that passes without a frame
     */
    FrameHandoff(MediaSink target, String name, boolean dropWhenFull, LongConsumer idle) {
        this.target = target;
        this.idle = idle;
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
            rethrow();
            slot = free.poll();
            if (slot == null) {
                if (!aheadOfRealTime(frame.ptsSeconds())) {
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
        publish(slot);
    }

    @Override
    public void onAudio(AudioBlock block) {
        Slot slot = takeFree();
        slot.video = false;
        slot.audio.copyFrom(block);
        publish(slot);
    }

    /**
     * Whether the input delivers faster than real time (a file served over the network, say): such an input can
     * wait for the analysis, and only a source that runs in real time must lose frames.
     */
    private boolean aheadOfRealTime(double ptsSeconds) {
        return (ptsSeconds - firstPtsSeconds) - (System.nanoTime() - startedNanos) / 1e9 > REAL_TIME_SLACK_SECONDS;
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
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing a frame to the analysis", e);
        }
    }

    private void publish(Slot slot) {
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
