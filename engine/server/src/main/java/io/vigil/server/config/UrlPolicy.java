package io.vigil.server.config;

import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import io.vigil.engine.pipeline.InputGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which stream URLs the service opens, from the config file and the API alike: only the schemes the config allows
 * (each then read with FFmpeg's protocol whitelist for that scheme, see {@link InputAddress}, so a playlist cannot
 * lead FFmpeg to local files or other protocols), only hosts {@code limits.hosts} lets streams reach
 * ({@link OutboundPolicy}), only the URL options of the safe set, within their bounds ({@link UrlOptions}), regular
 * files only inside the configured folders (after symbolic links are followed; a FIFO or a device would block an
 * open for ever), no control characters or spaces, and at most {@code maxUrlLength} characters.
 *
 * <p>{@link #refusal} judges a URL when a stream is added; {@link #guard} judges it again at each open, with every
 * URL FFmpeg opens on its behalf (playlists, segments, keys), just before FFmpeg connects.
 */
public final class UrlPolicy {
    private final ServeConfig.Limits limits;
    private final OutboundPolicy hosts;

    public UrlPolicy(ServeConfig.Limits limits) {
        this.limits = limits;
        this.hosts = new OutboundPolicy(limits.hosts());
    }

    /** Returns null when {@code url} may be a stream, else one sentence saying why not. */
    public String refusal(String url) {
        if (url == null || url.isBlank()) {
            return "A stream needs a url.";
        }
        if (url.length() > limits.maxUrlLength()) {
            return "The url is " + url.length() + " characters long; at most " + limits.maxUrlLength() + " are allowed.";
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return "The url holds a space or a control character; percent-encode it.";
            }
        }
        if (InputAddress.stdin(url)) {
            return "Standard input ('" + url + "') is for vigil analyze; a stream reads a file or a URL.";
        }
        int sep = url.indexOf("://");
        boolean file = sep <= 0 || url.substring(0, sep).equalsIgnoreCase("file");
        if (file) {
            return fileRefusal(url);
        }
        String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!limits.allowedSchemes().contains(scheme)) {
            return "The scheme '" + scheme + "' is not allowed here; allowed: "
                    + String.join(", ", limits.allowedSchemes()) + ".";
        }
        try {
            InputAddress.parse(url);
        } catch (InputException e) {
            return e.getMessage();
        }
        return networkRefusal(url, OutboundPolicy.Resolution.LATER);
    }

    /**
     * What vets a stream's URL at each open and every URL FFmpeg opens for it: files inside {@code fileDirs} and
     * regular, options of the safe set, hosts {@code limits.hosts} lets through (a name that does not resolve is
     * refused here).
     */
    public InputGuard guard() {
        return this::openRefusal;
    }

    private String openRefusal(String url) {
        if (readsFile(url)) {
            String path = url.regionMatches(true, 0, "file:", 0, 5) ? url.substring(5) : url;
            try {
                return fileRefusal(Path.of(path), "streams");
            } catch (InvalidPathException e) {
                return "'" + path + "' is not a valid file path.";
            }
        }
        return networkRefusal(url, OutboundPolicy.Resolution.REQUIRED);
    }

    private String networkRefusal(String url, OutboundPolicy.Resolution resolution) {
        InputAddress.Target target = InputAddress.target(url);
        String why = UrlOptions.refusal(target);
        return why != null ? why : hosts.refusal(target, resolution);
    }

    /**
     * Whether FFmpeg reads {@code url} with its file protocol: a {@code file:} URL, or anything whose scheme is not
     * followed by ':' (FFmpeg's url_find_protocol).
     */
    private static boolean readsFile(String url) {
        int n = 0;
        while (n < url.length() && (Character.isLetterOrDigit(url.charAt(n)) && url.charAt(n) < 0x80
                || "+-.".indexOf(url.charAt(n)) >= 0)) {
            n++;
        }
        return n == 0 || n == url.length() || url.charAt(n) != ':' || url.substring(0, n).equalsIgnoreCase("file");
    }

    private String fileRefusal(String url) {
        Path path;
        try {
            path = Path.of(InputAddress.parse(url).url());
        } catch (InputException | IllegalArgumentException e) {
            return "The url is neither a valid URL nor a valid file path.";
        }
        return fileRefusal(path, "streams");
    }

    /**
     * Null when every file of {@code paths} (comma-separated, as a detector's picture files are written) may be read
     * for a stream: a stream's own settings come from the API too, so the files they name (a logo, slate cards) are
     * held to the folders file streams are, and a path outside them is refused before anything asks whether it
     * exists.
     */
    public String pictureFilesRefusal(String paths) {
        for (String p : paths.split(",")) {
            if (p.isBlank()) {
                continue;
            }
            String why;
            try {
                why = fileRefusal(Path.of(p.trim()), "a stream's picture files");
            } catch (IllegalArgumentException e) {
                why = "'" + p.trim() + "' is not a file path.";
            }
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /**
     * Null when {@code path} is absolute, inside one of {@code fileDirs} and, when it exists, a regular file;
     * {@code what} names what may be read there, for the messages.
     */
    private String fileRefusal(Path path, String what) {
        if (limits.fileDirs().isEmpty()) {
            return "Files cannot be " + what + " here: the config names no folders in limits.fileDirs.";
        }
        if (!path.isAbsolute()) {
            return "The file " + path + " needs an absolute path inside one of limits.fileDirs.";
        }
        Path real = path.normalize();
        try {
            if (Files.exists(real)) {
                real = real.toRealPath();
            }
        } catch (IOException e) {
            return "Cannot resolve " + path + ": " + e.getMessage() + ".";
        }
        boolean inside = false;
        for (Path dir : limits.fileDirs()) {
            Path base = dir.toAbsolutePath().normalize();
            try {
                base = Files.exists(base) ? base.toRealPath() : base;
            } catch (IOException e) {
                continue;
            }
            inside |= real.startsWith(base);
        }
        if (!inside) {
            return "The file " + path + " is outside the folders " + what + " may be read from (limits.fileDirs).";
        }
        // Asked of the file system without opening it: opening a FIFO waits for a writer, for ever.
        if (Files.exists(real) && !Files.isRegularFile(real)) {
            return path + " is not a regular file (a FIFO, a device or a folder): only regular files can be " + what
                    + ".";
        }
        return null;
    }
}
