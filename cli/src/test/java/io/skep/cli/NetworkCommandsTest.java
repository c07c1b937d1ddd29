package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.cli.CannedDaemon.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skep network …}, the network flags of {@code service create|update} and {@code swarm init}'s pools. */
class NetworkCommandsTest {
    private static final String FRONT = """
            {"Name":"front","Id":"a1b2c3d4e5f6a7b8c9d0e1f2g","Created":"2026-11-22T09:00:00Z","Scope":"swarm",
             "Driver":"overlay","EnableIPv6":false,"IPAM":{"Driver":"default","Options":{},
             "Config":[{"Subnet":"198.18.0.0/24","Gateway":"198.18.0.1"}]},"Internal":false,"Attachable":true,
             "Ingress":false,"ConfigFrom":{"Network":""},"ConfigOnly":false,"Containers":{},
             "Options":{"com.docker.network.driver.overlay.vxlanid_list":"4097"},"Labels":{"tier":"web"}}""";
    private static final String BACK = """
            {"Name":"back","Id":"z9y8x7w6v5u4t3s2r1q0p9o8n","Created":"2026-11-22T09:01:00Z","Scope":"swarm",
             "Driver":"overlay","IPAM":{"Driver":"default","Config":[{"Subnet":"198.18.1.0/24"}]},"Labels":{}}""";

    @TempDir
    Path dir;

    private CannedDaemon daemon;

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void createSendsDockersRequestAndPrintsTheId() {
        daemon.on("POST /networks/create", r -> Reply.json(201, "{\"Id\":\"a1b2c3\",\"Warning\":\"\"}"));

        Skep.Result r = Skep.run(
                daemon,
                "network",
                "create",
                "-d",
                "overlay",
                "--subnet",
                "198.18.0.0/24",
                "--gateway",
                "198.18.0.254",
                "--ip-range",
                "198.18.0.128/25",
                "--attachable",
                "--internal",
                "--label",
                "tier=web",
                "-o",
                "com.docker.network.driver.mtu=1400",
                "front");

        assertEquals(0, r.code(), r.err());
        assertEquals("a1b2c3\n", r.out());
        JsonNode body = daemon.requests("POST", "/networks/create").getFirst().json();
        assertEquals("front", body.path("Name").asText());
        assertEquals("overlay", body.path("Driver").asText());
        assertTrue(body.path("Attachable").asBoolean());
        assertTrue(body.path("Internal").asBoolean());
        JsonNode config = body.path("IPAM").path("Config").path(0);
        assertEquals("198.18.0.0/24", config.path("Subnet").asText());
        assertEquals("198.18.0.254", config.path("Gateway").asText());
        assertEquals("198.18.0.128/25", config.path("IPRange").asText());
        assertEquals("web", body.path("Labels").path("tier").asText());
        assertEquals(
                "1400",
                body.path("Options").path("com.docker.network.driver.mtu").asText());

        Skep.Result byDefault = Skep.run(daemon, "network", "create", "plain");
        assertEquals(0, byDefault.code(), byDefault.err());
        JsonNode plain = daemon.requests("POST", "/networks/create").getLast().json();
        assertEquals("overlay", plain.path("Driver").asText(), "skep's networks are overlay networks");
        assertEquals(0, plain.path("IPAM").path("Config").size());

        Skep.Result noSubnet = Skep.run(daemon, "network", "create", "--gateway", "198.18.0.1", "x");
        assertEquals(1, noSubnet.code());
        assertTrue(noSubnet.err().contains("every ip-range or gateway must have a corresponding subnet"));

        daemon.on("POST /networks/create", r2 -> Reply.error(409, "network with name front already exists"));
        Skep.Result dup = Skep.run(daemon, "network", "create", "front");
        assertEquals(1, dup.code());
        assertEquals("Error response from daemon: network with name front already exists\n", dup.err());
    }

    @Test
    void lsPrintsDockersTableSortedByNameWithQuietNoTruncFilterAndFormat() {
        daemon.on("GET /networks", "[" + FRONT + "," + BACK + "]");

        Skep.Result r = Skep.run(daemon, "network", "ls");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                NETWORK ID     NAME      DRIVER    SCOPE
                z9y8x7w6v5u4   back      overlay   swarm
                a1b2c3d4e5f6   front     overlay   swarm
                """, r.out());

        assertEquals(
                "z9y8x7w6v5u4\na1b2c3d4e5f6\n",
                Skep.run(daemon, "network", "ls", "-q").out());
        assertEquals(
                "z9y8x7w6v5u4t3s2r1q0p9o8n\na1b2c3d4e5f6a7b8c9d0e1f2g\n",
                Skep.run(daemon, "network", "ls", "-q", "--no-trunc").out());
        assertEquals(
                "back overlay\nfront overlay\n",
                Skep.run(daemon, "network", "ls", "--format", "{{.Name}} {{.Driver}}")
                        .out());

        Skep.Result filtered = Skep.run(daemon, "network", "ls", "--filter", "driver=overlay", "-f", "label=tier");
        assertEquals(0, filtered.code(), filtered.err());
        JsonNode filters = daemon.requests("GET", "/networks").getLast().filters();
        assertTrue(filters.path("driver").path("overlay").asBoolean());
        assertTrue(filters.path("label").path("tier").asBoolean());

        Skep.Result bad = Skep.run(daemon, "network", "ls", "--filter", "nokey");
        assertEquals(125, bad.code());
    }

    @Test
    void inspectRmAndPrune() {
        daemon.on(
                "GET /networks/{}",
                r -> r.path().endsWith("/front")
                        ? Reply.ok(FRONT)
                        : Reply.error(
                                404, "network " + r.path().substring(r.path().lastIndexOf('/') + 1) + " not found"));
        Skep.Result inspect = Skep.run(daemon, "network", "inspect", "front");
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().startsWith("[\n    {\n        \"Name\": \"front\","), inspect.out());
        assertEquals(
                "swarm default\n",
                Skep.run(daemon, "network", "inspect", "-f", "{{.Scope}} {{.IPAM.Driver}}", "front")
                        .out());
        Skep.Result missing = Skep.run(daemon, "network", "inspect", "front", "nope");
        assertEquals(1, missing.code());
        assertEquals("Error response from daemon: network nope not found\n", missing.err());

        daemon.on(
                "DELETE /networks/{}",
                r -> r.path().endsWith("/busy")
                        ? Reply.error(400, "network abc is in use by service def")
                        : Reply.empty(204));
        Skep.Result rm = Skep.run(daemon, "network", "rm", "front", "busy");
        assertEquals(1, rm.code());
        assertEquals("front\n", rm.out());
        assertEquals("Error response from daemon: network abc is in use by service def\n", rm.err());

        daemon.on("POST /networks/prune", "{\"NetworksDeleted\":[\"back\",\"front\"]}");
        Skep.Result prune = Skep.run(daemon, "network", "prune", "-f", "--filter", "until=24h");
        assertEquals(0, prune.code(), prune.err());
        assertEquals("Deleted Networks:\nback\nfront\n", prune.out());
        assertTrue(daemon.requests("POST", "/networks/prune")
                .getLast()
                .filters()
                .path("until")
                .path("24h")
                .asBoolean());

        Skep.Result asked = Skep.withInput(daemon.host(), Map.of(), "n\n", "network", "prune");
        assertEquals(0, asked.code(), asked.err());
        assertEquals(NetworkCommand.Prune.WARNING, asked.out(), "declined: nothing removed");
        assertEquals(1, daemon.requests("POST", "/networks/prune").size());
        Skep.Result yes = Skep.withInput(daemon.host(), Map.of(), "y\n", "network", "prune");
        assertEquals(NetworkCommand.Prune.WARNING + "Deleted Networks:\nback\nfront\n", yes.out());
    }

    @Test
    void serviceNetworksAreResolvedAddedAndRemoved() {
        daemon.on("GET /networks/{}", r -> switch (r.path().substring(r.path().lastIndexOf('/') + 1)) {
            case "front" -> Reply.ok(FRONT);
            case "back" -> Reply.ok(BACK);
            default -> Reply.error(404, "network not found");
        });
        daemon.on("POST /services/create", r -> Reply.json(201, "{\"ID\":\"svc1\"}"));
        Skep.Result create = Skep.run(
                daemon,
                "service",
                "create",
                "-d",
                "--name",
                "web",
                "--network",
                "name=front,alias=www",
                "--endpoint-mode",
                "dnsrr",
                "host",
                "sleep",
                "1");
        assertEquals(0, create.code(), create.err());
        JsonNode spec = daemon.requests("POST", "/services/create").getFirst().json();
        JsonNode attachment = spec.path("TaskTemplate").path("Networks").path(0);
        assertEquals("a1b2c3d4e5f6a7b8c9d0e1f2g", attachment.path("Target").asText());
        assertEquals("www", attachment.path("Aliases").path(0).asText());
        assertEquals("dnsrr", spec.path("EndpointSpec").path("Mode").asText());

        daemon.on("GET /services/{}", """
                {"ID":"svc1","Version":{"Index":7},"Spec":{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"host"},
                 "Networks":[{"Target":"a1b2c3d4e5f6a7b8c9d0e1f2g","Aliases":["www"]}]},"Mode":{"Replicated":{"Replicas":1}}}}""");
        daemon.on("POST /services/{}/update", "{\"Warnings\":[]}");
        Skep.Result update =
                Skep.run(daemon, "service", "update", "-d", "--network-rm", "front", "--network-add", "back", "web");
        assertEquals(0, update.code(), update.err());
        JsonNode updated =
                daemon.requests("POST", "/services/svc1/update").getFirst().json();
        JsonNode networks = updated.path("TaskTemplate").path("Networks");
        assertEquals(1, networks.size(), networks.toString());
        assertEquals(
                "z9y8x7w6v5u4t3s2r1q0p9o8n", networks.path(0).path("Target").asText());

        Skep.Result twice = Skep.run(daemon, "service", "update", "-d", "--network-add", "front", "web");
        assertEquals(1, twice.code());
        assertTrue(twice.err().contains("service is already attached to network front"), twice.err());
    }

    @Test
    void swarmInitSendsTheDefaultAddressPool() {
        daemon.on("POST /swarm/init", "\"node1\"");
        daemon.on("GET /nodes/{}", "{\"ID\":\"node1\"}");
        daemon.on("GET /swarm", "{}");
        Skep.Result r = Skep.run(
                daemon,
                "swarm",
                "init",
                "--default-addr-pool",
                "198.18.0.0/16",
                "--default-addr-pool",
                "198.19.0.0/16",
                "--default-addr-pool-mask-length",
                "26");
        assertEquals(0, r.code(), r.err());
        JsonNode body = daemon.requests("POST", "/swarm/init").getFirst().json();
        assertEquals(
                List.of("198.18.0.0/16", "198.19.0.0/16"),
                List.of(
                        body.path("DefaultAddrPool").path(0).asText(),
                        body.path("DefaultAddrPool").path(1).asText()));
        assertEquals(26, body.path("SubnetSize").asInt());
    }
}
