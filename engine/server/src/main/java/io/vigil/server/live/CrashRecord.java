package io.vigil.server.live;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Which streams this process is analysing, kept in {@code <server.stateDir>/running.json} so that the next start can
 * tell a crash from a clean exit: the list is emptied only by a clean shutdown. A stream that was being analysed at
 * {@value #UNCLEAN_EXITS_TO_QUARANTINE} unclean exits in a row (native code that kills the JVM on its content, say)
 * starts quarantined, so that one bad feed cannot crash-loop the others; it stays so, across clean restarts too,
 * until released. Written whole on every change (a temp file moved over the old one). Thread-safe.
 */
public final class CrashRecord implements StreamLifecycle {
    /** Unclean exits in a row, with the stream being analysed at each, that quarantine it. */
    static final int UNCLEAN_EXITS_TO_QUARANTINE = 2;
    private static final Logger LOG = Logger.getLogger(CrashRecord.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * What the file holds.
     *
     * @param running the streams being analysed now (after an unclean exit: at the moment it happened)
     * @param uncleanExits by stream, the unclean exits in a row it was being analysed at
     */
    record Saved(List<String> running, Map<String, Integer> uncleanExits) {
    }

    private final Path file;
    private final Set<String> running = new TreeSet<>();
    private final Map<String, Integer> uncleanExits = new TreeMap<>();

    private CrashRecord(Path file) {
        this.file = file;
    }

    /**
     * Reads what the last process left in {@code stateDir} (made when missing): each stream it was still analysing
     * counts one more unclean exit, the others' counts start again (unless they are quarantined). Saves at once,
     * with nothing running yet.
     */
    public static CrashRecord open(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the state folder " + stateDir + ": " + e.getMessage(), e);
        }
        CrashRecord record = new CrashRecord(stateDir.resolve("running.json"));
        Saved last = record.load();
        Set<String> wasRunning = Set.copyOf(last.running() == null ? List.of() : last.running());
        if (last.uncleanExits() != null) {
            last.uncleanExits().forEach((id, n) -> {
                if (n != null && n >= UNCLEAN_EXITS_TO_QUARANTINE) {
                    record.uncleanExits.put(id, n);
                }
            });
        }
        for (String id : wasRunning) {
            int before = last.uncleanExits() == null ? 0 : last.uncleanExits().getOrDefault(id, 0);
            record.uncleanExits.put(id, before + 1);
        }
        if (!wasRunning.isEmpty()) {
            LOG.warning("vigil did not shut down cleanly last time; it was analysing " + wasRunning);
        }
        record.save();
        return record;
    }

    public Path file() {
        return file;
    }

    /** Why {@code id} starts quarantined, one sentence; null when it does not. */
    public synchronized String quarantineReason(String id) {
        int n = uncleanExits.getOrDefault(id, 0);
        if (n < UNCLEAN_EXITS_TO_QUARANTINE) {
            return null;
        }
        return "Quarantined: vigil exited uncleanly " + n + " times in a row while analysing this stream (a crash"
                + " its content may cause). POST /api/streams/" + id + "/release to watch it again.";
    }

    @Override
    public synchronized void analysing(String id) {
        if (running.add(id)) {
            save();
        }
    }

    @Override
    public synchronized void idle(String id) {
        if (running.remove(id)) {
            save();
        }
    }

    /** {@code id} was released from quarantine: its unclean exits are forgotten. */
    public synchronized void forget(String id) {
        if (uncleanExits.remove(id) != null) {
            save();
        }
    }

    /**
     * A clean shutdown: nothing runs, and the streams not quarantined start their count again; the file goes when it
     * holds nothing.
     */
    public synchronized void cleanShutdown() {
        running.clear();
        uncleanExits.values().removeIf(n -> n < UNCLEAN_EXITS_TO_QUARANTINE);
        if (uncleanExits.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warning("cannot remove " + file + ": " + e.getMessage());
            }
        } else {
            save();
        }
    }

    private Saved load() {
        if (!Files.exists(file)) {
            return new Saved(List.of(), Map.of());
        }
        try {
            return MAPPER.readValue(file.toFile(), Saved.class);
        } catch (IOException e) {
            LOG.warning("cannot read " + file + " (" + e.getMessage() + "); no stream starts quarantined");
            return new Saved(List.of(), Map.of());
        }
    }

    private void save() {
        try {
            StateFile.write(MAPPER.writer(), file, new Saved(List.copyOf(running), Map.copyOf(uncleanExits)));
        } catch (IOException e) {
            LOG.warning("cannot save the running streams to " + file + ": " + e.getMessage());
        }
    }
}
