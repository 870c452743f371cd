package io.vigil.server.config;

import io.vigil.engine.pipeline.InputAddress;
import io.vigil.engine.pipeline.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which stream URLs the service opens, from the config file and the API alike: only the schemes the config allows
 * (each then read with FFmpeg's protocol whitelist for that scheme, see {@link InputAddress}, so a playlist cannot
 * lead FFmpeg to local files or other protocols), files only inside the configured folders (after symbolic links
 * are followed), no control characters or spaces, and at most {@code maxUrlLength} characters.
 */
public final class UrlPolicy {
    private final ServeConfig.Limits limits;

    public UrlPolicy(ServeConfig.Limits limits) {
        this.limits = limits;
    }

    /** Returns null when {@code url} may be opened, else one sentence saying why not. */
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
        return null;
    }

    private String fileRefusal(String url) {
        if (limits.fileDirs().isEmpty()) {
            return "Files cannot be streams here: the config names no folders in limits.fileDirs.";
        }
        Path path;
        try {
            path = Path.of(InputAddress.parse(url).url());
        } catch (InputException | IllegalArgumentException e) {
            return "The url is neither a valid URL nor a valid file path.";
        }
        if (!path.isAbsolute()) {
            return "A file stream needs an absolute path inside one of limits.fileDirs.";
        }
        Path real = path.normalize();
        try {
            if (Files.exists(real)) {
                real = real.toRealPath();
            }
        } catch (IOException e) {
            return "Cannot resolve " + path + ": " + e.getMessage() + ".";
        }
        for (Path dir : limits.fileDirs()) {
            Path base = dir.toAbsolutePath().normalize();
            try {
                base = Files.exists(base) ? base.toRealPath() : base;
            } catch (IOException e) {
                continue;
            }
            if (real.startsWith(base)) {
                return null;
            }
        }
        return "The file " + path + " is outside the folders streams may read (limits.fileDirs).";
    }
}
