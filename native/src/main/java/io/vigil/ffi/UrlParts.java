package io.vigil.ffi;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A URL as FFmpeg itself reads it: split as libavformat's {@code av_url_split} splits it (what every network protocol
 * connects to), and its options as {@code av_find_info_tag} reads them from the query (udp, rtp, tcp and srt take
 * settings from there). Checking the parts FFmpeg will use, rather than a stricter parser's, leaves no room for the
 * two to disagree about the host. Nested protocols ({@code crypto+http://}, {@code crypto:http://}, as HLS opens
 * encrypted segments) are unwrapped to the URL they read.
 *
 * @param scheme   the protocol in lower case; "" for a plain path
 * @param userInfo what stands before the authority's last '@' ("" for none): credentials
 * @param host     what FFmpeg resolves: an IPv6 literal without its brackets; "" when the URL names none
 * @param port     the port, -1 when none is given
 * @param query    what follows the first '?', "" for none
 */
public record UrlParts(String scheme, String userInfo, String host, int port, String query) {
    /** The value shown in place of a secret. */
    public static final String MASK = "***";

    /** Query parameters whose values are secrets (a name holding any of these, in lower case). */
    private static final List<String> SECRET_NAMES = List.of("token", "key", "pass", "pwd", "secret", "sig", "auth",
            "credential", "session", "jwt", "hdnts", "hdnea", "policy");

    /** Splits {@code url} as FFmpeg does; a string without ':' is a plain path (scheme and host ""). */
    public static UrlParts split(String url) {
        String inner = unwrap(url);
        int colon = inner.indexOf(':');
        if (colon < 0) {
            return new UrlParts("", "", "", -1, "");
        }
        String scheme = inner.substring(0, colon).toLowerCase(Locale.ROOT);
        int p = afterSlashes(inner, colon + 1);
        int end = authorityEnd(inner, p);
        int question = inner.indexOf('?');
        String query = question < 0 ? "" : inner.substring(question + 1);
        String userInfo = "";
        int at = inner.lastIndexOf('@', end - 1);
        if (at >= p) {
            userInfo = inner.substring(p, at);
            p = at + 1;
        }
        String host;
        int port = -1;
        int bracket = inner.indexOf(']', p);
        if (p < end && inner.charAt(p) == '[' && bracket >= 0 && bracket < end) {
            host = inner.substring(p + 1, bracket);
            if (bracket + 1 < inner.length() && inner.charAt(bracket + 1) == ':') {
                port = atoi(inner, bracket + 2);
            }
        } else {
            int col = inner.indexOf(':', p);
            if (col >= 0 && col < end) {
                host = inner.substring(p, col);
                port = atoi(inner, col + 1);
            } else {
                host = inner.substring(p, Math.max(p, end));
            }
        }
        return new UrlParts(scheme, userInfo, host, port, query);
    }

    /**
     * The options as a protocol reads them from the query ({@code av_find_info_tag}): pairs split at '&', the name up
     * to '=', a '+' in a value read as a space; a name without '=' has the value "". Empty names are left out.
     */
    public List<Option> options() {
        List<Option> out = new ArrayList<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.isEmpty()) {
                out.add(new Option(name, eq < 0 ? "" : pair.substring(eq + 1).replace('+', ' ')));
            }
        }
        return out;
    }

    /** One option of the query, as the protocol reads it (not percent-decoded, as FFmpeg does not). */
    public record Option(String name, String value) {
    }

    /**
     * Whether FFmpeg, reading this URL, waits for the sender instead of connecting to the host: udp and rtp (which
     * bind the port, and join the host when it is a multicast group), srt with {@code mode=listener}, tcp with
     * {@code listen=1} or {@code 2}.
     */
    public boolean listens() {
        return switch (scheme) {
            case "udp", "rtp" -> true;
            case "srt" -> options().stream().anyMatch(o -> o.name().equals("mode") && o.value().equals("listener"));
            case "tcp" -> options().stream().anyMatch(o -> o.name().equals("listen") && !o.value().isEmpty()
                    && !o.value().equals("0"));
            default -> false;
        };
    }

    /**
     * {@code url} fit to show or log: credentials before '@' and the values of query parameters named like secrets
     * (token, key, pass..., sig, auth...) replaced by {@value #MASK}; a plain path is returned as it is.
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        int colon = url.indexOf(':');
        if (colon <= 0 || !url.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return url;
        }
        int p = afterSlashes(url, colon + 1);
        int end = authorityEnd(url, p);
        StringBuilder out = new StringBuilder(url.length());
        int at = url.lastIndexOf('@', end - 1);
        if (at >= p) {
            out.append(url, 0, p).append(MASK);
            p = at;
        } else {
            p = 0;
        }
        int question = url.indexOf('?');
        if (question < 0) {
            return out.append(url, p, url.length()).toString();
        }
        out.append(url, p, question + 1);
        String[] pairs = url.substring(question + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            if (eq > 0 && secret(pair.substring(0, eq))) {
                out.append(pair, 0, eq + 1).append(MASK);
            } else {
                out.append(pair);
            }
        }
        return out.toString();
    }

    /** Whether a query parameter of this name holds a secret (its name decoded, in lower case, names one). */
    static boolean secret(String name) {
        String plain;
        try {
            plain = URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            plain = name;
        }
        String lower = plain.toLowerCase(Locale.ROOT);
        return SECRET_NAMES.stream().anyMatch(lower::contains);
    }

    /** The URL a nested protocol reads: {@code crypto+http://h/x} and {@code crypto:http://h/x} read http://h/x. */
    private static String unwrap(String url) {
        String u = url;
        while (true) {
            int colon = u.indexOf(':');
            if (colon < 0) {
                return u;
            }
            String scheme = u.substring(0, colon);
            int plus = scheme.lastIndexOf('+');
            if (plus >= 0) {
                u = u.substring(plus + 1);
            } else if (scheme.equalsIgnoreCase("crypto") && u.indexOf(':', colon + 1) > colon) {
                u = u.substring(colon + 1);
            } else {
                return u;
            }
        }
    }

    /** Past the (at most two) slashes FFmpeg skips after the scheme's ':'. */
    private static int afterSlashes(String url, int from) {
        int p = from;
        for (int i = 0; i < 2 && p < url.length() && url.charAt(p) == '/'; i++) {
            p++;
        }
        return p;
    }

    /** Where the authority that starts at {@code from} ends: at the first '/', '?' or '#' (strcspn "/?#"). */
    private static int authorityEnd(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }

    /** C's atoi: leading digits, 0 when there are none. */
    private static int atoi(String s, int from) {
        long v = 0;
        int i = from;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v < Integer.MAX_VALUE) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
