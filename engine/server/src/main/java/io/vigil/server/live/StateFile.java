package io.vigil.server.live;

import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;

/** A file in the state folder written whole: a temp file moved over the old one, so a crash leaves one or the other. */
public final class StateFile {
    private StateFile() {
    }

    public static void write(ObjectWriter writer, Path file, Object value, FileAttribute<?>... attributes) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        // Made afresh with its attributes (the stream store: owner-only, its URLs may carry secrets).
        Files.deleteIfExists(temp);
        Files.createFile(temp, attributes);
        writer.writeValue(temp.toFile(), value);
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
