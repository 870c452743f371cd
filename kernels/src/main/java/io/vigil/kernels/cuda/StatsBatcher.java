package io.vigil.kernels.cuda;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Gathers frames from every stream into batches for one kernel launch each, as DeepStream's nvstreammux does: a
 * batch goes when it holds a frame from every registered stream (or {@code maxBatch} frames), or when
 * {@code maxLatency} has passed since its first frame. Each stream's analysis thread waits for its own frame's
 * figures, so a stream has one frame on the device at a time and its frames return to the decoder's pool as soon as
 * their statistics are back. What a frame asks for, and what it takes back, is its {@link Request}'s business: the
 * batcher knows no statistic.
 *
 * <p>Two kinds of failure, kept apart. A frame the kernels cannot be given (its {@link Request#describe} throws: a
 * layout the descriptors do not take) is left out of its batch before anything is launched, and only its own stream
 * hears of it ({@link FrameRefusedException}); the other frames of the batch are computed. A failure of the launch
 * itself (a {@link io.vigil.ffi.cuda.CudaException} from {@link CudaStats#run}: a kernel fault, a lost device) fails
 * every frame of the batch with an IllegalStateException carrying the driver's error, which each stream's analysis
 * lets through to its stream boundary (an error event and a restart in serve). Such errors are sticky on a GPU: the
 * context answers every later call with the same error, so every stream on the engine fails the same way until the
 * process (or the engine) is restarted; nothing here retries or hides them.
 */
public final class StatsBatcher implements AutoCloseable {
    /**
     * One stream's frame waiting for its batch. Each stream reuses its own, so the per-frame path allocates nothing;
     * the batching thread calls {@link #describe} and {@link #collect} while the stream's thread waits.
     */
    public abstract static class Request {
        private volatile Thread waiter;
        private volatile boolean done;
        private Throwable failure;
        /** Whether {@link #failure} is this frame's own ({@link #describe} threw) rather than the batch's. */
        private boolean refused;

        /**
         * Describes this request's frame in {@code slot} of the next batch ({@link CudaStats#set} and the like). A
         * throw leaves this frame out of the batch, with the slot given to the next frame, and fails this request
         * alone with {@link FrameRefusedException}.
         */
        protected abstract void describe(CudaStats stats, int slot);

        /** Takes this request's figures from {@code slot} of the batch just run ({@link CudaStats#copyResult}). */
        protected abstract void collect(CudaStats stats, int slot);
    }

    /**
     * This stream's frame could not be described for the kernels (its {@link Request#describe} threw, the cause):
     * nothing was launched for it, and the other frames of its batch were computed.
     */
    public static final class FrameRefusedException extends RuntimeException {
        FrameRefusedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final CudaStats stats;
    private final int maxBatch;
    private final long maxLatencyNanos;
    private final ArrayBlockingQueue<Request> queue;
    private final AtomicInteger streams = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    private long batches;
    private long frames;
    private double kernelMillis;

    public StatsBatcher(CudaStats stats, int maxBatch, Duration maxLatency) {
        if (maxBatch < 1 || maxBatch > stats.capacity()) {
            throw new IllegalArgumentException("maxBatch must be within 1.." + stats.capacity() + ", got " + maxBatch);
        }
        this.stats = stats;
        this.maxBatch = maxBatch;
        this.maxLatencyNanos = maxLatency.toNanos();
        this.queue = new ArrayBlockingQueue<>(maxBatch * 4);
        this.thread = Thread.ofPlatform().name("stats-batcher").daemon().start(this::loop);
    }

    /** A stream starts sending frames: a full batch now needs one more. */
    public void register() {
        streams.incrementAndGet();
    }

    public void unregister() {
        streams.decrementAndGet();
    }

    /** Puts {@code request} in a batch and waits until its figures are collected. Called by many stream threads. */
    public void compute(Request request) {
        if (closed) {
            throw new IllegalStateException("statistics batcher is closed");
        }
        request.failure = null;
        request.refused = false;
        request.done = false;
        request.waiter = Thread.currentThread();
        try {
            queue.put(request);
            while (!request.done) {
                LockSupport.park(this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for GPU statistics", e);
        }
        if (request.failure != null) {
            if (request.refused) {
                throw new FrameRefusedException(request.failure);
            }
            throw new IllegalStateException("GPU statistics failed: " + request.failure.getMessage(), request.failure);
        }
    }

    private void loop() {
        Request[] batch = new Request[maxBatch];
        while (!closed) {
            int n = 0;
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch[n++] = first;
                long deadline = System.nanoTime() + maxLatencyNanos;
                int full = Math.clamp(streams.get(), 1, maxBatch);
                while (n < full) {
                    Request next = queue.poll();
                    if (next == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || (next = queue.poll(left, TimeUnit.NANOSECONDS)) == null) {
                            break;
                        }
                    }
                    batch[n++] = next;
                }
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            }
            run(batch, n);
        }
    }

    private void run(Request[] batch, int n) {
        // Each frame takes the next free slot; one that cannot be described is answered now and leaves no gap.
        int count = 0;
        for (int i = 0; i < n; i++) {
            Request r = batch[i];
            batch[i] = null;
            try {
                r.describe(stats, count);
                batch[count++] = r;
            } catch (RuntimeException e) {
                r.refused = true;
                finish(r, e);
            }
        }
        Throwable failure = null;
        try {
            if (count > 0) {
                stats.run(count);
                synchronized (this) {
                    batches++;
                    frames += count;
                    kernelMillis += stats.lastKernelMillis();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        for (int i = 0; i < count; i++) {
            Request r = batch[i];
            batch[i] = null;
            Throwable own = failure;
            if (own == null) {
                try {
                    r.collect(stats, i);
                } catch (RuntimeException e) {
                    own = e;
                }
            }
            finish(r, own);
        }
    }

    private static void finish(Request r, Throwable failure) {
        r.failure = failure;
        r.done = true;
        LockSupport.unpark(r.waiter);
    }

    /** Batches launched, frames computed, and the kernels' device time, so far. */
    public synchronized Figures figures() {
        return new Figures(batches, frames, kernelMillis, stats.bytesCopiedToHostPerFrame());
    }

    /** What the batcher has done: for the benchmark and the summary. */
    public record Figures(long batches, long frames, double kernelMillis, long bytesToHostPerFrame) {
        public double framesPerBatch() {
            return batches == 0 ? 0 : (double) frames / batches;
        }

        public double kernelMillisPerFrame() {
            return frames == 0 ? 0 : kernelMillis / frames;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Anyone still waiting gets an answer rather than a hang.
        Request r;
        while ((r = queue.poll()) != null) {
            finish(r, new IllegalStateException("statistics batcher closed"));
        }
    }
}
