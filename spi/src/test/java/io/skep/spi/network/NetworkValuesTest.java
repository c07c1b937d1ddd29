package io.skep.spi.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network SPI's values: what they accept, what they derive, and the errors that name the bad part. */
class NetworkValuesTest {

    @Test
    void cidrReadsAndWritesTheUsualForm() {
        Cidr c = Cidr.parse("198.18.0.5/24");
        assertEquals("198.18.0.5/24", c.toString());
        assertEquals(Cidr.parse("198.18.0.0/24"), c.network());
        assertTrue(c.contains(Cidr.literal("198.18.0.200")));
        assertFalse(c.contains(Cidr.literal("198.18.1.1")));
        assertEquals(32, Cidr.parse("192.0.2.1").prefixLength());
        assertEquals(
                "prefix length of 198.18.0.0 must be from 0 to 32, got 33",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse("198.18.0.0/33"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/24")); // never looked up
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("198.18.0.0/x"));
    }

    @Test
    void macsAreDockersForAnIpv4Address() {
        assertEquals(
                "02:42:c6:12:00:05",
                MacAddress.fromIpv4((Inet4Address) Cidr.literal("198.18.0.5")).text());
        assertEquals("02:42:aa:bb:cc:dd", MacAddress.parse("02:42:AA:BB:CC:DD").toString());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:aa"));
    }

    @Test
    void aNetworkNeedsItsGatewayInItsSubnet() {
        NetworkDefinition net = NetworkDefinition.builder(
                        "n1", 4097, Cidr.parse("198.18.0.7/24"), Cidr.literal("198.18.0.1"))
                .name("web")
                .options(Map.of("com.docker.network.driver.mtu", "1400"))
                .build();
        assertEquals(Cidr.parse("198.18.0.0/24"), net.subnet());
        assertEquals(Cidr.parse("198.18.0.1/24"), net.gatewayCidr());
        assertFalse(net.internal());
        assertEquals(net.options(), net.toBuilder().build().options());
        assertTrue(net.toBuilder().internal(true).build().internal());
        assertEquals(
                "gateway: 198.18.1.1 is not in the subnet 198.18.0.0/24",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> NetworkDefinition.builder(
                                                "n1", 4097, Cidr.parse("198.18.0.0/24"), Cidr.literal("198.18.1.1"))
                                        .build())
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> NetworkDefinition.builder("n1", 0, Cidr.parse("198.18.0.0/24"), Cidr.literal("198.18.0.1"))
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> NetworkDefinition.builder("n1", 1 << 24, Cidr.parse("198.18.0.0/24"), Cidr.literal("198.18.0.1"))
                        .build());
    }

    @Test
    void anEndpointDerivesItsMacAndChecksItsInterfaceName() {
        Endpoint e = Endpoint.builder("task1", Path.of("/proc/1/ns/net"))
                .address(Cidr.parse("198.18.0.5/24"))
                .build();
        assertEquals("eth0", e.interfaceName());
        assertEquals(MacAddress.parse("02:42:c6:12:00:05"), e.mac());
        assertEquals(
                MacAddress.parse("02:00:00:00:00:01"),
                e.toBuilder().mac(MacAddress.parse("02:00:00:00:00:01")).build().mac());
        assertThrows(
                IllegalArgumentException.class,
                () -> e.toBuilder().interfaceName("a-name-of-16-chr").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> e.toBuilder().interfaceName("eth 0").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> e.toBuilder().addresses(List.of()).build());
        assertEquals(
                "MAC address: none given, and no IPv4 address to derive one from",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Endpoint.builder("t", Path.of("/x"))
                                        .address(Cidr.parse("2001:db8::5/64"))
                                        .build())
                        .getMessage());
    }

    @Test
    void aPeerDefaultsToDockersMac() {
        PeerEndpoint p = PeerEndpoint.of((Inet4Address) Cidr.literal("198.18.0.9"), Cidr.literal("192.0.2.2"));
        assertEquals(MacAddress.parse("02:42:c6:12:00:09"), p.mac());
    }

    @Test
    void aVirtualServiceHoldsACopyOfItsBackends() {
        List<InetAddress> backends = new ArrayList<>(List.of(Cidr.literal("198.18.0.5")));
        VirtualService service = new VirtualService(Cidr.literal("198.18.0.100"), backends);
        backends.add(Cidr.literal("198.18.0.6"));
        assertEquals(List.of(Cidr.literal("198.18.0.5")), service.backends());
        assertThrows(
                UnsupportedOperationException.class, () -> service.backends().clear());
        assertThrows(NullPointerException.class, () -> new VirtualService(null, List.of()));
        assertThrows(NullPointerException.class, () -> new VirtualService(Cidr.literal("198.18.0.100"), null));
        assertTrue(new VirtualService(Cidr.literal("198.18.0.100"), List.of())
                .backends()
                .isEmpty());
    }

    @Test
    void theServiceAddressIsLinkLocalUnlessGiven() {
        NetworkDriverContext.Builder b =
                NetworkDriverContext.builder("node1", Cidr.literal("192.0.2.1"), Path.of("/x"));
        assertEquals(Cidr.literal("169.254.53.53"), b.build().serviceAddress());
        assertEquals(NetworkDriverContext.DEFAULT_SERVICE_ADDRESS, b.build().serviceAddress());
        assertEquals(
                Cidr.literal("198.51.100.53"),
                b.serviceAddress(Cidr.literal("198.51.100.53")).build().serviceAddress());
        assertThrows(NullPointerException.class, () -> b.serviceAddress(null));
    }
}
