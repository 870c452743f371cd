package io.vigil.server.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code limits.hosts}: the hosts streams may reach beyond the defaults ({@code allow}) and those they may not
 * ({@code deny}), each entry an address range in CIDR notation ({@code 10.0.0.0/8}, {@code fe80::/10}), one address
 * ({@code 127.0.0.1}, {@code ::1}), a host name ({@code cam1.example.com}) or every name under a domain
 * ({@code *.example.com}). {@link OutboundPolicy} says how they combine with the defaults.
 */
public record HostRules(List<Entry> allow, List<Entry> deny) {
    public static final HostRules DEFAULTS = new HostRules(List.of(), List.of());

    private static final Pattern NAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*\\.?");

    public HostRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** Rules that allow these entries (see {@link #entry}) and deny nothing beyond the defaults. */
    public static HostRules allowing(String... entries) {
        return new HostRules(List.of(entries).stream().map(HostRules::entry).toList(), List.of());
    }

    /** One entry of an allow or deny list. */
    public sealed interface Entry permits Range, Name {
        /** The entry as it is written in the config. */
        String text();
    }

    /**
     * Addresses whose first {@code prefixBits} bits equal {@code network}'s (one address: every bit).
     *
     * @param network 4 bytes for IPv4, 16 for IPv6
     */
    public record Range(String text, byte[] network, int prefixBits) implements Entry {
        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Range r && r.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }

    /**
     * A host name as written in URLs (lower case, no trailing dot); with {@code wildcard}, every name below it
     * ({@code *.example.com}: {@code a.example.com}, {@code b.c.example.com}, not {@code example.com} itself).
     */
    public record Name(String text, String name, boolean wildcard) implements Entry {
        public boolean matches(String host) {
            return wildcard ? host.endsWith("." + name) : host.equals(name);
        }
    }

    /**
     * Parses one entry: {@code ADDRESS/BITS}, {@code ADDRESS}, {@code NAME} or {@code *.NAME}. Throws
     * {@link IllegalArgumentException} with one sentence when it is none of them.
     */
    public static Entry entry(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("an entry must be an address, an address range (CIDR) or a host name");
        }
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        InetAddress parsed = literal(address);
        if (parsed != null) {
            int max = parsed.getAddress().length * 8;
            int bits = max;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("'" + t + "': the prefix length must be 0 to " + max);
                }
            }
            byte[] network = parsed.getAddress();
            return new Range(t, network, bits);
        }
        if (slash >= 0) {
            throw new IllegalArgumentException("'" + t + "' is not an address range (CIDR such as 10.0.0.0/8 or fe80::/10)");
        }
        String name = t.toLowerCase(Locale.ROOT);
        if (name.length() > 253 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + t + "' is neither an address nor a host name");
        }
        boolean wildcard = name.startsWith("*.");
        return new Name(t, OutboundPolicy.normalName(wildcard ? name.substring(2) : name), wildcard);
    }

    /** A dotted-quad IPv4 or an IPv6 literal (brackets allowed), else null. */
    static InetAddress literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            if (t.contains(":")) {
                return InetAddress.ofLiteral(t);
            }
            return t.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? Inet4Address.ofLiteral(t) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
