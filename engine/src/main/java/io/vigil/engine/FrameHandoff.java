package io.vigil.engine;

import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Decoding and analysing on two threads. The decoding thread lends each frame by reference (a second reference to
 * FFmpeg's buffer, no pixel copy; audio, which is small, is copied) into a small ring of holders, and one analysing
 * thread hands them to the stream's statistics and detectors in decode order. The decoder waits only when the ring
 * is full, which for a file is the right back-pressure.
 */
final class FrameHandoff implements MediaSink, AutoCloseable {
    static final int SLOTS = 8;

    private static final class Slot {
        final VideoFrame frame = new VideoFrame();
        final AudioBlock audio = new AudioBlock();
        boolean video;
        boolean end;
    }

    private final MediaSink target;
    private final BlockingQueue<Slot> free = new ArrayBlockingQueue<>(SLOTS);
    private final BlockingQueue<Slot> filled = new ArrayBlockingQueue<>(SLOTS + 1);
    private final Slot[] slots = new Slot[SLOTS];
    private final Slot endMarker = new Slot();
    private final Thread worker;
    private volatile Throwable failure;
    private boolean drained;

    FrameHandoff(MediaSink target, String name) {
        this.target = target;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
            free.add(slots[i]);
        }
        endMarker.end = true;
        worker = Thread.ofPlatform().name("analyse-" + name).daemon().start(this::work);
    }

    @Override
    public void onVideo(VideoFrame frame) {
        Slot slot = takeFree();
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
                slot = filled.take();
            } catch (InterruptedException e) {
                return;
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
