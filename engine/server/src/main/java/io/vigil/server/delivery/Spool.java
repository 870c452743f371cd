package io.vigil.server.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The on-disk queue of one webhook: append-only segment files of records, a committed-sequence file, bounded in bytes.
 * Not thread-safe: {@link WebhookSink} calls it under its own lock, except {@link #force} and
 * {@link #persistCommitted}, which touch no shared state but the files.
 *
 * <p>Files in the folder: {@code lock} (held while a sink has the folder open), {@code spool-id} (a UUID made once,
 * the first half of every event id), {@code committed} (decimal sequence number of the last record acknowledged or
 * given up, replaced atomically), {@code seg-<first sequence, 20 digits>.log}. A record is
 * {@code magic u32 | body length u32 | sequence u64 | CRC32C of sequence and body u32 | body}, big-endian; a record
 * whose header or CRC does not check (a write torn by a crash) ends its segment and is cut off.
 */
final class Spool implements AutoCloseable {
    static final int MAGIC = 0x5647_4C31; // "VGL1"
    static final int HEADER_BYTES = 20;
    private static final System.Logger LOG = System.getLogger(WebhookSink.class.getName());

    /** One segment file; {@code lastSequence < firstSequence} while it holds no record. */
    static final class Segment {
        final Path path;
        final FileChannel channel;
        final long firstSequence;
        long lastSequence;
        long sizeBytes;
        long syncedBytes;

        Segment(Path path, FileChannel channel, long firstSequence) {
            this.path = path;
            this.channel = channel;
            this.firstSequence = firstSequence;
            this.lastSequence = firstSequence - 1;
        }
    }

    /** One undelivered record: where its body lies. */
    record Entry(long sequence, Segment segment, long bodyOffset, int bodyLength) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String spoolId;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private final Object commitFileLock = new Object();
    private long persistedCommitted;
    private long committed;
    private long nextSequence;
    private long totalBytes;
    private int droppedAtOpen;

    /** Opens (or creates) the spool in {@code dir}, recovering what an earlier sink left there. */
    Spool(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        // Small segments so that dropping the oldest when full frees little at a time; large enough to be few.
        this.segmentBytes = Math.max(1024, Math.min(4L << 20, maxBytes / 16));
        FileChannel lockCh = null;
        try {
            Files.createDirectories(dir);
            lockCh = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = lockCh.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new IllegalStateException("spool folder " + dir + " is in use by another webhook sink");
            }
            this.lockChannel = lockCh;
            this.lock = l;
            this.spoolId = readOrMakeSpoolId();
            this.committed = readCommitted();
            this.persistedCommitted = committed;
            recover();
        } catch (IOException e) {
            closeQuietly(lockCh);
            throw new UncheckedIOException("cannot open the webhook spool in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockCh);
            throw e;
        }
    }

    String spoolId() {
        return spoolId;
    }

    private String readOrMakeSpoolId() throws IOException {
        Path file = dir.resolve("spool-id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString();
        writeAtomically(file, id + "\n");
        return id;
    }

    private long readCommitted() {
        Path file = dir.resolve("committed");
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            // At least once: without a readable mark, everything still spooled is sent again (receivers dedupe).
            LOG.log(System.Logger.Level.WARNING, "webhook spool " + dir + ": unreadable committed file ("
                    + e.getMessage() + "), redelivering what is spooled");
            return 0;
        }
    }

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted().toList();
        }
        long maxSequence = committed;
        for (int i = 0; i < files.size(); i++) {
            Path path = files.get(i);
            String name = path.getFileName().toString();
            long first = Long.parseLong(name.substring(4, 24));
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment seg = new Segment(path, ch, first);
            long good = scan(seg, i == files.size() - 1);
            seg.sizeBytes = good;
            seg.syncedBytes = good;
            segments.addLast(seg);
            totalBytes += good;
            maxSequence = Math.max(maxSequence, Math.max(seg.lastSequence, first - 1));
        }
        nextSequence = maxSequence + 1;
        deleteAcknowledgedSegments();
        if (totalBytes > maxBytes) { // the bound has shrunk since the spool was written
            roll(); // a fresh tail, so that every older segment may go
            droppedAtOpen = enforceBound();
        }
    }

    /** Undelivered events dropped when opening because the spool was over a (smaller) bound. */
    int droppedAtOpen() {
        return droppedAtOpen;
    }

    /** Reads a segment's records into {@link #pending}; returns the length of its intact prefix. */
    private long scan(Segment seg, boolean last) throws IOException {
        long size = seg.channel.size();
        long pos = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        String torn = null;
        while (pos < size) {
            if (size - pos < HEADER_BYTES) {
                torn = "a partial header";
                break;
            }
            header.clear();
            readFully(seg.channel, header, pos);
            header.flip();
            int magic = header.getInt();
            int length = header.getInt();
            long sequence = header.getLong();
            int crc = header.getInt();
            if (magic != MAGIC || length < 0 || length > size - pos - HEADER_BYTES || sequence <= seg.lastSequence
                    || sequence < seg.firstSequence) {
                torn = "a bad header";
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(seg.channel, body, pos + HEADER_BYTES);
            if (crc(sequence, body.array()) != crc) {
                torn = "a bad checksum";
                break;
            }
            seg.lastSequence = sequence;
            if (sequence > committed) {
                pending.addLast(new Entry(sequence, seg, pos + HEADER_BYTES, length));
            }
            pos += HEADER_BYTES + length;
        }
        if (torn != null) {
            LOG.log(System.Logger.Level.WARNING, "webhook spool " + seg.path + ": skipped " + (size - pos)
                    + " bytes at offset " + pos + " (" + torn + ", a write torn by a crash)");
            if (last) {
                seg.channel.truncate(pos); // appends go on after the last intact record
            }
        }
        return pos;
    }

    static int crc(long sequence, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, sequence));
        crc.update(body);
        return (int) crc.getValue();
    }

    /**
     * Appends one record and returns its sequence number; drops the oldest segments (counting their undelivered
     * records into the returned {@link AppendResult}) when the spool would pass its bound.
     */
    AppendResult append(byte[] body) throws IOException {
        long recordBytes = HEADER_BYTES + (long) body.length;
        if (recordBytes > maxBytes) {
            return new AppendResult(-1, 1);
        }
        Segment tail = segments.peekLast();
        if (tail == null || (tail.sizeBytes > 0 && tail.sizeBytes + recordBytes > segmentBytes)) {
            tail = roll();
        }
        long sequence = nextSequence;
        ByteBuffer record = ByteBuffer.allocate((int) recordBytes);
        record.putInt(MAGIC).putInt(body.length).putLong(sequence).putInt(crc(sequence, body)).put(body).flip();
        long at = tail.sizeBytes;
        try {
            while (record.hasRemaining()) {
                tail.channel.write(record, at + record.position());
            }
        } catch (IOException e) {
            try {
                tail.channel.truncate(at);
            } catch (IOException ignored) {
                // The next open cuts the torn record off by its checksum.
            }
            throw e;
        }
        nextSequence++;
        tail.sizeBytes += recordBytes;
        tail.lastSequence = sequence;
        totalBytes += recordBytes;
        pending.addLast(new Entry(sequence, tail, at + HEADER_BYTES, body.length));
        return new AppendResult(sequence, enforceBound());
    }

    record AppendResult(long sequence, int dropped) {
    }

    private Segment roll() throws IOException {
        Path path = dir.resolve(String.format("seg-%020d.log", nextSequence));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Segment seg = new Segment(path, ch, nextSequence);
        segments.addLast(seg);
        deleteAcknowledgedSegments();
        return seg;
    }

    /** Drops whole oldest segments, never the one appended to, while the spool passes its bound. */
    private int enforceBound() {
        int dropped = 0;
        while (totalBytes > maxBytes && segments.size() > 1) {
            Segment oldest = segments.removeFirst();
            while (!pending.isEmpty() && pending.peekFirst().segment() == oldest) {
                pending.removeFirst();
                dropped++;
            }
            committed = Math.max(committed, oldest.lastSequence);
            delete(oldest);
        }
        return dropped;
    }

    /** Deletes the segments before the last whose every record is acknowledged. */
    void deleteAcknowledgedSegments() {
        while (segments.size() > 1 && segments.peekFirst().lastSequence <= committed) {
            delete(segments.removeFirst());
        }
    }

    private void delete(Segment seg) {
        totalBytes -= seg.sizeBytes;
        closeQuietly(seg.channel);
        try {
            Files.deleteIfExists(seg.path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "webhook spool: cannot delete " + seg.path + ": " + e.getMessage());
        }
    }

    Entry head() {
        return pending.peekFirst();
    }

    /** Reads a record's body; the caller holds the sink's lock, so its segment is not deleted meanwhile. */
    byte[] read(Entry e) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(e.bodyLength());
        readFully(e.segment().channel, body, e.bodyOffset());
        return body.array();
    }

    /** Marks the head acknowledged (delivered or given up) if it still is {@code e}; false when it was dropped. */
    boolean acknowledge(Entry e) {
        if (pending.peekFirst() != e) {
            return false;
        }
        pending.removeFirst();
        committed = Math.max(committed, e.sequence());
        return true;
    }

    long committed() {
        return committed;
    }

    int pendingCount() {
        return pending.size();
    }

    long totalBytes() {
        return totalBytes;
    }

    /** A segment with bytes not yet forced to disk, and how far it had grown when asked. */
    record Unsynced(Segment segment, long sizeBytes) {
        /** Call under the sink's lock once {@link #force} succeeded. */
        void markSynced() {
            segment.syncedBytes = Math.max(segment.syncedBytes, sizeBytes);
        }
    }

    List<Unsynced> unsynced() {
        List<Unsynced> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s.syncedBytes < s.sizeBytes) {
                out.add(new Unsynced(s, s.sizeBytes));
            }
        }
        return out;
    }

    boolean hasUnsynced() {
        for (Segment s : segments) {
            if (s.syncedBytes < s.sizeBytes) {
                return true;
            }
        }
        return false;
    }

    /** fsyncs a segment; called without the sink's lock (it may take milliseconds). */
    static boolean force(Segment s) {
        try {
            s.channel.force(false);
            return true;
        } catch (ClosedChannelException e) {
            return false; // dropped or closed meanwhile: nothing left to keep
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "webhook spool: cannot fsync " + s.path + ": " + e.getMessage());
            return false;
        }
    }

    /** Writes the committed mark (temp file, fsync, rename); never moves it back. Thread-safe. */
    void persistCommitted(long value) {
        synchronized (commitFileLock) {
            if (value <= persistedCommitted) {
                return;
            }
            try {
                writeAtomically(dir.resolve("committed"), value + "\n");
                persistedCommitted = value;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "webhook spool " + dir + ": cannot write the committed mark: "
                        + e.getMessage());
            }
        }
    }

    private void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        // The rename itself is durable once the folder is synced (Linux allows fsync on a directory).
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Not every platform or file system can sync a folder; the rename is still atomic.
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long at = pos;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException("unexpected end of " + ch);
            }
            at += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a file we only read or already synced loses nothing.
            }
        }
    }

    /** Forces and closes every file; the caller has stopped the sender. */
    @Override
    public void close() {
        for (Segment s : segments) {
            force(s);
            closeQuietly(s.channel);
        }
        segments.clear();
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases it too.
        }
        closeQuietly(lockChannel);
    }
}
