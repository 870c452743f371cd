package io.vigil.server.config;

import io.vigil.engine.pipeline.InputAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options a stream URL may hand FFmpeg through its query, per protocol (udp, rtp, tcp and srt read settings
 * there; http, rtmp and rtsp send the query to the server and read none): a documented safe set, each with bounds,
 * so that one URL cannot make FFmpeg reserve gigabytes ({@code fifo_size=11000000}), send, or wait without end. The
 * README's "URL options" table lists the same set.
 */
public final class UrlOptions {
    private static final long MIB = 1 << 20;
    private static final long SECOND_MICROS = 1_000_000;
    private static final Pattern WHOLE = Pattern.compile("\\d{1,12}");

    /** What one option accepts. */
    sealed interface Rule permits Whole, Choice, Text, Addresses {
        /** Null when {@code value} is accepted, else what is wrong, to follow "The udp option NAME". */
        String check(String value);
    }

    /** A whole number from {@code min} to {@code max}, in {@code unit}. */
    record Whole(long min, long max, String unit) implements Rule {
        @Override
        public String check(String value) {
            if (!WHOLE.matcher(value).matches()) {
                return "must be a whole number of " + unit;
            }
            long v = Long.parseLong(value);
            if (v < min || v > max) {
                return "=" + value + " is outside its bounds, " + min + " to " + max + " " + unit;
            }
            return null;
        }
    }

    /** One of a few words. */
    record Choice(List<String> values) implements Rule {
        @Override
        public String check(String value) {
            return values.contains(value) ? null : "must be one of " + String.join(", ", values);
        }
    }

    /** Text of {@code minChars} to {@code maxChars} characters; never echoed, as it may be a secret. */
    record Text(int minChars, int maxChars) implements Rule {
        @Override
        public String check(String value) {
            return value.length() >= minChars && value.length() <= maxChars ? null
                    : "must be " + minChars + " to " + maxChars + " characters long";
        }
    }

    /** One to {@code max} IP addresses, separated by commas (a local address, multicast source filters). */
    record Addresses(int max) implements Rule {
        @Override
        public String check(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length > max) {
                return "names more than " + max + " addresses";
            }
            for (String p : parts) {
                if (HostRules.literal(p) == null) {
                    return "must be " + (max == 1 ? "an IP address" : "IP addresses separated by commas");
                }
            }
            return null;
        }
    }

    private static final Rule FLAG = new Choice(List.of("0", "1"));
    private static final Rule PORT = new Whole(0, 65535, "port");
    private static final Rule SOCKET_BUFFER = new Whole(0, 64 * MIB, "bytes");
    private static final Rule TIMEOUT_MICROS = new Whole(0, 60 * SECOND_MICROS, "microseconds");
    private static final Rule TTL = new Whole(0, 255, "hops");

    /** The options each protocol may be given, in the order the README lists them. */
    static final Map<String, Map<String, Rule>> ALLOWED = Map.of(
            "udp", ordered(
                    "buffer_size", SOCKET_BUFFER,
                    "fifo_size", new Whole(0, 131_072, "188-byte packets (24 MiB)"),
                    "overrun_nonfatal", FLAG,
                    "timeout", TIMEOUT_MICROS,
                    "pkt_size", new Whole(1, 65_536, "bytes"),
                    "localport", PORT,
                    "local_port", PORT,
                    "localaddr", new Addresses(1),
                    "reuse", FLAG,
                    "reuse_socket", FLAG,
                    "connect", FLAG,
                    "sources", new Addresses(64),
                    "block", new Addresses(64),
                    "ttl", TTL),
            "rtp", ordered(
                    "buffer_size", SOCKET_BUFFER,
                    "timeout", TIMEOUT_MICROS,
                    "pkt_size", new Whole(1, 65_536, "bytes"),
                    "localport", PORT,
                    "localrtpport", PORT,
                    "localrtcpport", PORT,
                    "rtcpport", PORT,
                    "localaddr", new Addresses(1),
                    "connect", FLAG,
                    "sources", new Addresses(64),
                    "block", new Addresses(64),
                    "ttl", TTL),
            "tcp", ordered(
                    "timeout", TIMEOUT_MICROS,
                    "listen", FLAG,
                    "listen_timeout", new Whole(0, 60_000, "milliseconds"),
                    "recv_buffer_size", SOCKET_BUFFER,
                    "tcp_nodelay", FLAG),
            "srt", ordered(
                    "mode", new Choice(List.of("caller", "listener", "rendezvous")),
                    "latency", new Whole(0, 20 * SECOND_MICROS, "microseconds"),
                    "rcvlatency", new Whole(0, 20 * SECOND_MICROS, "microseconds"),
                    "peerlatency", new Whole(0, 20 * SECOND_MICROS, "microseconds"),
                    "passphrase", new Text(10, 79),
                    "pbkeylen", new Choice(List.of("0", "16", "24", "32")),
                    "enforced_encryption", FLAG,
                    "streamid", new Text(1, 512),
                    "srt_streamid", new Text(1, 512),
                    "timeout", TIMEOUT_MICROS,
                    "listen_timeout", TIMEOUT_MICROS,
                    "connect_timeout", new Whole(0, 60_000, "milliseconds"),
                    "rcvbuf", SOCKET_BUFFER,
                    "recv_buffer_size", SOCKET_BUFFER,
                    "pkt_size", new Whole(1, 1456, "bytes"),
                    "payload_size", new Whole(1, 1456, "bytes"),
                    "mss", new Whole(76, 1500, "bytes"),
                    "ffs", new Whole(32, 65_536, "packets"),
                    "transtype", new Choice(List.of("live", "file")),
                    "tlpktdrop", FLAG,
                    "nakreport", FLAG,
                    "tsbpd", FLAG,
                    "messageapi", FLAG));

    private UrlOptions() {
    }

    /**
     * Null when every option {@code target}'s protocol reads from the query is in its safe set and within its bounds,
     * else one sentence about the first that is not. Protocols that read no options from the query pass.
     */
    public static String refusal(InputAddress.Target target) {
        Map<String, Rule> allowed = ALLOWED.get(target.scheme());
        if (allowed == null) {
            return null;
        }
        Set<String> seen = new HashSet<>();
        for (InputAddress.Option o : target.options()) {
            String lead = "The " + target.scheme() + " option " + o.name();
            Rule rule = allowed.get(o.name());
            if (rule == null) {
                return lead + " is not one vigil passes to FFmpeg; allowed: " + String.join(", ", allowed.keySet())
                        + ".";
            }
            if (!seen.add(o.name())) {
                return lead + " is given twice.";
            }
            String why = rule.check(o.value());
            if (why != null) {
                return lead + (why.startsWith("=") ? "" : " ") + why + ".";
            }
        }
        return null;
    }

    private static Map<String, Rule> ordered(Object... pairs) {
        Map<String, Rule> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], (Rule) pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
