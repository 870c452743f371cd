package io.vigil.server.config;

import io.vigil.engine.pipeline.InputAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which hosts a stream may reach: the host of its URL and of every URL FFmpeg opens for it. A host name is resolved
 * and every address it resolves to is checked; an IPv4 address in any spelling the system resolver accepts
 * ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.1}) is read as that resolver reads it.
 *
 * <p>How an address is judged: among the entries of {@code limits.hosts} and the default refusals (loopback
 * {@code 127.0.0.0/8} and {@code ::1}; link-local {@code 169.254.0.0/16}, where cloud metadata services answer, and
 * {@code fe80::/10}; unspecified {@code 0.0.0.0/8} and {@code ::}, which reach this machine; each of this machine's
 * own interface addresses), the one with the longest prefix that contains it decides; at equal length an entry of
 * the config beats a default, and a deny beats an allow. An address nothing contains is allowed: private ranges
 * (10/8, 172.16/12, 192.168/16, fc00::/7), where contribution feeds live, are allowed unless denied. A host name that
 * a name entry matches is decided by that entry alone (an exact name beats {@code *.domain}, a longer domain a
 * shorter, a deny an allow), without resolving it.
 *
 * <p>A URL where FFmpeg waits for the sender instead of connecting (udp and rtp, srt {@code mode=listener}, tcp
 * {@code listen=1}) with no host or an unspecified one ({@code udp://@:1234}, {@code udp://0.0.0.0:1234}) names no
 * destination and passes. A connecting URL with no host reaches this machine and is judged as 127.0.0.1 and ::1.
 *
 * <p>The check runs when a stream is added and again each time FFmpeg opens a URL, just before it connects; FFmpeg
 * then resolves the name itself, so a name whose DNS answer changes between the two (DNS rebinding) is not caught.
 */
public final class OutboundPolicy {
    /** How long the list of this machine's addresses is kept before it is read again. */
    private static final long OWN_ADDRESSES_TTL_NANOS = 30_000_000_000L;

    private static final List<Refused> DEFAULT_REFUSED = List.of(
            refused("127.0.0.0/8", "a loopback address"),
            refused("::1", "a loopback address"),
            refused("169.254.0.0/16", "a link-local address (where cloud metadata services answer)"),
            refused("fe80::/10", "a link-local address"),
            refused("0.0.0.0/8", "an unspecified address (it reaches this machine)"),
            refused("::", "an unspecified address (it reaches this machine)"));
    /** What a connecting URL without a host reaches: getaddrinfo's answer for no name. */
    private static final List<InetAddress> THIS_MACHINE = List.of(InetAddress.ofLiteral("127.0.0.1"),
            InetAddress.ofLiteral("::1"));

    private final HostRules rules;
    private final Supplier<Set<InetAddress>> ownAddresses;
    private volatile Set<InetAddress> own = Set.of();
    private volatile long ownReadNanos;
    private volatile boolean ownRead;

    /** The policy of {@code rules}, this machine's addresses read from its network interfaces. */
    public OutboundPolicy(HostRules rules) {
        this(rules, OutboundPolicy::interfaceAddresses);
    }

    /** As the other constructor, with this machine's addresses from {@code ownAddresses} (tests). */
    OutboundPolicy(HostRules rules, Supplier<Set<InetAddress>> ownAddresses) {
        this.rules = rules;
        this.ownAddresses = ownAddresses;
    }

    /** How a host that does not resolve is judged. */
    public enum Resolution {
        /** Refused: the check FFmpeg's open waits on. */
        REQUIRED,
        /** Allowed, to be checked at each open: a source's DNS may be down when the stream is added. */
        LATER
    }

    /** Null when {@code target}'s host may be reached, else one sentence saying why not. */
    public String refusal(InputAddress.Target target, Resolution resolution) {
        String host = target.host();
        if (target.listens() && (host.isEmpty() || isUnspecified(host))) {
            return null;
        }
        if (host.isEmpty()) {
            return judgeAll("The URL names no host, so it reaches", THIS_MACHINE);
        }
        if (host.length() > 253) {
            return "The host name is longer than 253 characters.";
        }
        InetAddress literal = numeric(host);
        if (literal != null) {
            String why = judge(literal);
            // An IPv4 address spelt another way (2130706433, 0x7f.1) is named as the resolver reads it.
            InetAddress read = plain(literal);
            boolean respelt = read instanceof Inet4Address && !host.equals(read.getHostAddress());
            return why == null ? null : "The address " + host + (respelt ? " (" + read.getHostAddress() + ")" : "")
                    + " is " + why + ".";
        }
        String name = normalName(host);
        HostRules.Name byName = nameEntry(name);
        if (byName != null) {
            return rules.deny().contains(byName) ? "The host " + host + " is denied by limits.hosts.deny ("
                    + byName.text() + ")." : null;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return resolution == Resolution.LATER ? null : "The host " + host + " does not resolve.";
        }
        return judgeAll("The host " + host + " resolves to", Arrays.asList(addresses));
    }

    private String judgeAll(String lead, List<InetAddress> addresses) {
        for (InetAddress a : addresses) {
            String why = judge(a);
            if (why != null) {
                return lead + " " + plain(a).getHostAddress() + ", " + why + ".";
            }
        }
        return null;
    }

    /**
     * Null when {@code address} may be reached, else what it is ("a loopback address, refused unless ...", "denied
     * by limits.hosts.deny (...)").
     */
    private String judge(InetAddress address) {
        InetAddress a = plain(address);
        Verdict best = null;
        for (HostRules.Entry e : rules.allow()) {
            best = better(best, a, e, true, false, null);
        }
        for (HostRules.Entry e : rules.deny()) {
            best = better(best, a, e, true, true, null);
        }
        for (Refused r : DEFAULT_REFUSED) {
            best = better(best, a, r.range, false, true, r.what);
        }
        for (InetAddress mine : own()) {
            InetAddress m = plain(mine);
            if (m.isLoopbackAddress() || m.isLinkLocalAddress() || m.isAnyLocalAddress()) {
                continue;   // a default range above says better what it is, and allows as its entry allows
            }
            HostRules.Range range = new HostRules.Range(m.getHostAddress(), m.getAddress(), m.getAddress().length * 8);
            best = better(best, a, range, false, true, "one of this machine's own addresses");
        }
        if (best == null || !best.deny) {
            return null;
        }
        if (best.configured) {
            return "denied by limits.hosts.deny (" + best.range.text() + ")";
        }
        return best.what + ", refused unless limits.hosts.allow names it";
    }

    private static Verdict better(Verdict best, InetAddress a, HostRules.Entry entry, boolean configured, boolean deny,
                                  String what) {
        if (!(entry instanceof HostRules.Range range) || !range.contains(a)) {
            return best;
        }
        Verdict v = new Verdict(range, configured, deny, what);
        return best == null || v.rank() > best.rank() ? v : best;
    }

    /** An entry that contains an address, and how it ranks: longer prefix, then the config's, then deny. */
    private record Verdict(HostRules.Range range, boolean configured, boolean deny, String what) {
        int rank() {
            return range.prefixBits() * 4 + (configured ? 2 : 0) + (deny ? 1 : 0);
        }
    }

    /** The name entry that decides {@code name}, or null: an exact name first, then the longest domain; deny first. */
    private HostRules.Name nameEntry(String name) {
        HostRules.Name best = null;
        int bestRank = -1;
        for (int pass = 0; pass < 2; pass++) {
            boolean deny = pass == 0;
            for (HostRules.Entry e : deny ? rules.deny() : rules.allow()) {
                if (e instanceof HostRules.Name n && n.matches(name)) {
                    int rank = (n.wildcard() ? n.name().length() : 1000) * 2 + (deny ? 1 : 0);
                    if (rank > bestRank) {
                        best = n;
                        bestRank = rank;
                    }
                }
            }
        }
        return best;
    }

    /** A host written as an address: an IPv6 literal, or IPv4 in any form inet_aton reads; else null. */
    static InetAddress numeric(String host) {
        if (host.contains(":")) {
            try {
                return InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        try {
            return Inet4Address.ofPosixLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isUnspecified(String host) {
        InetAddress a = numeric(host);
        return a != null && plain(a).isAnyLocalAddress();
    }

    /** An IPv4-mapped IPv6 address as the IPv4 address it is; a scoped IPv6 address without its scope. */
    private static InetAddress plain(InetAddress a) {
        if (a instanceof Inet6Address six) {
            byte[] b = six.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            try {
                return mapped ? InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)) : InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                return a;
            }
        }
        return a;
    }

    /** A host name as name entries match it: lower case, without a trailing dot. */
    static String normalName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private Set<InetAddress> own() {
        long now = System.nanoTime();
        if (!ownRead || now - ownReadNanos > OWN_ADDRESSES_TTL_NANOS) {
            own = ownAddresses.get();
            ownReadNanos = now;
            ownRead = true;
        }
        return own;
    }

    /** Every address of every interface of this machine, up or down. */
    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                out.addAll(Collections.list(n.getInetAddresses()));
            }
        } catch (SocketException e) {
            // Without the list the loopback and unspecified defaults still stand.
        }
        return out;
    }

    private static Refused refused(String range, String what) {
        return new Refused((HostRules.Range) HostRules.entry(range), what);
    }

    private record Refused(HostRules.Range range, String what) {
    }
}
