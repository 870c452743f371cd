package io.vigil.server.live;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.server.StreamSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Logger;

/**
 * The streams a single node was given through its API, kept in {@code <server.stateDir>/streams.json} so that a
 * restart watches them again. Written whole on every change (a temp file moved over the old one: a crash leaves the
 * old list or the new, never half of one). The file holds the URLs as given, secrets included (it is the state the
 * streams are reopened from), so it is readable and writable by its owner only.
 */
public final class StreamStore {
    private static final Logger LOG = Logger.getLogger(StreamStore.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;

    /** A store in {@code stateDir}, which is made when missing; throws when it cannot be. */
    public StreamStore(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the state folder " + stateDir + ": " + e.getMessage(), e);
        }
        this.file = stateDir.resolve("streams.json");
    }

    public Path file() {
        return file;
    }

    /** The streams saved last; none when there is no file yet, or (with a warning) when it cannot be read. */
    public List<StreamSpec> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return MAPPER.readValue(file.toFile(), new TypeReference<List<StreamSpec>>() { });
        } catch (IOException e) {
            LOG.warning("cannot read " + file + " (" + e.getMessage() + "); starting without the streams it held");
            return List.of();
        }
    }

    /** Replaces what is saved with {@code streams}; a failure is logged (the streams run on regardless). */
    synchronized void save(List<StreamSpec> streams) {
        try {
            StateFile.write(MAPPER.writerWithDefaultPrettyPrinter(), file, streams, ownerOnly(file));
        } catch (IOException e) {
            LOG.warning("cannot save the streams to " + file + ": " + e.getMessage());
        }
    }

    /** rw------- where the file system has POSIX permissions; nothing to ask elsewhere. */
    private static FileAttribute<?>[] ownerOnly(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
