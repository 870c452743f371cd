package io.vigil.engine.backend;

import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.cuda.CudaStats;
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
 * their statistics are back.
 */
public final class StatsBatcher implements AutoCloseable {
    /** One frame waiting for its statistics. Each stream reuses its own, so the per-frame path allocates nothing. */
    public static final class Request {
        VideoFrame frame;
        VideoFrame reference;
        int blackThreshold;
        /** Whether signalstats' BRNG count is wanted too (set once by the stream that owns the request). */
        public boolean brng;
        /** cropdetect's integer limit when its bars are wanted too, else -1 (set once by the owning stream). */
        public int letterboxLimit = -1;
        /** Whether Blockiness' sums are wanted too (set once by the owning stream). */
        public boolean blockiness;
        /** Whether Blur's sums are wanted too (set once by the owning stream). */
        public boolean blur;
        /** Whether ColorBars' bars and flatness are wanted too (set once by the owning stream). */
        public boolean colorBars;
        volatile Thread waiter;
        volatile boolean done;
        Throwable failure;
        public long darkCount;
        public long lumaSum;
        public int lumaMin;
        public int lumaMax;
        public long sad;
        public long samples;
        public long brngCount;
        public int barTop;
        public int barBottom;
        public int barLeft;
        public int barRight;
        /** Blockiness' sums: boundary step sum and count, inner step sum and count. */
        public final long[] blockSums = new long[4];
        /** Blur's sums: width sum, edge count, lines. */
        public final long[] blurSums = new long[3];
        /** ColorBars' flatness: flat steps, edge steps, all steps. */
        public final long[] flatSums = new long[3];
        /** Bars matched by ColorBars' best candidate, 0..7. */
        public int barsMatched;
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

    /**
     * Computes {@code frame}'s statistics (SAD against {@code reference} when it is not null) and waits for them.
     * Called by many stream threads at once.
     */
    public void compute(Request request, VideoFrame frame, VideoFrame reference, int blackThreshold) {
        if (closed) {
            throw new IllegalStateException("statistics batcher is closed");
        }
        request.frame = frame;
        request.reference = reference;
        request.blackThreshold = blackThreshold;
        request.failure = null;
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
        } finally {
            request.frame = null;
            request.reference = null;
        }
        if (request.failure != null) {
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
        Throwable failure = null;
        try {
            for (int i = 0; i < n; i++) {
                Request r = batch[i];
                stats.set(i, r.frame, r.reference, r.blackThreshold, r.brng);
                if (r.letterboxLimit >= 0) {
                    stats.setLetterbox(i, r.letterboxLimit);
                }
                if (r.blockiness) {
                    stats.setBlockiness(i, r.frame.layout().bitDepth());
                }
                if (r.blur) {
                    stats.setBlur(i, r.frame.layout().bitDepth());
                }
                if (r.colorBars) {
                    var layout = r.frame.layout();
                    stats.setColorBars(i, layout.bitDepth(), layout.log2ChromaW(), layout.log2ChromaH(),
                            layout.chromaInterleaved());
                }
            }
            stats.run(n);
            for (int i = 0; i < n; i++) {
                Request r = batch[i];
                r.darkCount = stats.darkCount(i);
                r.lumaSum = stats.lumaSum(i);
                r.lumaMin = stats.lumaMin(i);
                r.lumaMax = stats.lumaMax(i);
                r.sad = stats.sad(i);
                r.samples = stats.samples(i);
                r.brngCount = stats.brngCount(i);
                r.barTop = stats.barTop(i);
                r.barBottom = stats.barBottom(i);
                r.barLeft = stats.barLeft(i);
                r.barRight = stats.barRight(i);
                stats.blockinessSums(i, r.blockSums);
                stats.blurSums(i, r.blurSums);
                stats.flatnessSums(i, r.flatSums);
                r.barsMatched = stats.barsMatched(i);
            }
            synchronized (this) {
                batches++;
                frames += n;
                kernelMillis += stats.lastKernelMillis();
            }
        } catch (Throwable t) {
            failure = t;
        }
        for (int i = 0; i < n; i++) {
            Request r = batch[i];
            batch[i] = null;
            r.failure = failure;
            r.done = true;
            LockSupport.unpark(r.waiter);
        }
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
            r.failure = new IllegalStateException("statistics batcher closed");
            r.done = true;
            LockSupport.unpark(r.waiter);
        }
    }
}
