package io.vigil.server.evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The evidence folder: the alarms' start pictures and clips, one flat folder of files whose names are their URLs'
 * last segment ({@code /api/evidence/<name>}). Kept for {@code keepHours} and within {@code maxMegabytes}; the
 * oldest files leave first, checked whenever a file is added and when one is asked for. The folder is read at start,
 * so what an earlier run kept stays served within the same budget. A clip announced in an event but not yet written
 * (its post-roll is still coming) is {@link Lookup.Pending}; one that could not be written is
 * {@link Lookup.Failed}.
 *
 * <p>Thread-safe. Clips are written on one thread of its own ({@link #writer()}), never on a stream's threads.
 */
public final class EvidenceStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EvidenceStore.class.getName());
    /** A file this store serves: its own names only, never a path. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}\\.(jpg|mp4|ts)");
    /** Where the start pictures are written before they are named (a hidden folder inside). */
    private static final String INCOMING = ".incoming";
    /** How many failed clips are remembered, with why. */
    private static final int FAILURES_KEPT = 256;
    /**
     * Leftovers older than this (a half-written clip, a picture never named) are an earlier run's, deleted at start;
     * younger ones may be another live store's on the same folder.
     */
    private static final long LEFTOVER_MILLIS = 10 * 60_000L;
    /** Stores opened in this process: part of each one's mark. */
    private static final AtomicLong OPENED = new AtomicLong();

    /** What is known of a name. */
    public sealed interface Lookup {
        /** The file, its content type and size. */
        record Found(Path file, String contentType, long bytes) implements Lookup {
        }

        /** A clip still waiting for its post-roll: ask again in {@code retryAfterSeconds}. */
        record Pending(long retryAfterSeconds) implements Lookup {
        }

        /** A clip that could not be written, and why. */
        record Failed(String reason) implements Lookup {
        }

        /** Not here (never was, or its time or the folder's size ran out). */
        record Missing() implements Lookup {
        }
    }

    private record Entry(long bytes, long modifiedMillis) {
    }

    private final EvidenceSettings settings;
    private final Path dir;
    private final Path incoming;
    private final String urlPrefix;
    /**
     * This store's mark in every name (the time, the process, the store), so that a restarted service never reuses
     * an earlier run's names and two stores on one folder never share one.
     */
    private final String runTag = Long.toString(System.currentTimeMillis(), 36)
            + Long.toString(ProcessHandle.current().pid(), 36) + OPENED.incrementAndGet();
    private final AtomicLong sequence = new AtomicLong();
    /** The files kept, oldest first (guarded by this). */
    private final LinkedHashMap<String, Entry> files = new LinkedHashMap<>();
    private long totalBytes;
    /** Clips announced and not yet written: when each is expected ({@link System#nanoTime}). */
    private final Map<String, Long> pending = new HashMap<>();
    private final LinkedHashMap<String, String> failed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > FAILURES_KEPT;
        }
    };
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("vigil-evidence-writer").daemon().factory());

    private EvidenceStore(EvidenceSettings settings, Path dir, String urlPrefix) {
        this.settings = settings;
        this.dir = dir;
        this.incoming = dir.resolve(INCOMING).resolve(runTag);
        this.urlPrefix = urlPrefix == null ? "" : urlPrefix.replaceAll("/+$", "");
    }

    /**
     * Opens (creating) the folder {@code settings} name under {@code stateDir} and reads what an earlier run kept.
     * {@code urlPrefix} goes in front of {@code /api/evidence/...} in the URLs (a fleet node's advertised URL; "" or
     * null: the URLs are paths on this server). Throws {@link UncheckedIOException} when the folder cannot be used.
     */
    public static EvidenceStore open(EvidenceSettings settings, Path stateDir, String urlPrefix) {
        Path dir = settings.folder(stateDir);
        EvidenceStore store = new EvidenceStore(settings, dir, urlPrefix);
        try {
            Files.createDirectories(store.incoming);
            store.readFolder();
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("Cannot keep evidence in " + dir + ": " + e.getMessage(), e);
        }
        return store;
    }

    public EvidenceSettings settings() {
        return settings;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** Where a stream's start pictures are written first ({@link #keep} names them). */
    public Path incoming() {
        return incoming;
    }

    /** The thread clips are written on. */
    public ExecutorService writer() {
        return writer;
    }

    /** A name no other alarm of this or an earlier run has: {@code base}, this run's mark and a number. */
    public String uniqueStem(String base) {
        String safe = base.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 160) {
            safe = safe.substring(0, 160);
        }
        if (safe.startsWith(".")) {
            safe = "_" + safe.substring(1);
        }
        return safe + "-" + runTag + "-" + sequence.incrementAndGet();
    }

    /** The URL of {@code name}. */
    public String url(String name) {
        return urlPrefix + "/api/evidence/" + name;
    }

    /** Moves {@code written} into the folder as {@code name}; returns its URL, or null when it cannot. */
    public synchronized String keep(Path written, String name) {
        Path target = dir.resolve(name);
        try {
            Files.move(written, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            add(name, Files.size(target));
        } catch (IOException e) {
            LOG.warning("Cannot keep the picture " + written + " as evidence: " + e.getMessage());
            return null;
        }
        prune();
        return url(name);
    }

    /** A clip {@code name} was announced; it is expected in {@code seconds}. */
    public synchronized void expect(String name, double seconds) {
        if (files.containsKey(name) || failed.containsKey(name)) {
            return; // its writer already finished: a post-roll that was all in can be written before it is announced
        }
        pending.put(name, System.nanoTime() + Math.round(Math.max(0, seconds) * 1e9));
    }

    /** The clip {@code name} was written into the folder. */
    public synchronized void written(String name) {
        pending.remove(name);
        try {
            add(name, Files.size(dir.resolve(name)));
        } catch (IOException e) {
            failed.put(name, "the clip was written but cannot be read: " + e.getMessage());
            return;
        }
        prune();
    }

    /** The clip {@code name} could not be written, for {@code reason}. */
    public synchronized void failed(String name, String reason) {
        pending.remove(name);
        failed.put(name, reason);
    }

    /** What {@code name} is now. */
    public synchronized Lookup find(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return new Lookup.Missing();
        }
        prune();
        Entry e = files.get(name);
        if (e != null) {
            return new Lookup.Found(dir.resolve(name), contentType(name), e.bytes());
        }
        Long due = pending.get(name);
        if (due != null) {
            return new Lookup.Pending(Math.max(1, (long) Math.ceil((due - System.nanoTime()) / 1e9)));
        }
        String why = failed.get(name);
        return why != null ? new Lookup.Failed(why) : new Lookup.Missing();
    }

    /** Bytes of the files kept now. */
    public synchronized long totalBytes() {
        return totalBytes;
    }

    /** The names kept now, oldest first. */
    public synchronized List<String> names() {
        return new ArrayList<>(files.keySet());
    }

    static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") ? "image/jpeg" : n.endsWith(".mp4") ? "video/mp4" : "video/mp2t";
    }

    /** Stops the clip writer after the clips it holds (a few seconds at most), and lets its incoming folder go. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            writer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        deleteTree(incoming);
    }

    private static void deleteTree(Path root) {
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warning("Cannot delete " + root + ": " + e.getMessage());
        }
    }

    private void add(String name, long bytes) {
        Entry old = files.remove(name);
        if (old != null) {
            totalBytes -= old.bytes();
        }
        files.put(name, new Entry(bytes, System.currentTimeMillis()));
        totalBytes += bytes;
    }

    /** Lets go of what is too old, then of the oldest until the folder fits its size. */
    private void prune() {
        long oldestKept = System.currentTimeMillis() - Math.round(settings.keepHours() * 3_600_000);
        for (Iterator<Map.Entry<String, Entry>> it = files.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().modifiedMillis() >= oldestKept && totalBytes <= settings.maxBytes()) {
                break;
            }
            it.remove();
            totalBytes -= e.getValue().bytes();
            try {
                Files.deleteIfExists(dir.resolve(e.getKey()));
            } catch (IOException ex) {
                LOG.warning("Cannot delete the expired evidence " + dir.resolve(e.getKey()) + ": " + ex.getMessage());
            }
        }
    }

    /**
     * What an earlier run kept, oldest first; its half-written clips and unnamed pictures are deleted (not those of
     * another store that runs on the folder now: only leftovers older than {@link #LEFTOVER_MILLIS}).
     */
    private void readFolder() throws IOException {
        record Found(String name, long bytes, long modifiedMillis) {
        }
        List<Found> found = new ArrayList<>();
        long staleBefore = System.currentTimeMillis() - LEFTOVER_MILLIS;
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path p : list) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                String name = p.getFileName().toString();
                if (!a.isRegularFile()) {
                    continue;
                }
                if (name.endsWith(".part")) {
                    if (a.lastModifiedTime().toMillis() < staleBefore) {
                        Files.deleteIfExists(p);
                    }
                } else if (NAME.matcher(name).matches()) {
                    found.add(new Found(name, a.size(), a.lastModifiedTime().toMillis()));
                }
            }
        }
        try (DirectoryStream<Path> list = Files.newDirectoryStream(incoming.getParent())) {
            for (Path p : list) {
                if (!p.equals(incoming) && Files.getLastModifiedTime(p).toMillis() < staleBefore) {
                    deleteTree(p);
                }
            }
        }
        found.sort(Comparator.comparingLong(Found::modifiedMillis));
        synchronized (this) {
            for (Found f : found) {
                files.put(f.name(), new Entry(f.bytes(), f.modifiedMillis()));
                totalBytes += f.bytes();
            }
            prune();
        }
    }
}
