package io.vigil.engine.pipeline;

import io.vigil.ffi.InputLocation;
import io.vigil.ffi.MediaException;

/**
 * Where an input lives, as the pipeline will open it: a local file or a network URL of a scheme vigil reads (each
 * read with FFmpeg's protocol whitelist for that scheme, so a playlist cannot lead FFmpeg to local files).
 *
 * @param url         what is opened: the path of a file (a {@code file:} prefix taken off), else the URL
 * @param remote      whether the input comes over the network (and so is live)
 * @param displayName a name for messages and events: the URL without its credentials
 */
public record InputAddress(String url, boolean remote, String displayName) {

    /**
     * Parses a path or URL; throws {@link InputException} for a scheme vigil does not read (and
     * {@link IllegalArgumentException} for a path that is not one).
     */
    public static InputAddress parse(String input) {
        try {
            InputLocation location = InputLocation.parse(input);
            return new InputAddress(location.url(), location.remote(), location.displayName());
        } catch (MediaException e) {
            throw new InputException(e.getMessage(), e);
        }
    }

    /** Whether vigil reads URLs of {@code scheme}, such as {@code srt} or {@code file}. */
    public static boolean readsScheme(String scheme) {
        try {
            parse(scheme + "://x");
            return true;
        } catch (InputException e) {
            return false;
        }
    }
}
