package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.nodeId;
import static io.skep.core.cli.LocalNodes.skep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Cidr;
import io.skep.api.model.Json;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Swarm networks on real nodes: the API's create, list, inspect, remove and prune, the subnets of the default address
 * pool, and the allocator's addresses for services (a VIP per network) and tasks (an address per network), through
 * removals and a leader change.
 */
class NetworksTest {
    /** The swarm's default address pool in the tests' range, /24 each. */
    private static final String POOL_INIT = "{\"DefaultAddrPool\":[\"198.18.0.0/16\"],\"SubnetSize\":24}";

    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    private TestDaemon manager() throws Exception {
        TestDaemon m = nodes.node("m1");
        TestDaemon.Response r = m.post("/swarm/init", POOL_INIT);
        assertEquals(200, r.status(), () -> "swarm init: " + r.message());
        nodes.manager = m;
        return m;
    }

    private static String create(TestDaemon on, String body) throws Exception {
        TestDaemon.Response r = on.post("/networks/create", body);
        assertEquals(201, r.status(), () -> body + ": " + r.message());
        assertEquals("", r.body().path("Warning").asText());
        return r.body().path("Id").asText();
    }

    private static void refused(TestDaemon on, int status, String body, String expected) throws Exception {
        TestDaemon.Response r = on.post("/networks/create", body);
        assertEquals(status, r.status(), () -> body + ": " + r.message());
        assertTrue(r.message().contains(expected), r.message());
    }

    private static List<String> names(JsonNode networks) {
        List<String> out = new ArrayList<>();
        networks.forEach(n -> out.add(n.path("Name").asText()));
        return out.stream().sorted().toList();
    }

    private static String filters(String json) {
        return "?filters=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    private static String subnet(JsonNode network) {
        return network.path("IPAM").path("Config").path(0).path("Subnet").asText();
    }

    @Test
    void networksAreCreatedListedInspectedRemovedAndPrunedAsDockerDoes() throws Exception {
        TestDaemon m = manager();
        JsonNode swarm = m.get("/swarm");
        assertEquals("198.18.0.0/16", swarm.path("DefaultAddrPool").path(0).asText());
        assertEquals(24, swarm.path("SubnetSize").asInt());

        String front = create(
                m, "{\"Name\":\"front\",\"Driver\":\"overlay\",\"Attachable\":true,\"Labels\":{\"tier\":\"web\"}}");
        JsonNode n = m.get("/networks/front");
        assertEquals(front, n.path("Id").asText());
        assertEquals("swarm", n.path("Scope").asText());
        assertEquals("overlay", n.path("Driver").asText());
        assertTrue(n.path("Attachable").asBoolean());
        assertFalse(n.path("Internal").asBoolean());
        assertEquals("default", n.path("IPAM").path("Driver").asText());
        assertEquals("198.18.0.0/24", subnet(n));
        assertEquals(
                "198.18.0.1",
                n.path("IPAM").path("Config").path(0).path("Gateway").asText());
        assertEquals(
                "4097",
                n.path("Options")
                        .path("com.docker.network.driver.overlay.vxlanid_list")
                        .asText());
        assertTrue(n.path("Containers").isObject());
        assertEquals("web", n.path("Labels").path("tier").asText());
        assertEquals(front, m.get("/networks/" + front).path("Id").asText(), "by ID");
        assertEquals(
                front, m.get("/networks/" + front.substring(0, 6)).path("Id").asText(), "by ID prefix");
        assertEquals(404, m.call("GET", "/networks/nowhere", null).status());

        String back = create(m, "{\"Name\":\"back\",\"Driver\":\"overlay\"}");
        JsonNode b = m.get("/networks/" + back);
        assertEquals("198.18.1.0/24", subnet(b), "the next /24 of the pool");
        assertEquals(
                "4098",
                b.path("Options")
                        .path("com.docker.network.driver.overlay.vxlanid_list")
                        .asText());

        refused(m, 409, "{\"Name\":\"front\",\"Driver\":\"overlay\"}", "network with name front already exists");
        refused(
                m,
                400,
                "{\"Name\":\"clash\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.18.1.128/25\"}]}}",
                "invalid IPAM.Config[0].Subnet");
        refused(m, 400, "{\"Name\":\"br\",\"Driver\":\"bridge\"}", "invalid Driver \"bridge\"");
        refused(m, 400, "{\"Name\":\"bad\",\"IPAM\":{\"Config\":[{\"Subnet\":\"nope\"}]}}", "Subnet");
        refused(m, 400, "{\"Name\":\"bad\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.19.0.7/24\"}]}}", "198.19.0.0/24");
        refused(
                m,
                400,
                "{\"Name\":\"bad\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.19.0.0/24\",\"Gateway\":\"198.19.1.1\"}]}}",
                "invalid IPAM.Config[0].Gateway");
        refused(
                m,
                400,
                "{\"Name\":\"bad\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.19.0.0/24\",\"IPRange\":\"198.19.1.0/25\"}]}}",
                "invalid IPAM.Config[0].IPRange");
        refused(m, 400, "{\"Name\":\"bad name!\"}", "invalid Name");
        refused(m, 400, "{\"Name\":\"v6\",\"EnableIPv6\":true}", "invalid EnableIPv6");
        refused(m, 400, "{\"Name\":\"bad\",\"Internal\":\"yes\"}", "Internal");

        String given = create(
                m,
                "{\"Name\":\"given\",\"Internal\":true,\"IPAM\":{\"Config\":[{\"Subnet\":\"198.19.0.0/24\","
                        + "\"Gateway\":\"198.19.0.254\",\"IPRange\":\"198.19.0.128/25\"}]}}");
        JsonNode g = m.get("/networks/" + given).path("IPAM").path("Config").path(0);
        assertEquals("198.19.0.254", g.path("Gateway").asText());
        assertEquals("198.19.0.128/25", g.path("IPRange").asText());

        assertEquals(List.of("back", "front", "given"), names(m.get("/networks")));
        assertEquals(List.of("front"), names(m.get("/networks" + filters("{\"name\":{\"fro\":true}}"))));
        assertEquals(List.of("front"), names(m.get("/networks" + filters("{\"label\":{\"tier=web\":true}}"))));
        assertEquals(List.of("back"), names(m.get("/networks" + filters("{\"id\":{\"" + back + "\":true}}"))));
        assertEquals(
                3,
                m.get("/networks" + filters("{\"driver\":{\"overlay\":true}}")).size());
        assertEquals(
                3, m.get("/networks" + filters("{\"scope\":{\"swarm\":true}}")).size());
        assertEquals(
                0, m.get("/networks" + filters("{\"scope\":{\"local\":true}}")).size());
        assertEquals(
                3, m.get("/networks" + filters("{\"type\":{\"custom\":true}}")).size());
        assertEquals(
                0, m.get("/networks" + filters("{\"type\":{\"builtin\":true}}")).size());
        assertEquals(
                400,
                m.call("GET", "/networks" + filters("{\"colour\":{\"red\":true}}"), null)
                        .status());

        assertEquals(204, m.call("DELETE", "/networks/back", null).status());
        assertEquals(404, m.call("GET", "/networks/" + back, null).status());
        String again = create(m, "{\"Name\":\"again\",\"Driver\":\"overlay\"}");
        assertEquals("198.18.1.0/24", subnet(m.get("/networks/" + again)), "a removed network's subnet is reused");

        TestDaemon.Response pruned = m.post("/networks/prune" + filters("{\"label\":{\"tier=web\":true}}"), null);
        assertEquals(200, pruned.status(), pruned::message);
        assertEquals("[\"front\"]", pruned.body().path("NetworksDeleted").toString());
        pruned = m.post("/networks/prune" + filters("{\"until\":{\"24h\":true}}"), null);
        assertEquals("[]", pruned.body().path("NetworksDeleted").toString(), "none is a day old");
        pruned = m.post("/networks/prune", null);
        assertEquals(
                "[\"again\",\"given\"]", pruned.body().path("NetworksDeleted").toString());
        assertEquals(0, m.get("/networks").size());
    }

    @Test
    void theDefaultPoolsSubnetsNeverOverlapAndSkipExplicitOnes() throws Exception {
        TestDaemon m = manager();
        create(m, "{\"Name\":\"fixed\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.18.2.0/23\"}]}}");
        Set<String> subnets = new HashSet<>();
        List<Cidr> all = new ArrayList<>(List.of(Cidr.parse("198.18.2.0/23")));
        for (int i = 0; i < 6; i++) {
            String id = create(m, "{\"Name\":\"auto" + i + "\"}");
            String s = subnet(m.get("/networks/" + id));
            assertTrue(subnets.add(s), s);
            Cidr c = Cidr.parse(s);
            assertEquals(24, c.bits());
            assertTrue(Cidr.parse("198.18.0.0/16").contains(c), s);
            for (Cidr other : all) {
                assertFalse(other.overlaps(c), s + " overlaps " + other);
            }
            all.add(c);
        }
        assertEquals(
                Set.of(
                        "198.18.0.0/24",
                        "198.18.1.0/24",
                        "198.18.4.0/24",
                        "198.18.5.0/24",
                        "198.18.6.0/24",
                        "198.18.7.0/24"),
                subnets);
    }

    /** A service spec on {@code networks} whose process tasks sleep; no node matches {@code constraint} if given. */
    private static ObjectNode service(String name, int replicas, String network, String mode) {
        ObjectNode spec = Json.MAPPER.createObjectNode().put("Name", name);
        ObjectNode task = spec.putObject("TaskTemplate");
        task.putObject("ContainerSpec")
                .put("Image", "host")
                .putArray("Args")
                .add("sleep")
                .add("1000");
        ObjectNode attachment = task.putArray("Networks").addObject().put("Target", network);
        attachment.putArray("Aliases").add(name + "-alias");
        spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
        if (mode != null) {
            spec.putObject("EndpointSpec").put("Mode", mode);
        }
        return spec;
    }

    private static String createService(TestDaemon on, ObjectNode spec) throws Exception {
        TestDaemon.Response r = on.post("/services/create", spec);
        assertEquals(201, r.status(), r::message);
        return r.body().path("ID").asText();
    }

    /** The addresses (without prefix length) of the service's tasks that have not ended, on {@code network}. */
    private static List<String> taskAddresses(TestDaemon on, String serviceId, String network) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : on.get("/tasks" + filters("{\"service\":{\"" + serviceId + "\":true}}"))) {
            String state = t.path("Status").path("State").asText();
            if (List.of("complete", "failed", "shutdown", "rejected", "orphaned", "remove")
                    .contains(state)) {
                continue;
            }
            for (JsonNode a : t.path("NetworksAttachments")) {
                if (a.path("Network").path("ID").asText().equals(network)) {
                    a.path("Addresses").forEach(x -> out.add(x.asText()));
                }
            }
        }
        return out;
    }

    private static List<String> vips(TestDaemon on, String serviceId) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode v : on.get("/services/" + serviceId).path("Endpoint").path("VirtualIPs")) {
            out.add(v.path("NetworkID").asText() + " " + v.path("Addr").asText());
        }
        return out;
    }

    private static void awaitAddresses(TestDaemon on, String serviceId, String network, int count) {
        Await.until(
                CONVERGE,
                count + " task addresses of " + serviceId,
                () -> taskAddresses(on, serviceId, network).size() == count);
    }

    @Test
    void aServiceGetsAVipAndEachTaskAnAddressFreedWhenItGoes() throws Exception {
        TestDaemon m = manager();
        String net = create(m, "{\"Name\":\"apps\",\"Driver\":\"overlay\"}");
        Cidr subnet = Cidr.parse(subnet(m.get("/networks/apps")));

        TestDaemon.Response unknown = m.post("/services/create", service("lost", 1, "nowhere", null));
        assertEquals(400, unknown.status());
        assertTrue(unknown.message().contains("network nowhere not found"), unknown.message());

        String web = createService(m, service("web", 3, "apps", null));
        JsonNode spec = m.get("/services/" + web)
                .path("Spec")
                .path("TaskTemplate")
                .path("Networks")
                .path(0);
        assertEquals(net, spec.path("Target").asText(), "the name is resolved to the network's ID");
        assertEquals("web-alias", spec.path("Aliases").path(0).asText());
        Await.until(CONVERGE, "web's VIP", () -> vips(m, web).size() == 1);
        String vip = vips(m, web).get(0);
        assertTrue(vip.startsWith(net + " "), vip);
        String vipAddr = vip.substring(vip.indexOf(' ') + 1);
        awaitAddresses(m, web, net, 3);
        List<String> addresses = taskAddresses(m, web, net);
        Set<String> distinct = new HashSet<>(addresses);
        distinct.add(vipAddr);
        distinct.add("198.18.0.1/24");
        assertEquals(5, distinct.size(), "the gateway, the VIP and every task's address are distinct: " + distinct);
        for (String a : distinct) {
            assertTrue(a.endsWith("/24") && subnet.contains(Cidr.address(a.substring(0, a.indexOf('/')))), a);
        }
        LocalNodes.ok(m, "service", "ls"); // the CLI reads the service with its endpoint

        String dns = createService(m, service("dns", 1, "apps", "dnsrr"));
        awaitAddresses(m, dns, net, 1);
        assertEquals(List.of(), vips(m, dns), "no VIP in dnsrr mode");

        TestDaemon.Response inUse = m.call("DELETE", "/networks/apps", null);
        assertEquals(400, inUse.status());
        assertTrue(inUse.message().contains("network " + net + " is in use by service"), inUse.message());

        assertEquals(200, m.call("DELETE", "/services/" + web, null).status());
        assertEquals(200, m.call("DELETE", "/services/" + dns, null).status());
        Await.until(
                CONVERGE,
                "the removed services' tasks to end",
                () -> taskAddresses(m, web, net).isEmpty()
                        && taskAddresses(m, dns, net).isEmpty());
        String next = createService(m, service("next", 0, "apps", null));
        Await.until(CONVERGE, "next's VIP", () -> vips(m, next).size() == 1);
        assertEquals(net + " " + vipAddr, vips(m, next).get(0), "web's VIP was freed and is the lowest free address");
        assertEquals(200, m.call("DELETE", "/services/" + next, null).status());
        assertEquals(204, m.call("DELETE", "/networks/apps", null).status());
    }

    @Test
    void aServiceLeavingANetworkLosesItsVipAndBadPoolsAreRefusedNamingTheField() throws Exception {
        TestDaemon fresh = nodes.node("fresh");
        TestDaemon.Response bad = fresh.post("/swarm/init", "{\"DefaultAddrPool\":[\"198.18.0.0/33\"]}");
        assertEquals(400, bad.status());
        assertTrue(bad.message().startsWith("invalid DefaultAddrPool[0]"), bad.message());
        bad = fresh.post("/swarm/init", "{\"DefaultAddrPool\":[\"198.18.0.0/24\"],\"SubnetSize\":16}");
        assertEquals(400, bad.status());
        assertTrue(bad.message().startsWith("invalid SubnetSize"), bad.message());

        TestDaemon m = manager();
        String net = create(m, "{\"Name\":\"apps\"}");
        String id = createService(m, service("mover", 0, "apps", null));
        Await.until(CONVERGE, "mover's VIP", () -> vips(m, id).size() == 1);
        assertTrue(
                vips(m, id).get(0).startsWith(net + " 198.18.0."), vips(m, id).toString());

        LocalNodes.ok(m, "service", "update", "-d", "--network-rm", "apps", "mover");
        Await.until(
                CONVERGE,
                "mover's VIP to go with the network",
                () -> vips(m, id).isEmpty());
        assertEquals(204, m.call("DELETE", "/networks/apps", null).status(), "no service uses it any more");
    }

    private static String leaderId(TestDaemon on) throws Exception {
        for (JsonNode n : on.get("/nodes")) {
            if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
                return n.path("ID").asText();
            }
        }
        return null;
    }

    @Test
    void aLeaderChangeKeepsEveryAllocationAndHandsNoneOutTwice() throws Exception {
        List<TestDaemon> managers = nodes.threeManagers(nodes.node("m1"), POOL_INIT);
        TestDaemon first = managers.get(0);
        String net = create(first, "{\"Name\":\"apps\"}");
        // Tasks no node may run: they stay pending with their addresses, and no process outlives the test.
        ObjectNode spec = service("before", 3, "apps", null);
        ((ObjectNode) spec.path("TaskTemplate"))
                .putObject("Placement")
                .putArray("Constraints")
                .add("node.labels.nowhere==true");
        String before = createService(first, spec);
        awaitAddresses(first, before, net, 3);
        Await.until(CONVERGE, "before's VIP", () -> vips(first, before).size() == 1);
        List<String> kept = new ArrayList<>(taskAddresses(first, before, net));
        kept.add(vips(first, before).get(0).split(" ")[1]);

        String leader = leaderId(first);
        TestDaemon stopped = null;
        for (TestDaemon m : managers) {
            if (nodeId(m).equals(leader)) {
                stopped = m;
            }
        }
        stopped.stop();
        TestDaemon survivor = managers.stream()
                .filter(m -> {
                    try {
                        return !nodeId(m).equals(leader);
                    } catch (Exception e) {
                        return false;
                    }
                })
                .findFirst()
                .orElseThrow();
        Await.until(CONVERGE, "a new leader", () -> {
            String now = leaderId(survivor);
            return now != null && !now.equals(leader);
        });

        ObjectNode after = service("after", 3, "apps", null);
        ((ObjectNode) after.path("TaskTemplate"))
                .putObject("Placement")
                .putArray("Constraints")
                .add("node.labels.nowhere==true");
        Await.until(CONVERGE, "a write after the leader's loss", () -> {
            int status = survivor.post("/services/create", after).status();
            return status == 201 || status == 409; // 409: an earlier try committed after all
        });
        String afterId = survivor.get("/services/after").path("ID").asText();
        awaitAddresses(survivor, afterId, net, 3);
        Await.until(CONVERGE, "after's VIP", () -> vips(survivor, afterId).size() == 1);

        List<String> now = new ArrayList<>(taskAddresses(survivor, before, net));
        now.add(vips(survivor, before).get(0).split(" ")[1]);
        assertEquals(kept.stream().sorted().toList(), now.stream().sorted().toList(), "every allocation kept");
        List<String> added = new ArrayList<>(taskAddresses(survivor, afterId, net));
        added.add(vips(survivor, afterId).get(0).split(" ")[1]);
        Set<String> all = new HashSet<>(kept);
        for (String a : added) {
            assertTrue(all.add(a), a + " was handed out twice: " + kept + " " + added);
        }
        assertNotEquals(0, added.size());
        assertEquals(0, skep(survivor, "network", "ls", "-q").code());
    }
}
