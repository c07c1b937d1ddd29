package io.skep.network.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.network.Cidr;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.VirtualService;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nftables scripts of the overlay driver: what they say, before the kernel reads them (the kit runs them). */
class OverlayDriverRulesTest {

    private static InetAddress ip(String text) {
        return Cidr.literal(text);
    }

    private static final NetworkDefinition NET = NetworkDefinition.builder(
                    "n", 4097, Cidr.parse("198.18.0.0/24"), ip("198.18.0.1"))
            .build();

    @Test
    void everyScriptReplacesItsTableWhole() {
        assertEquals("add table ip t\ndelete table ip t\n", Rules.delete("t"));
        for (String script : List.of(
                Rules.egress("t", NET, "sg-4097"),
                Rules.egress("t", NET.toBuilder().internal(true).build(), "sg-4097"),
                Rules.services("t", List.of(new VirtualService(ip("198.18.0.100"), List.of(ip("198.18.0.5"))))))) {
            assertTrue(script.startsWith("add table ip t\ndelete table ip t\ntable ip t {\n"), script);
        }
        assertEquals(Rules.delete("t"), Rules.services("t", List.of()), "no services: no table");
    }

    @Test
    void aNetworkWithAWayOutIsMasqueradedAndAnInternalOneForwardsNothing() {
        String out = Rules.egress("t", NET, "sg-4097");
        assertTrue(out.contains("ip saddr 198.18.0.0/24 oifname != \"sg-*\" masquerade"), out);
        assertTrue(out.contains("iifname \"sg-4097\" oifname \"sg-*\" drop"), out);
        String internal = Rules.egress("t", NET.toBuilder().internal(true).build(), "sg-4097");
        assertFalse(internal.contains("masquerade"), internal);
        assertTrue(internal.contains("iifname \"sg-4097\" drop") && internal.contains("oifname \"sg-4097\" drop"));
    }

    @Test
    void aVipPicksABackendAtRandomAndOneWithoutBackendsRefuses() {
        String script = Rules.services(
                "skep-lb-4097",
                List.of(
                        new VirtualService(ip("198.18.0.100"), List.of(ip("198.18.0.5"), ip("198.18.0.6"))),
                        new VirtualService(ip("198.18.0.101"), List.of(ip("198.18.0.7"), ip("198.18.0.7"))),
                        new VirtualService(ip("198.18.0.102"), List.of())));
        assertTrue(
                script.contains("ip daddr 198.18.0.100 dnat to numgen random mod 2 map { 0 : 198.18.0.5, 1 :"
                        + " 198.18.0.6 }"),
                script);
        assertTrue(script.contains("ip daddr 198.18.0.101 dnat to 198.18.0.7\n"), "one backend, listed twice");
        assertTrue(script.contains("ip daddr 198.18.0.102 meta l4proto tcp reject with tcp reset"), script);
        assertTrue(script.contains("ip daddr 198.18.0.102 reject with icmp type port-unreachable"), script);
        assertTrue(script.contains("type nat hook output priority -100;"), script);
    }

    @Test
    void aVipTwiceOrAnIpv6AddressIsRefusedNamingIt() {
        VirtualService vip = new VirtualService(ip("198.18.0.100"), List.of());
        assertEquals(
                "VIP 198.18.0.100 is listed twice",
                assertThrows(IllegalArgumentException.class, () -> Rules.services("t", List.of(vip, vip)))
                        .getMessage());
        assertEquals(
                "backend of VIP 198.18.0.100 2001:db8:0:0:0:0:0:5: the overlay driver carries IPv4 only",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Rules.services(
                                        "t",
                                        List.of(new VirtualService(ip("198.18.0.100"), List.of(ip("2001:db8::5"))))))
                        .getMessage());
    }
}
