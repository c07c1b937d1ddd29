package io.skep.network.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.network.Cidr;
import io.skep.spi.network.MacAddress;
import io.skep.spi.network.PeerEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the driver reads the kernel's peer table and plans the commands that make it the desired one. */
class PeerTableTest {

    private static final InetAddress SELF = Cidr.literal("192.0.2.1");

    private static PeerEndpoint peer(String address, String node) {
        return PeerEndpoint.of((Inet4Address) Cidr.literal(address), Cidr.literal(node));
    }

    @Test
    void readsTheDevicesEntriesNotTheBridges() {
        String fdb = """
                ae:a2:be:85:88:7e master br0 permanent
                02:42:c6:12:00:03 dst 192.0.2.2 link-netnsid 0 self permanent
                02:42:C6:12:00:04 dst 192.0.2.3 self permanent
                """;
        assertEquals(
                List.of(
                        new PeerTable.FdbEntry("02:42:c6:12:00:03", "192.0.2.2"),
                        new PeerTable.FdbEntry("02:42:c6:12:00:04", "192.0.2.3")),
                PeerTable.parseFdb(fdb));
        String neigh = """
                198.18.0.3 lladdr 02:42:c6:12:00:03 PERMANENT
                198.18.0.9 lladdr 02:42:c6:12:00:09 STALE
                198.18.0.10 FAILED
                """;
        assertEquals(Map.of("198.18.0.3", "02:42:c6:12:00:03"), PeerTable.parseNeighbours(neigh));
    }

    @Test
    void anEmptyDeviceGetsEveryRemotePeerButNotTheLocalOnes() {
        PeerTable.Plan plan = PeerTable.plan(
                "vx-4097",
                List.of(),
                Map.of(),
                List.of(peer("198.18.0.3", "192.0.2.2"), peer("198.18.0.2", "192.0.2.1")),
                SELF);
        assertEquals(
                List.of("fdb replace 02:42:c6:12:00:03 dev vx-4097 dst 192.0.2.2 self permanent"),
                plan.bridgeCommands());
        assertEquals(
                List.of("neigh replace 198.18.0.3 lladdr 02:42:c6:12:00:03 dev vx-4097 nud permanent"),
                plan.ipCommands());
    }

    @Test
    void theSameTableAgainPlansNothing() {
        PeerTable.Plan plan = PeerTable.plan(
                "vx-4097",
                List.of(new PeerTable.FdbEntry("02:42:c6:12:00:03", "192.0.2.2")),
                Map.of("198.18.0.3", "02:42:c6:12:00:03"),
                List.of(peer("198.18.0.3", "192.0.2.2")),
                SELF);
        assertTrue(plan.isEmpty(), plan::toString);
    }

    @Test
    void stalePeersGoAndMovedOnesAreReplaced() {
        PeerTable.Plan plan = PeerTable.plan(
                "vx-4097",
                List.of(
                        new PeerTable.FdbEntry("02:42:c6:12:00:03", "192.0.2.2"),
                        new PeerTable.FdbEntry("02:42:c6:12:00:04", "192.0.2.2")),
                Map.of("198.18.0.3", "02:42:c6:12:00:03", "198.18.0.4", "02:42:c6:12:00:04"),
                List.of(peer("198.18.0.4", "192.0.2.3")),
                SELF);
        assertEquals(
                List.of(
                        "fdb del 02:42:c6:12:00:03 dev vx-4097 dst 192.0.2.2 self",
                        "fdb replace 02:42:c6:12:00:04 dev vx-4097 dst 192.0.2.3 self permanent"),
                plan.bridgeCommands());
        assertEquals(List.of("neigh del 198.18.0.3 dev vx-4097"), plan.ipCommands());
    }

    @Test
    void anAddressWhoseMacChangedIsReplaced() {
        PeerTable.Plan plan = PeerTable.plan(
                "vx-4097",
                List.of(),
                Map.of("198.18.0.3", "02:42:c6:12:00:03"),
                List.of(new PeerEndpoint(
                        Cidr.literal("198.18.0.3"), MacAddress.parse("02:42:AA:00:00:01"), Cidr.literal("192.0.2.2"))),
                SELF);
        assertEquals(
                List.of("neigh replace 198.18.0.3 lladdr 02:42:aa:00:00:01 dev vx-4097 nud permanent"),
                plan.ipCommands());
    }

    @Test
    void namesFitLinuxsLimit() {
        assertEquals("vx-16777215", Names.vxlan(16777215));
        assertTrue(Names.bridgeEnd("a task id that is rather long, longer than any interface name")
                        .length()
                <= 15);
        assertTrue(Names.taskEndBeforeMove("t").length() <= 15);
        Names names = Names.forNode("Node-ID_With.Odd+Characters");
        assertEquals("skep-ov-4097-nodeidwithod", names.namespace(4097));
        assertEquals(4097, names.vxlanIdOf("skep-ov-4097-nodeidwithod").orElseThrow());
        assertTrue(names.vxlanIdOf("skep-ov-4097-othernode").isEmpty());
        assertEquals(Names.forNode("---").nodeTag().length(), 10); // a hash when the ID has no letter or digit
    }
}
