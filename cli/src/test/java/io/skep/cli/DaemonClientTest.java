package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.ssl.SslContext;
import io.skep.cli.CannedDaemon.Reply;
import io.skep.client.ApiPath;
import io.skep.client.ControlTls;
import io.skep.client.DaemonAddress;
import io.skep.client.DaemonClient;
import io.skep.client.DaemonException;
import io.skep.client.DaemonResponse;
import io.skep.client.DaemonUnavailableException;
import io.skep.client.Filters;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonClientTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;
    private DaemonClient client;

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
        client = new DaemonClient(daemon.host());
    }

    @AfterEach
    void stop() {
        client.close();
        daemon.close();
    }

    @Test
    void getParsesTheJsonBody() {
        daemon.on("GET /services/{}", r -> Reply.ok("{\"ID\":\"abc\",\"Spec\":{\"Name\":\"web\"}}"));

        DaemonResponse response = client.get(ApiPath.of("/services/{}", "web").query("insertDefaults", "false"));

        assertEquals(200, response.status());
        assertEquals("web", response.body().path("Spec").path("Name").asText());
        assertEquals("application/json", response.header("Content-Type"));
        CannedDaemon.Request seen = daemon.requests().getFirst();
        assertEquals("GET", seen.method());
        assertEquals("/services/web?insertDefaults=false", seen.uri());
        assertEquals("localhost", seen.header("Host"));
        assertTrue(seen.header("User-Agent").startsWith("skep"));
    }

    @Test
    void postSendsJsonWithContentTypeAndLength() {
        daemon.on("POST /services/create", r -> Reply.json(201, "{\"ID\":\"new-id\"}"));
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.put("Name", "web");
        spec.putObject("Mode").putObject("Replicated").put("Replicas", 3);

        DaemonResponse response = client.post("/services/create", spec);

        assertEquals(201, response.status());
        assertEquals("new-id", response.body().path("ID").asText());
        CannedDaemon.Request seen = daemon.requests().getFirst();
        assertEquals("application/json", seen.header("Content-Type"));
        assertEquals(String.valueOf(seen.body().length()), seen.header("Content-Length"));
        assertEquals(
                3, seen.json().path("Mode").path("Replicated").path("Replicas").asInt());
    }

    @Test
    void postWithoutBodySendsContentLengthZero() {
        daemon.on("POST /swarm/leave", r -> Reply.empty(200));

        DaemonResponse response = client.post("/swarm/leave", null);

        assertNull(response.body());
        assertEquals("0", daemon.requests().getFirst().header("Content-Length"));
    }

    @Test
    void deleteWithEmptyAnswerHasNullBody() {
        daemon.on("DELETE /services/{}", r -> Reply.empty(200));

        DaemonResponse response = client.delete(ApiPath.of("/services/{}", "web"));

        assertEquals(200, response.status());
        assertNull(response.body());
        assertEquals("DELETE", daemon.requests().getFirst().method());
    }

    @Test
    void errorStatusBecomesDaemonExceptionWithTheMessage() {
        daemon.on("GET /services/{}", r -> Reply.error(404, "service nope not found"));

        DaemonException e = assertThrows(DaemonException.class, () -> client.get("/services/nope"));

        assertEquals(404, e.status());
        assertTrue(e.isNotFound());
        assertEquals("service nope not found", e.getMessage());
    }

    @Test
    void errorWithoutJsonMessageUsesTheBodyOrTheStatus() {
        daemon.on("GET /plain", r -> new Reply(500, "boom\n", Map.of()));
        daemon.on("GET /empty", r -> Reply.empty(503));

        assertEquals(
                "boom",
                assertThrows(DaemonException.class, () -> client.get("/plain")).getMessage());
        DaemonException empty = assertThrows(DaemonException.class, () -> client.get("/empty"));
        assertEquals(503, empty.status());
        assertEquals("request returned Service Unavailable for API route /empty", empty.getMessage());
    }

    @Test
    void unknownRouteIsA404WithTheDaemonsMessage() {
        DaemonException e = assertThrows(DaemonException.class, () -> client.get("/nothing"));
        assertEquals(404, e.status());
        assertEquals("page not found", e.getMessage());
    }

    @Test
    void noDaemonGivesDockersCannotConnectMessage() {
        String host = "unix://" + dir.resolve("absent.sock");
        try (DaemonClient absent = new DaemonClient(host)) {
            DaemonUnavailableException e = assertThrows(DaemonUnavailableException.class, () -> absent.get("/info"));
            assertEquals(
                    "Cannot connect to the skep daemon at " + host + ". Is the skep daemon running?", e.getMessage());
        }
    }

    @Test
    void closedListenerGivesTheSameMessage() {
        String host = daemon.host();
        daemon.close();
        try (DaemonClient late = new DaemonClient(host)) {
            DaemonUnavailableException e = assertThrows(DaemonUnavailableException.class, () -> late.get("/info"));
            assertEquals(DaemonClient.cannotConnectMessage(host), e.getMessage());
        }
        daemon = CannedDaemon.unix(dir.resolve("again.sock"));
    }

    @Test
    void keepsOneConnectionForManyRequests() {
        daemon.on("GET /info", "{}");

        for (int i = 0; i < 5; i++) {
            client.get("/info");
        }

        assertEquals(5, daemon.requests().size());
        assertEquals(1, daemon.connections());
    }

    @Test
    void reconnectsAfterTheDaemonClosesTheConnection() {
        daemon.on("GET /once", r -> Reply.ok("{\"n\":1}").withHeader("Connection", "close"));
        daemon.on("GET /info", "{\"n\":2}");

        assertEquals(1, client.get("/once").body().path("n").asInt());
        assertEquals(2, client.get("/info").body().path("n").asInt());
        assertEquals(2, client.get("/info").body().path("n").asInt());

        assertEquals(2, daemon.connections());
    }

    @Test
    void talksTcpToo() {
        try (CannedDaemon tcp = CannedDaemon.tcp();
                DaemonClient c = new DaemonClient(tcp.host())) {
            tcp.on("GET /version", "{\"Version\":\"1.2.3\"}");
            JsonNode v = c.get("/version").body();
            assertEquals("1.2.3", v.path("Version").asText());
            assertEquals(
                    tcp.host().substring("tcp://".length()),
                    tcp.requests().getFirst().header("Host"));
        }
    }

    @Test
    void aTlsClientOfAPlaintextDaemonSaysSo() throws Exception {
        SslContext anyServer = new ControlTls(false, null, null, null).client();
        try (CannedDaemon tcp = CannedDaemon.tcp();
                DaemonClient c = new DaemonClient(
                        DaemonAddress.parse(tcp.host()), "test", DaemonClient.RESPONSE_TIMEOUT, anyServer)) {
            DaemonUnavailableException e = assertThrows(DaemonUnavailableException.class, () -> c.get("/version"));
            assertEquals(
                    "error during connect: TLS with the skep daemon at " + tcp.host() + " failed: it does not "
                            + "speak TLS there (server gave HTTP response to HTTPS client); leave out --tls and --tlsverify",
                    e.getMessage());
        }
    }

    @Test
    void bodyThatIsAJsonStringIsATextNode() {
        daemon.on("POST /swarm/init", r -> Reply.ok("\"node-id-1\""));
        JsonNode body = client.post("/swarm/init", JsonNodeFactory.instance.objectNode())
                .body();
        assertTrue(body.isTextual());
        assertEquals("node-id-1", body.asText());
    }

    @Test
    void filtersAreUrlEncodedJson() {
        daemon.on("GET /tasks", "[]");
        Filters filters = new Filters().add("_up-to-date", "true").add("service", "abc");

        client.get(ApiPath.of("/tasks").filters(filters));

        CannedDaemon.Request seen = daemon.requests().getFirst();
        assertEquals(
                "/tasks?filters=%7B%22_up-to-date%22%3A%7B%22true%22%3Atrue%7D%2C%22service%22%3A%7B%22abc"
                        + "%22%3Atrue%7D%7D",
                seen.uri());
        assertEquals(true, seen.filters().path("service").path("abc").asBoolean());
    }

    @Test
    void addressParsingAndHostSelection() {
        DaemonAddress unix = DaemonAddress.parse("unix:///var/run/skep.sock");
        assertTrue(unix.isUnix());
        assertEquals(UnixDomainSocketAddress.of("/var/run/skep.sock"), unix.socket());

        DaemonAddress tcp = DaemonAddress.parse("tcp://10.0.0.1:2375");
        InetSocketAddress inet = assertInstanceOf(InetSocketAddress.class, tcp.socket());
        assertEquals("10.0.0.1", inet.getHostString());
        assertEquals(2375, inet.getPort());
        assertEquals("10.0.0.1:2375", tcp.hostHeader());

        DaemonAddress v6 = DaemonAddress.parse("tcp://[::1]:2375");
        assertEquals("::1", ((InetSocketAddress) v6.socket()).getHostString());

        assertThrows(IllegalArgumentException.class, () -> DaemonAddress.parse("tcp://host"));
        assertThrows(IllegalArgumentException.class, () -> DaemonAddress.parse("http://host:1"));
        assertThrows(IllegalArgumentException.class, () -> DaemonAddress.parse("unix://"));

        assertEquals("tcp://a:1", DaemonAddress.resolveHost("tcp://a:1", Map.of("SKEP_HOST", "unix:///x")));
        assertEquals("unix:///x", DaemonAddress.resolveHost(null, Map.of("SKEP_HOST", "unix:///x")));
        assertEquals(DaemonAddress.DEFAULT_HOST, DaemonAddress.resolveHost(null, Map.of()));
        assertEquals(DaemonAddress.DEFAULT_HOST, DaemonAddress.resolveHost(" ", Map.of("SKEP_HOST", "")));
    }

    @Test
    void apiPathEncodesSegmentsAndQuery() {
        assertEquals(
                "/services/a%2Fb%3Fc/update?version=7&registryAuthFrom=spec",
                ApiPath.of("/services/{}/update", "a/b?c")
                        .query("version", 7)
                        .query("registryAuthFrom", "spec")
                        .query("skipped", null)
                        .toString());
        assertEquals("/nodes", ApiPath.of("/nodes").filters(new Filters()).toString());
        assertThrows(IllegalArgumentException.class, () -> ApiPath.of("/x/{}"));
    }

    @Test
    void filterFlagsParseLikeDocker() {
        Filters f = new Filters().addFlag(" Name = web ").addFlag("label=a=b");
        assertEquals("{\"name\":{\"web\":true},\"label\":{\"a=b\":true}}", f.toJson());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.addFlag("nonsense"));
        assertEquals("bad format of filter (expected name=value)", e.getMessage());
    }
}
