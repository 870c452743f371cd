package io.vigil.engine.transport;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a stream's {@link TsAnalyzer} found, carried from the thread that reads the input to the one that analyses
 * it: the occurrences in order, with their times put on the stream's media timeline, and counts per check and PID.
 * The reading side marks each input's start ({@link #inputOpened}) and, at its first frame, how its clock maps onto
 * media time ({@link #mapped}); the analysing side {@link #drain}s what is mapped.
 */
public final class TransportFeed implements TsListener {
    /** Occurrences kept waiting for the analysing thread at most: beyond, they are counted but not timed. */
    private static final int MAX_WAITING = 10_000;

    /** What the analysing side hears. */
    public interface Sink {
        void error(TsCheck check, int pid, double mediaSeconds);

        /**
         * A cue that arrived at {@code mediaSeconds}, splicing at {@code spliceSeconds} (its PTS on the media
         * timeline; NaN when it gives none: an immediate splice).
         */
        void splice(SpliceInfo cue, int pid, double mediaSeconds, double spliceSeconds);
    }

    private record Found(TsCheck check, SpliceInfo cue, int pid, double clockSeconds, int input) {
    }

    /** How one input's clock maps onto media time: {@code media = clock - origin + offset}. */
    private record Mapping(double originSeconds, double offsetSeconds) {
    }

    private final TsLimits limits;
    private final ConcurrentLinkedQueue<Found> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final Map<Integer, Mapping> mappings = new ConcurrentHashMap<>();
    private final Map<TsCheck, Map<Integer, Long>> counts = new TreeMap<>();
    private volatile int input;
    private volatile long packetsBefore;
    private volatile long packetsNow;
    /** Datagrams dropped on this host before they were read, over every input; -1 while no input counted them. */
    private volatile long ingestDrops = -1;
    private volatile long rtpLost = -1;
    /** Set by the reading side when the analyser failed on the input's bytes; the analysing side then throws. */
    private volatile RuntimeException failure;

    public TransportFeed(TsLimits limits) {
        this.limits = limits;
    }

    public TsLimits limits() {
        return limits;
    }

    /** Reading side: a new input begins; {@code packetsSoFar} were read from the ones before. */
    public void inputOpened() {
        packetsBefore += packetsNow;
        packetsNow = 0;
        input++;
    }

    /** Reading side: packets the current input's analyser has read so far. */
    public void packetsRead(long packets) {
        packetsNow = packets;
    }

    /**
     * Reading side, at the current input's first frame: its timestamps' origin (seconds of the clock its PCRs and
     * PTSs share) and the offset that places it on the stream's timeline.
     */
    public void mapped(double originSeconds, double offsetSeconds) {
        mappings.put(input, new Mapping(originSeconds, offsetSeconds));
    }

    @Override
    public void error(TsCheck check, int pid, double clockSeconds) {
        synchronized (counts) {
            counts.computeIfAbsent(check, c -> new TreeMap<>()).merge(pid, 1L, Long::sum);
        }
        offer(new Found(check, null, pid, clockSeconds, input));
    }

    @Override
    public void splice(SpliceInfo cue, int pid, double clockSeconds) {
        offer(new Found(null, cue, pid, clockSeconds, input));
    }

    private void offer(Found found) {
        if (waitingCount.get() < MAX_WAITING) {
            waitingCount.incrementAndGet();
            waiting.add(found);
        }
    }

    /**
     * Reading side: the analyser failed on the input's bytes and no longer reads them. The next {@link #drain}
     * throws, so that the detector reading this feed is switched off with a warning as any failing detector is,
     * rather than the checks stopping unseen.
     */
    public void failed(RuntimeException e) {
        failure = e;
    }

    /**
     * Analysing side: hands {@code sink} every occurrence whose input's clock is mapped, in order, at its media time
     * (an occurrence before the input's first PCR, or before its first frame's time, goes at the input's start).
     */
    public void drain(Sink sink) {
        RuntimeException failed = failure;
        if (failed != null) {
            throw new IllegalStateException("the transport stream analysis failed on this input's bytes (" + failed
                    + ")", failed);
        }
        for (Found f = waiting.peek(); f != null; f = waiting.peek()) {
            Mapping m = mappings.get(f.input);
            if (m == null) {
                return;
            }
            waiting.poll();
            waitingCount.decrementAndGet();
            // Never before the input's start: the PCR runs ahead of the first PTS by the decoder's buffer delay.
            double at = Double.isNaN(f.clockSeconds) || Double.isNaN(m.originSeconds) ? m.offsetSeconds
                    : Math.max(m.offsetSeconds, f.clockSeconds - m.originSeconds + m.offsetSeconds);
            if (f.check != null) {
                sink.error(f.check, f.pid, at);
            } else {
                double splice = f.cue.ptsTicks() < 0 || Double.isNaN(m.originSeconds) ? Double.NaN
                        : f.cue.ptsTicks() / 90_000.0 - m.originSeconds + m.offsetSeconds;
                sink.splice(f.cue, f.pid, at, splice);
            }
        }
    }

    /**
     * Reading side: the current input's drop counters were read (a UDP input), and moved by {@code droppedDatagrams}.
     */
    public void ingestChecked(long droppedDatagrams) {
        ingestDrops = Math.max(0, ingestDrops) + droppedDatagrams;
    }

    /**
     * Reading side: the current input is RTP and skipped {@code packets} sequence numbers (0: an RTP input opened).
     */
    public void rtpLost(long packets) {
        rtpLost = Math.max(0, rtpLost) + packets;
    }

    /** RTP packets lost before this host (sequence gaps), over every input so far; -1 when no input was RTP. */
    public long rtpLost() {
        return rtpLost;
    }

    /** Datagrams this host dropped before reading them, over every input so far; -1 when no input counts them. */
    public long ingestDrops() {
        return ingestDrops;
    }

    /** Packets read over every input so far. */
    public long packets() {
        return packetsBefore + packetsNow;
    }

    /** Occurrences so far: check (as the standard names it) to PID (as text; "-1": the multiplex) to count. */
    public Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        synchronized (counts) {
            counts.forEach((check, byPid) -> {
                Map<String, Long> pids = new TreeMap<>();
                byPid.forEach((pid, n) -> pids.put(Integer.toString(pid), n));
                out.put(check.standardName(), pids);
            });
        }
        return out;
    }
}
