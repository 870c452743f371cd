package io.vigil.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * One live channel made in this process: a {@link TsLoop} sent as MPEG-TS over UDP to a port on loopback, each
 * datagram when its PCR says, on a thread of its own, until closed. The bench's channels wait for their receiver
 * only to begin (at a keyframe); an on-air channel ({@link #onAir}) begins at once wherever it is told, as a real
 * channel is on air whether anyone listens. After that, like a real channel, neither waits for the receiver nor
 * minds one that is gone: what is not read in time is lost.
 */
final class LiveSource implements AutoCloseable {
    /** Sleeps shorter than this are not worth a park: the datagram goes now. */
    private static final long SPIN_NANOS = 1_000_000;
    private static final long RECEIVER_POLL_NANOS = 10_000_000;

    private final TsLoop loop;
    private final int port;
    private final int firstPacket;
    private final boolean waitForReceiver;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lateNanos;
    private volatile long datagramsSent;
    /** When the clip's first packet was (or would have been) due, on System.nanoTime's clock; 0 before sending. */
    private volatile long clipStartNanos;

    /**
     * Starts sending {@code loop} to a free port on loopback, from the keyframe about {@code phaseSeconds} into the
     * clip (so that channels started together do not carry their keyframes in step).
     */
    LiveSource(TsLoop loop, double phaseSeconds, String name) {
        this(loop, freePort(), loop.joinPointAt(phaseSeconds), true, name);
    }

    private LiveSource(TsLoop loop, int port, int firstPacket, boolean waitForReceiver, String name) {
        if (firstPacket < 0 || firstPacket >= loop.packets()) {
            throw new IllegalArgumentException("the first packet must be within the clip's " + loop.packets()
                    + ", got " + firstPacket);
        }
        this.loop = loop;
        this.port = port;
        this.firstPacket = firstPacket;
        this.waitForReceiver = waitForReceiver;
        this.thread = Thread.ofPlatform().daemon().name("vigil-bench-source-" + name).start(this::run);
    }

    /**
     * A channel on air: sends {@code loop} to {@code port} on loopback at once, from packet {@code firstPacket} of
     * the clip (any packet: a receiver that binds later joins wherever the channel then is, mid-GOP as a rule), with
     * the clip's own timestamps from there, so that a new one from packet 0 on the same port is an encoder restart.
     */
    static LiveSource onAir(TsLoop loop, int port, int firstPacket, String name) {
        return new LiveSource(loop, port, firstPacket, false, name);
    }

    /** Where a session reads this channel. */
    String url() {
        return "udp://127.0.0.1:" + port;
    }

    /** How far behind its schedule the sender was at its last datagram (a host too busy even to play out). */
    double lateSeconds() {
        return lateNanos / 1e9;
    }

    long datagramsSent() {
        return datagramsSent;
    }

    /** How far into the clip (its current loop) the channel is sending now; 0 before it has begun. */
    long elapsedInClipNanos() {
        long start = clipStartNanos;
        return start == 0 ? 0 : (System.nanoTime() - start) % loop.loopNanos();
    }

    private void run() {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        ByteBuffer datagram = ByteBuffer.allocate(TsLoop.DATAGRAM_BYTES);
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            if (waitForReceiver && !awaitReceiver(channel)) {
                return;
            }
            int soundStart = waitForReceiver ? loop.soundStart(firstPacket) : firstPacket;
            long startNanos = System.nanoTime() - loop.dueNanos(firstPacket);
            clipStartNanos = startNanos;
            long lastDue = 0;
            for (long g = firstPacket; running; g += TsLoop.PACKETS_PER_DATAGRAM) {
                long due = Math.max(lastDue, startNanos + loop.dueNanos(g));
                lastDue = due;
                long wait = due - System.nanoTime();
                if (wait > SPIN_NANOS) {
                    LockSupport.parkNanos(wait);
                }
                lateNanos = Math.max(0, System.nanoTime() - due);
                loop.datagram(g, datagram, soundStart);
                try {
                    channel.write(datagram);
                    datagramsSent++;
                } catch (PortUnreachableException receiverGone) {
                    // The receiver is reopening its input: a live channel goes on regardless.
                }
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException("the bench's source on port " + port + " stopped: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Sends datagrams of null packets (PID 0x1FFF, which a demuxer discards) until two in a row reach a bound port
     * (loopback refuses one sent to a port nobody has bound), so that the receiver gets the clip from its join point,
     * a keyframe, rather than from wherever it happened to bind. False when closed meanwhile.
     */
    private boolean awaitReceiver(DatagramChannel channel) throws IOException {
        ByteBuffer nulls = ByteBuffer.allocate(TsLoop.DATAGRAM_BYTES);
        for (int i = 0; i < TsLoop.PACKETS_PER_DATAGRAM; i++) {
            nulls.put(TsLoop.NULL_PACKET);
        }
        int delivered = 0;
        while (running && delivered < 2) {
            try {
                channel.write(nulls.flip().position(0).limit(TsLoop.DATAGRAM_BYTES));
                delivered++;
            } catch (PortUnreachableException notYet) {
                delivered = 0;
            }
            LockSupport.parkNanos(RECEIVER_POLL_NANOS);
        }
        return running;
    }

    /** A UDP port on loopback that nobody has bound now. */
    static int freePort() {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port on loopback: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
