package io.vigil.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The datagrams a UDP input lost on this host before FFmpeg's reader saw them: those the kernel dropped because the
 * socket's receive buffer was full (the {@code drops} column of {@code /proc/net/udp} and {@code udp6}, found by the
 * inode of FFmpeg's socket), and those FFmpeg's circular buffer dropped on overrun (with {@code overrun_nonfatal}; see
 * {@link FfmpegLog#overruns}). Counted from when the socket opened; read at most as often as the caller polls.
 */
final class UdpDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
    /** Offsets in FFmpeg's URLContext: {@code av_class}, {@code prot}, {@code priv_data} (url.h, stable for years). */
    private static final long URL_PROT = 8;
    private static final long URL_PRIV_DATA = 16;
    /** Offset of {@code udp_fd} in udp.c's UDPContext, after its AVClass pointer. */
    private static final long UDP_FD = 8;

    private final long urlContext;
    /** The socket's inode, or -1 when the kernel's counter could not be found (not Linux, say). */
    private final long inode;
    private final long kernelAtOpen;
    private long queuedBytes;

    private UdpDrops(long urlContext, long inode) {
        this.urlContext = urlContext;
        this.inode = inode;
        long[] now = inode < 0 ? null : socketRow(inode);
        this.kernelAtOpen = now == null ? 0 : now[0];
        FfmpegLog.watchOverruns(urlContext);
    }

    /**
     * For the byte stream {@code urlContext} (the URLContext FFmpeg's avio_open2 made for a udp:// URL, the I/O
     * context's opaque), or null when it is no UDP socket this can follow.
     */
    static UdpDrops of(long urlContext) {
        if (urlContext == 0 || !"udp".equals(cString(NativeMemory.pointerAt(urlContext + URL_PROT)))) {
            return null;
        }
        long priv = NativeMemory.pointerAt(urlContext + URL_PRIV_DATA);
        if (priv == 0 || !"udp".equals(cString(NativeMemory.pointerAt(priv)))) {
            return null;
        }
        int fd = NativeMemory.at(priv + UDP_FD, 4).get(JAVA_INT, 0);
        long inode = -1;
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            if (link.startsWith("socket:[") && link.endsWith("]")) {
                inode = Long.parseLong(link.substring(8, link.length() - 1));
            }
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            inode = -1;
        }
        return new UdpDrops(urlContext, inode);
    }

    /** The first string of the struct at {@code address} (an AVClass's class_name, a URLProtocol's name), or null. */
    private static String cString(long address) {
        if (address == 0) {
            return null;
        }
        long chars = NativeMemory.pointerAt(address);
        return chars == 0 ? null : MemorySegment.ofAddress(chars).reinterpret(64).getString(0, StandardCharsets.US_ASCII);
    }

    /** Whether the kernel's drop counter of the socket is read (else only FFmpeg's overruns count). */
    boolean kernelCounted() {
        return inode >= 0;
    }

    /** Datagrams dropped since the socket opened: the kernel's and FFmpeg's circular buffer's. Reads /proc. */
    long dropped() {
        long kernel = 0;
        if (inode >= 0) {
            long[] row = socketRow(inode);
            if (row != null) {
                kernel = Math.max(0, row[0] - kernelAtOpen);
                queuedBytes = row[1];
            }
        }
        return kernel + FfmpegLog.overruns(urlContext);
    }

    /** Bytes waiting in the socket's receive queue at the last {@link #dropped()}. */
    long queuedBytes() {
        return queuedBytes;
    }

    void close() {
        FfmpegLog.unwatchOverruns(urlContext);
    }

    /** {drops, rx_queue bytes} of the socket with {@code inode}, or null when no table lists it. */
    private static long[] socketRow(long inode) {
        String wanted = Long.toString(inode);
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                if (f.length >= 13 && f[9].equals(wanted)) {
                    String queues = f[4];
                    long rx = Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
                    return new long[] {Long.parseLong(f[12]), rx};
                }
            }
        }
        return null;
    }
}
