package io.vigil.ffi;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where an input lives: a local file or a network URL, and the FFmpeg protocols it may use. A remote URL never gets
 * {@code file}, {@code concat}, {@code subfile}, {@code data} or {@code pipe}, so a playlist or redirect from a
 * server cannot make FFmpeg read local files. Standard input ({@code -}, {@code pipe:0}) gets only {@code pipe}.
 *
 * @param url what is handed to FFmpeg
 * @param scheme the URL scheme, {@code file} for a plain path
 * @param remote whether the input comes over the network
 * @param protocolWhitelist FFmpeg's {@code protocol_whitelist} for this input
 */
public record InputLocation(String url, String scheme, boolean remote, String protocolWhitelist) {

    private static final Map<String, String> REMOTE_PROTOCOLS = Map.ofEntries(
            Map.entry("http", "http,https,tcp,tls,crypto,httpproxy"),
            Map.entry("https", "http,https,tcp,tls,crypto,httpproxy"),
            Map.entry("rtmp", "rtmp,tcp"),
            Map.entry("rtmps", "rtmps,rtmp,tls,tcp"),
            Map.entry("rtsp", "rtsp,rtp,srtp,udp,tcp,tls"),
            Map.entry("rtsps", "rtsps,rtsp,rtp,srtp,udp,tcp,tls"),
            Map.entry("srt", "srt"),
            Map.entry("udp", "udp"),
            Map.entry("rtp", "rtp,udp"),
            Map.entry("tcp", "tcp"));

    /** FFmpeg's protocol for standard input (and the whitelist of such an input). */
    private static final String PIPE = "pipe";

    /**
     * Parses a path or URL; throws {@link MediaException} (stage OPEN, one sentence) for a scheme vigil does not read
     * or a file URL or path that is not one ({@code file:///srv/a b}, {@code file:///%zz}, a NUL).
     */
    public static InputLocation parse(String input) {
        if (input == null || input.isBlank()) {
            throw new MediaException(MediaException.Stage.OPEN, "The input is empty: give a file path or a URL.");
        }
        if (stdin(input)) {
            // Only fd 0: the pipe protocol may read no other descriptor of vigil's.
            return new InputLocation("pipe:0", PIPE, false, PIPE);
        }
        int colon = input.indexOf("://");
        if (colon <= 0) {
            // A plain path; "file:" prefixes are allowed too.
            String path = input.startsWith("file:") ? input.substring("file:".length()) : input;
            try {
                return new InputLocation(Path.of(path).toString(), "file", false, "file");
            } catch (IllegalArgumentException e) {
                throw new MediaException(MediaException.Stage.OPEN, "'" + path + "' is not a valid file path.");
            }
        }
        String scheme = input.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            try {
                String path = URI.create(input).getPath();
                if (path == null || path.isEmpty()) {
                    throw new IllegalArgumentException("no path");
                }
                return new InputLocation(Path.of(path).toString(), "file", false, "file");
            } catch (IllegalArgumentException e) {
                throw new MediaException(MediaException.Stage.OPEN, "'" + input + "' is not a valid file URL"
                        + " (percent-encode spaces and '%' as %20 and %25).");
            }
        }
        String protocols = REMOTE_PROTOCOLS.get(scheme);
        if (protocols == null) {
            throw new MediaException(MediaException.Stage.OPEN, "Unsupported URL scheme '" + scheme + "' in "
                    + UrlParts.mask(input)
                    + ": vigil reads files, standard input (-) and " + String.join(", ", networkSchemes()) + " URLs.");
        }
        return new InputLocation(input, scheme, true, protocols);
    }

    /** The schemes of network URLs vigil reads, sorted: what help and error messages list. */
    public static java.util.List<String> networkSchemes() {
        return REMOTE_PROTOCOLS.keySet().stream().sorted().toList();
    }

    /** Whether {@code input} names standard input: {@code -}, {@code pipe:} or {@code pipe:0}, as FFmpeg writes it. */
    public static boolean stdin(String input) {
        return input.equals("-") || input.equals("pipe:") || input.equals("pipe:0");
    }

    /** Whether this input is standard input (read once, never peeked, never seeked). */
    public boolean pipe() {
        return scheme.equals(PIPE);
    }

    /**
     * A name for messages and logs: the URL with its secrets masked (user info, and query parameters such as token,
     * key, passphrase or sig, see {@link UrlParts#mask}); a file's path as it is.
     */
    public String displayName() {
        return remote ? UrlParts.mask(url) : url;
    }
}
