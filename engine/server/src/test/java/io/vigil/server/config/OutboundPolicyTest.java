package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.pipeline.InputAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The outbound policy: by default loopback, link-local (cloud metadata), unspecified and this machine's own
 * addresses are refused however they are spelt, names are resolved and every address checked; private ranges pass
 * unless denied; {@code limits.hosts} entries widen or narrow that, the most specific entry deciding.
 */
class OutboundPolicyTest {
    /** "This machine": an interface address the tests choose. */
    static final Set<InetAddress> OWN = Set.of(InetAddress.ofLiteral("192.0.2.10"), InetAddress.ofLiteral("127.0.0.1"));

    static String refusal(HostRules rules, String url) {
        return new OutboundPolicy(rules, () -> OWN).refusal(InputAddress.target(url),
                OutboundPolicy.Resolution.REQUIRED);
    }

    static HostRules rules(List<String> allow, List<String> deny) {
        return new HostRules(allow.stream().map(HostRules::entry).toList(), deny.stream().map(HostRules::entry).toList());
    }

    @Test
    void refusesWhatReachesThisMachineOrItsMetadataByDefault() {
        HostRules none = HostRules.DEFAULTS;
        assertThat(refusal(none, "http://127.0.0.1:8321/admin/delete-everything?confirm=yes"))
                .isEqualTo("The address 127.0.0.1 is a loopback address, refused unless limits.hosts.allow names it.");
        assertThat(refusal(none, "http://[::1]:8321/")).contains("The address ::1 is a loopback address");
        assertThat(refusal(none, "http://2130706433/"))
                .isEqualTo("The address 2130706433 (127.0.0.1) is a loopback address, refused unless limits.hosts.allow names it.");
        assertThat(refusal(none, "http://0x7f.1/")).contains("(127.0.0.1) is a loopback address");
        assertThat(refusal(none, "http://0177.0.0.1/")).contains("(127.0.0.1) is a loopback address");
        assertThat(refusal(none, "http://127.1:80/")).contains("(127.0.0.1) is a loopback address");
        assertThat(refusal(none, "http://[::ffff:127.0.0.1]/")).contains("is a loopback address");
        assertThat(refusal(none, "http://localhost:8321/"))
                .startsWith("The host localhost resolves to ").contains("a loopback address");
        // Refused either way: as loopback where the resolver answers for it, as unresolvable where it does not.
        assertThat(refusal(none, "http://LOCALHOST./")).isNotNull();
        assertThat(refusal(none, "http://169.254.169.254/latest/meta-data/"))
                .contains("a link-local address (where cloud metadata services answer)");
        assertThat(refusal(none, "http://[fe80::1]/")).contains("a link-local address");
        assertThat(refusal(none, "http://0.0.0.0:8321/")).contains("an unspecified address");
        assertThat(refusal(none, "http://[::]:8321/")).contains("an unspecified address");
        assertThat(refusal(none, "http://:8321/")).startsWith("The URL names no host, so it reaches 127.0.0.1");
        assertThat(refusal(none, "http://192.0.2.10/")).contains("one of this machine's own addresses");
        assertThat(refusal(none, "rtsp://user:pw@127.0.0.1/cam")).contains("loopback");
        assertThat(refusal(none, "srt://127.0.0.1:9000?mode=caller")).contains("loopback");
        assertThat(refusal(none, "udp://127.0.0.1:1234")).contains("loopback");
        assertThat(refusal(none, "crypto+http://127.0.0.1/seg.ts")).contains("loopback");
        // The last '@' decides the host, as FFmpeg reads it.
        assertThat(refusal(none, "http://example.com@127.0.0.1/")).contains("loopback");
    }

    @Test
    void allowsPublicPrivateAndMulticastHostsAndUrlsThatOnlyListen() {
        HostRules none = HostRules.DEFAULTS;
        for (String url : List.of("http://192.0.2.99/live.m3u8", "http://10.1.2.3/x", "http://172.16.0.1/x",
                "http://192.168.1.20/x", "udp://239.1.1.1:5000", "udp://@239.1.1.1:5000", "udp://@:1234",
                "udp://0.0.0.0:1234", "srt://:9000?mode=listener", "srt://0.0.0.0:9000?mode=listener",
                "tcp://0.0.0.0:9000?listen=1", "http://[2001:db8::1]/x", "rtp://[fd00::5]:5004")) {
            assertThat(refusal(none, url)).as(url).isNull();
        }
    }

    @Test
    void aNameThatDoesNotResolveIsRefusedAtOpenAndLeftForLaterWhenAdded() {
        InputAddress.Target target = InputAddress.target("http://no-such-host.invalid/x");
        OutboundPolicy policy = new OutboundPolicy(HostRules.DEFAULTS, () -> OWN);
        assertThat(policy.refusal(target, OutboundPolicy.Resolution.REQUIRED))
                .isEqualTo("The host no-such-host.invalid does not resolve.");
        assertThat(policy.refusal(target, OutboundPolicy.Resolution.LATER)).isNull();
    }

    @Test
    void theMostSpecificEntryDecides() {
        HostRules loopbackAllowed = HostRules.allowing("127.0.0.1/32");
        assertThat(refusal(loopbackAllowed, "http://127.0.0.1:5000/")).isNull();
        assertThat(refusal(loopbackAllowed, "http://127.0.0.2:5000/")).contains("loopback");
        assertThat(refusal(loopbackAllowed, "http://[::1]:5000/")).contains("loopback");
        // As specific as the default refusal: the config's entry wins.
        assertThat(refusal(HostRules.allowing("127.0.0.0/8"), "http://127.0.0.2/")).isNull();
        // Less specific than a default: the default stands (allowing the world does not open loopback or metadata).
        assertThat(refusal(HostRules.allowing("0.0.0.0/0"), "http://169.254.169.254/")).contains("link-local");
        // This machine's own address inside an allowed range stays refused unless named.
        assertThat(refusal(HostRules.allowing("192.0.2.0/24"), "http://192.0.2.10/")).contains("own addresses");
        assertThat(refusal(HostRules.allowing("192.0.2.10"), "http://192.0.2.10/")).isNull();

        HostRules privateDenied = rules(List.of("10.9.0.0/16"), List.of("10.0.0.0/8", "192.168.0.0/16"));
        assertThat(refusal(privateDenied, "http://10.1.2.3/"))
                .isEqualTo("The address 10.1.2.3 is denied by limits.hosts.deny (10.0.0.0/8).");
        assertThat(refusal(privateDenied, "http://10.9.1.1/")).isNull();
        assertThat(refusal(privateDenied, "http://192.168.1.1/")).contains("denied");
        assertThat(refusal(privateDenied, "http://172.16.0.1/")).isNull();

        HostRules onlyStudio = rules(List.of("203.0.113.0/24"), List.of("0.0.0.0/0", "::/0"));
        assertThat(refusal(onlyStudio, "http://203.0.113.7/")).isNull();
        assertThat(refusal(onlyStudio, "http://198.51.100.1/")).contains("denied by limits.hosts.deny (0.0.0.0/0)");
        assertThat(refusal(onlyStudio, "http://[2001:db8::1]/")).contains("denied");

        // Equal length: deny beats allow.
        assertThat(refusal(rules(List.of("198.51.100.0/24"), List.of("198.51.100.0/24")), "http://198.51.100.1/"))
                .contains("denied");
    }

    @Test
    void nameEntriesDecideForTheirNames() {
        HostRules byName = rules(List.of("localhost", "*.studio.example"), List.of("bad.studio.example"));
        assertThat(refusal(byName, "http://localhost:5000/")).isNull();
        assertThat(refusal(byName, "http://bad.studio.example/"))
                .isEqualTo("The host bad.studio.example is denied by limits.hosts.deny (bad.studio.example).");
        assertThat(refusal(rules(List.of(), List.of("*.example")), "http://a.b.example/")).contains("denied");
        // A name entry says nothing about an address written as such.
        assertThat(refusal(byName, "http://127.0.0.1/")).contains("loopback");
    }
}
