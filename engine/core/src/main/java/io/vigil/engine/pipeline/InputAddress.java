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
     * Parses a path or URL; throws {@link InputException} (one sentence) for a scheme vigil does not read, or a path
     * or URL that is not one ({@code file:///srv/a b}, a stray {@code %}).
     */
    public static InputAddress parse(String input) {
        try {
            InputLocation location = InputLocation.parse(input);
            return new InputAddress(location.url(), location.remote(), location.displayName());
        } catch (MediaException e) {
            throw new InputException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // URI's and Path's own complaint names the input and the place: "Illegal character in path at index 13".
            String why = e.getMessage() == null ? "" : e.getMessage().replace(": " + input, "");
            throw new InputException("'" + input + "' is not a valid path or URL (" + why
                    + "); write a space as %20 and a % as %25 in a URL.", e);
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
