package io.skep.network.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.PluginConfig;
import io.skep.spi.network.Cidr;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.NetworkDriver;
import io.skep.spi.network.NetworkDriverProvider;
import io.skep.spi.network.VirtualService;
import io.skep.spi.tck.NetworkDriverConformance;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The overlay driver against the network driver conformance kit, and what the kit cannot know: the data path's
 * shape (Docker's: a namespace per network with a bridge and a VXLAN device), and its leftovers after a restart.
 */
class OverlayDriverConformanceTest extends NetworkDriverConformance {

    @Override
    protected NetworkDriverProvider provider() {
        return new OverlayDriverProvider();
    }

    @Test
    void aNetworkIsANamespaceWithABridgeAndAVxlanDevice() throws Exception {
        NetworkDefinition net = network(false);
        driver(1).prepare(net);
        Names names = Names.forNode(nodeId(1));
        String ns = names.namespace(4097);
        assertTrue(Files.exists(names.namespacePath(4097)), ns);

        String bridge = ok("ip", "-n", ns, "-o", "addr", "show", "dev", "br0");
        assertTrue(bridge.contains("inet 198.18.0.1/24 "), bridge);
        String vxlan = ok("ip", "-n", ns, "-d", "-o", "link", "show", "dev", "vx-4097");
        for (String part : List.of(
                "master br0",
                "mtu 1450",
                "vxlan id 4097 ",
                "local " + underlay(1) + " ",
                "dstport 4789 ",
                "nolearning",
                "proxy")) {
            assertTrue(vxlan.contains(part), () -> part + " missing from " + vxlan);
        }
        // the device's tunnel stays in the node's namespace; the device itself does not
        assertFalse(run("ip", "-n", namespace("n1"), "link", "show", "dev", "vx-4097")
                .ok());

        driver(1).attach(net, endpoint("t1"));
        String port = ok("ip", "-n", ns, "-o", "link", "show", "dev", Names.bridgeEnd("tck-task-t1"));
        assertTrue(port.contains("master br0"), port);
        assertTrue(Names.bridgeEnd("tck-task-t1").length() <= 15);
        assertTrue(ok("ip", "-n", namespace("t1"), "-o", "link", "show", "dev", "eth0")
                .contains("mtu 1450"));
    }

    @Test
    void theVxlanPortAndTheMtuAreOptions() throws Exception {
        NetworkDefinition net = network(false).toBuilder()
                .options(Map.of(OverlayDriver.MTU_OPTION, "1400"))
                .build();
        OverlayDriverProvider provider = new OverlayDriverProvider();
        provider.configure(PluginConfig.of("overlay", provider.options(), Map.of("vxlan-port", "4790")));
        NetworkDriver otherPort = provider.open(context(1));
        otherPort.prepare(net);
        otherPort.attach(net, endpoint("t1"));
        String ns = Names.forNode(nodeId(1)).namespace(4097);
        String vxlan = ok("ip", "-n", ns, "-d", "-o", "link", "show", "dev", "vx-4097");
        assertTrue(vxlan.contains("dstport 4790 ") && vxlan.contains("mtu 1400"), vxlan);
        assertTrue(ok("ip", "-n", namespace("t1"), "-o", "link", "show", "dev", "eth0")
                .contains("mtu 1400"));

        // the node restarts with the default port: prepare makes the device again, with it
        driver(1).prepare(net);
        assertTrue(
                ok("ip", "-n", ns, "-d", "-o", "link", "show", "dev", "vx-4097").contains("dstport 4789 "));

        assertEquals(
                "option " + OverlayDriver.MTU_OPTION + ": must be from 576 to 65485, got 9",
                provider.validate(net.toBuilder()
                                .options(Map.of(OverlayDriver.MTU_OPTION, "9"))
                                .build())
                        .orElseThrow());
    }

    @Test
    void aRestartRemovesTheNetworksItNoLongerNeeds() throws Exception {
        NetworkDefinition kept = network(false);
        NetworkDefinition gone = NetworkDefinition.builder(
                        "gone", 4098, Cidr.parse("198.18.1.0/24"), Cidr.literal("198.18.1.1"))
                .build();
        driver(1).prepare(kept);
        driver(1).prepare(gone);
        driver(2).prepare(gone);
        driver(1).close();
        Names node1 = Names.forNode(nodeId(1));
        assertTrue(Files.exists(node1.namespacePath(4098)), "close() must leave the networks in place");

        List<String> removed = provider().open(context(1)).releaseAllExcept(List.of(kept));
        assertEquals(1, removed.size(), removed::toString);
        assertTrue(removed.getFirst().contains("vxlan 4098"), removed::toString);
        assertFalse(Files.exists(node1.namespacePath(4098)));
        assertTrue(Files.exists(node1.namespacePath(4097)));
        // another node's networks on this host are not this node's to remove
        assertTrue(Files.exists(Names.forNode(nodeId(2)).namespacePath(4098)));
    }

    @Test
    void aNetworkHasAGatewayLinkToTheNodeAndItsServicesAreATableInEachTask() throws Exception {
        NetworkDefinition net = network(false);
        String node = namespace("n1");
        ok("ip", "netns", "exec", node, "sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"); // a host's default
        driver(1).prepare(net);
        driver(1).attach(net, endpoint("t1"));
        Names names = Names.forNode(nodeId(1));
        String ns = names.namespace(4097);
        for (String forwarding : List.of(node, ns)) {
            assertEquals(
                    "1",
                    ok("ip", "netns", "exec", forwarding, "cat", "/proc/sys/net/ipv4/ip_forward")
                            .strip(),
                    forwarding + " does not forward");
        }
        assertTrue(ok("ip", "-n", ns, "-o", "link", "show", "dev", "gw0").contains("@if"));
        assertTrue(ok("ip", "-n", ns, "route", "show", "default").contains("default via 169.254.53.53 dev gw0 onlink"));
        assertTrue(ok("ip", "-n", node, "-o", "addr", "show", "dev", "lo").contains("inet 169.254.53.53/32 "));
        String route = ok("ip", "-n", node, "route", "show", "198.18.0.0/24");
        assertTrue(route.contains("via 198.18.0.1 dev sg-4097 src 169.254.53.53 onlink"), route);
        String table = ok("ip", "netns", "exec", node, "nft", "list", "table", "ip", names.nodeTable(4097));
        assertTrue(table.contains("masquerade"), table);

        driver(1)
                .setServices(
                        net,
                        List.of(new VirtualService(
                                Cidr.literal("198.18.0.100"),
                                List.of(Cidr.literal("198.18.0.5"), Cidr.literal("198.18.0.6")))));
        String services = ok("ip", "netns", "exec", namespace("t1"), "nft", "list", "table", "ip", "skep-lb-4097");
        assertTrue(services.contains("numgen random mod 2 map { 0 : 198.18.0.5, 1 : 198.18.0.6 }"), services);
        driver(1).detach(net, endpoint("t1").taskId());
        assertEquals(
                "",
                ok("ip", "netns", "exec", namespace("t1"), "nft", "list", "ruleset")
                        .strip());

        driver(1).release(net);
        assertFalse(run("ip", "netns", "exec", node, "nft", "list", "table", "ip", names.nodeTable(4097))
                .ok());
        assertFalse(run("ip", "-n", node, "link", "show", "dev", "sg-4097").ok());
        // the service address stays: the node's services listen on it
        assertTrue(ok("ip", "-n", node, "-o", "addr", "show", "dev", "lo").contains("inet 169.254.53.53/32 "));
    }

    @Test
    void anInternalNetworksTasksRouteToTheServiceAddressAlone() throws Exception {
        NetworkDefinition net = network(true);
        driver(1).prepare(net);
        driver(1).attach(net, endpoint("t1"));
        String ns = Names.forNode(nodeId(1)).namespace(4097);
        assertEquals("", ok("ip", "-n", ns, "route", "show", "default").strip());
        assertTrue(ok("ip", "-n", namespace("t1"), "route", "show", "169.254.53.53")
                .contains("169.254.53.53 via 198.18.0.1 dev eth0"));
        String table = ok(
                "ip",
                "netns",
                "exec",
                namespace("n1"),
                "nft",
                "list",
                "table",
                "ip",
                Names.forNode(nodeId(1)).nodeTable(4097));
        assertFalse(table.contains("masquerade"), table);
    }

    @Test
    void theServicesOfATaskWhoseNamespaceWentAreDroppedSilently() throws Exception {
        NetworkDefinition net = network(false);
        driver(1).prepare(net);
        driver(1).attach(net, endpoint("t1"));
        driver(1).attach(net, endpoint("t3"));
        ok("ip", "netns", "delete", namespace("t3")); // the task ended without a detach
        List<VirtualService> services =
                List.of(new VirtualService(Cidr.literal("198.18.0.100"), List.of(Cidr.literal("198.18.0.2"))));
        driver(1).setServices(net, services);
        assertTrue(ok("ip", "netns", "exec", namespace("t1"), "nft", "list", "table", "ip", "skep-lb-4097")
                .contains("198.18.0.100"));
        driver(1).setServices(net, List.of());
        assertEquals(
                "",
                ok("ip", "netns", "exec", namespace("t1"), "nft", "list", "ruleset")
                        .strip());
    }
}
