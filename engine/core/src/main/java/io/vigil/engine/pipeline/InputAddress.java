package io.vigil.engine.pipeline;

import io.vigil.ffi.InputLocation;
import io.vigil.ffi.MediaException;
import io.vigil.ffi.UrlParts;
import java.util.List;

/**
 * Where an input lives, as the pipeline will open it: a local file or a network URL of a scheme vigil reads (each
 * read with FFmpeg's protocol whitelist for that scheme, so a playlist cannot lead FFmpeg to local files).
 *
 * @param url         what is opened: the path of a file (a {@code file:} prefix taken off), else the URL
 * @param remote      whether the input comes over the network (and so is live)
 * @param displayName a name for messages, events and logs: the URL with its secrets masked (see {@link #mask})
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

    /** The schemes of network URLs vigil reads, sorted (http, https, rtmp, ...): the list help and errors give. */
    public static List<String> networkSchemes() {
        return InputLocation.networkSchemes();
    }

    /** Whether {@code input} is standard input: {@code -}, {@code pipe:} or {@code pipe:0}. */
    public static boolean stdin(String input) {
        return InputLocation.stdin(input);
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

    /**
     * {@code input} fit to show or log: a URL's user info and the values of query parameters named like secrets
     * (token, key, passphrase, password, sig, auth...) replaced by {@code ***}; a file path as it is.
     */
    public static String mask(String input) {
        return UrlParts.mask(input);
    }

    /**
     * Where a URL leads FFmpeg, read as FFmpeg reads it (a nested {@code crypto+} protocol unwrapped): what a policy
     * on hosts and URL options checks.
     *
     * @param scheme  the protocol in lower case; "" for a plain path
     * @param host    the host FFmpeg resolves, an IPv6 literal without brackets; "" when the URL names none
     * @param listens whether FFmpeg waits there for the sender rather than connecting (udp, rtp, srt listener, tcp
     *                listen): then the host is a local address or a multicast group
     * @param options the options the protocol reads from the query, in order, as {@code name=value} pairs
     */
    public record Target(String scheme, String host, boolean listens, List<Option> options) {
        public Target {
            options = List.copyOf(options);
        }
    }

    /** One option of a URL's query, as the protocol reads it. */
    public record Option(String name, String value) {
    }

    /** Where {@code url} leads FFmpeg; see {@link Target}. */
    public static Target target(String url) {
        UrlParts parts = UrlParts.split(url);
        return new Target(parts.scheme(), parts.host(), parts.listens(),
                parts.options().stream().map(o -> new Option(o.name(), o.value())).toList());
    }
}
