package io.skep.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.testing.TestDaemon;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager's cluster port as an attacker or a stale node meets it: real nodes on loopback, real TLS handshakes.
 */
class ClusterPortTest {
    @TempDir
    Path dir;

    private final List<TestDaemon> nodes = new ArrayList<>();
    private final List<ClusterClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(ClusterClient::close);
        nodes.forEach(TestDaemon::close);
    }

    private TestDaemon node(String name) throws Exception {
        TestDaemon d = new TestDaemon(dir.resolve(name));
        nodes.add(d);
        return d;
    }

    private ClusterClient client(javax.net.ssl.SSLContext tls, String addr) {
        ClusterClient c = new ClusterClient(tls, List.of(addr));
        clients.add(c);
        return c;
    }

    private static String clusterAddr(TestDaemon manager) throws Exception {
        String id = manager.get("/info").path("Swarm").path("NodeID").asText();
        return manager.get("/nodes/" + id).path("ManagerStatus").path("Addr").asText();
    }

    /** A new node that joined {@code manager}'s swarm with the worker token, through the API docker's CLI uses. */
    private TestDaemon joinedWorker(TestDaemon manager) throws Exception {
        TestDaemon worker = node("worker");
        String token = manager.get("/swarm").path("JoinTokens").path("Worker").asText();
        TestDaemon.Response joined = worker.post(
                "/v1.41/swarm/join", Map.of("RemoteAddrs", List.of(clusterAddr(manager)), "JoinToken", token));
        assertEquals(200, joined.status(), joined.message());
        return worker;
    }

    /** The node's certificate and the swarm's root CA as it keeps them in its data directory. */
    private static NodeTls savedTls(TestDaemon node) throws IOException {
        Path certs = node.dataDir().resolve("certificates");
        return new NodeTls(
                NodeCertificate.fromPem(
                        Files.readString(certs.resolve("swarm-node.crt")),
                        Files.readString(certs.resolve("swarm-node.key"))),
                RootCa.certificateOf(Files.readString(certs.resolve("swarm-root-ca.crt"))));
    }

    @Test
    void onlyMembersOfTheSwarmGetPastTheRootCaAndJoin() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        String addr = clusterAddr(manager);
        TestDaemon worker = joinedWorker(manager);
        String workerId = worker.get("/info").path("Swarm").path("NodeID").asText();
        NodeTls workerTls = savedTls(worker);
        assertEquals(NodeRole.WORKER, workerTls.certificate().role().orElseThrow());

        // Plaintext: no HTTP answer at all.
        String host = addr.substring(0, addr.lastIndexOf(':'));
        int port = Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
        try (Socket plain = new Socket(host, port)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("GET /ca HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = plain.getInputStream();
            byte[] answer = in.readNBytes(5);
            assertFalse(
                    new String(answer, StandardCharsets.US_ASCII).startsWith("HTTP/"), "a plaintext client got HTTP");
        } catch (IOException reset) {
            // the server dropped the connection: as good as no answer
        }

        // No certificate: the root CA (public) and nothing else.
        ClusterClient anonymous = client(NodeTls.trusting(workerTls.rootCa()), addr);
        assertEquals(RootCa.certificateOf(anonymous.rootCaPem()), workerTls.rootCa());
        ClusterClient.CallFailed noCert = assertThrows(
                ClusterClient.CallFailed.class,
                () -> anonymous.post("/dispatcher/sessions", new Node.Description(), JsonNode.class));
        assertEquals(401, noCert.status());

        // A certificate of another CA: the handshake itself fails.
        SecureRandom random = new SecureRandom();
        RootCa foreignCa = RootCa.create(random, Instant.now());
        NodeCertificate forged =
                foreignCa.issue(workerId, NodeRole.MANAGER, "cluster", Duration.ofHours(2), random, Instant.now());
        ClusterClient foreign = client(new NodeTls(forged, workerTls.rootCa()).clientContext(), addr);
        IOException handshake = assertThrows(
                IOException.class,
                () -> foreign.renew(CertificateRequest.create(random).pem()));
        assertFalse(handshake instanceof ClusterClient.CallFailed, "a foreign certificate got an HTTP answer");

        // The worker's own certificate: a member's call goes through, until the node is removed from the swarm.
        ClusterClient member = client(workerTls.clientContext(), addr);
        assertEquals(
                workerId, member.renew(CertificateRequest.create(random).pem()).nodeId());
        TestDaemon.Response removed = manager.call("DELETE", "/v1.41/nodes/" + workerId + "?force=1", null);
        assertEquals(200, removed.status(), removed.message());
        ClusterClient.CallFailed stale = assertThrows(
                ClusterClient.CallFailed.class,
                () -> member.renew(CertificateRequest.create(random).pem()));
        assertEquals(403, stale.status());
        assertTrue(stale.getMessage().contains("is not a member of this swarm"), stale.getMessage());
    }

    @Test
    void theClusterPortBoundsWhatANodeMaySendBeforeAndAfterItHasACertificate() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        String addr = clusterAddr(manager);
        TestDaemon worker = joinedWorker(manager);
        NodeTls workerTls = savedTls(worker);

        // No certificate yet: a join request is a few KB, and 64 KiB is all such a client may send.
        ClusterClient anonymous = client(NodeTls.trusting(workerTls.rootCa()), addr);
        String token = manager.get("/swarm").path("JoinTokens").path("Worker").asText();
        ClusterClient.CallFailed tooBig = assertThrows(
                ClusterClient.CallFailed.class,
                () -> anonymous.join(new io.skep.core.ca.CertificateAuthority.JoinRequest(
                        token,
                        io.skep.api.model.Ids.newId(),
                        "x".repeat(100 * 1024),
                        "active",
                        "127.0.0.1",
                        null,
                        null)));
        assertEquals(413, tooBig.status());
        assertEquals(
                "request body too large: at most 64 KiB from a client without a node certificate", tooBig.getMessage());

        // A member: what it says of itself and of its tasks is checked before the store takes it.
        ClusterClient member = client(workerTls.clientContext(), addr);
        Node.Description big = new Node.Description();
        big.hostname = "h".repeat(5000);
        ClusterClient.CallFailed hostname = assertThrows(
                ClusterClient.CallFailed.class, () -> member.post("/dispatcher/sessions", big, JsonNode.class));
        assertEquals(400, hostname.status());
        assertEquals("invalid Hostname: at most 4096 characters, got 5000", hostname.getMessage());
        String session = member.post("/dispatcher/sessions", new Node.Description(), ClusterWire.SessionOpened.class)
                .sessionId();
        ClusterClient.CallFailed state = assertThrows(
                ClusterClient.CallFailed.class,
                () -> member.post(
                        "/dispatcher/sessions/" + session + "/status",
                        Json.MAPPER.readTree("[{\"TaskId\": \"t1\", \"Status\": {\"State\": \"exploded\"}}]"),
                        JsonNode.class));
        assertEquals(400, state.status());
        assertTrue(state.getMessage().startsWith("invalid [0]Status.State: expected a task state"), state.getMessage());
        ClusterClient.CallFailed time = assertThrows(
                ClusterClient.CallFailed.class,
                () -> member.post(
                        "/dispatcher/sessions/" + session + "/status",
                        Json.MAPPER.readTree(
                                "[{\"TaskId\": \"t1\", \"Status\": {\"State\": \"running\", \"Timestamp\": \"noon\"}}]"),
                        JsonNode.class));
        assertEquals(400, time.status());
        assertTrue(time.getMessage().contains("Status.Timestamp"), time.getMessage());
        ClusterClient.CallFailed nullBody = assertThrows(
                ClusterClient.CallFailed.class,
                () -> member.post("/certificates/renew", Json.MAPPER.readTree("null"), JsonNode.class));
        assertEquals(400, nullBody.status(), nullBody.getMessage());
        ClusterClient.CallFailed garbled = assertThrows(
                ClusterClient.CallFailed.class,
                () -> member.renew("-----BEGIN CERTIFICATE REQUEST-----\nMIHOMHcCAQAwFTETMBEGA1UEAwwKc3dhcm0tbm9kZTB\n"
                        + "-----END CERTIFICATE REQUEST-----\n"));
        assertEquals(400, garbled.status(), "base64 Bouncy Castle cannot decode: " + garbled.getMessage());
        assertTrue(
                garbled.getMessage().startsWith("invalid Csr: not a readable certificate request"),
                garbled.getMessage());
        assertEquals(200, manager.call("GET", "/v1.41/nodes", null).status(), "the manager keeps serving");
    }

    @Test
    void aNodeThatIsUpCannotBeRemovedWithoutForce() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        TestDaemon worker = joinedWorker(manager);
        String workerId = worker.get("/info").path("Swarm").path("NodeID").asText();
        String managerId = manager.get("/info").path("Swarm").path("NodeID").asText();
        io.skep.core.testing.Await.until(
                Duration.ofSeconds(30),
                "the worker to be ready",
                () -> manager.get("/nodes/" + workerId)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("ready"));

        TestDaemon.Response up = manager.call("DELETE", "/v1.41/nodes/" + workerId, null);
        assertEquals(400, up.status());
        assertTrue(up.message().contains("node " + workerId + " is not down and can't be removed"), up.message());
        TestDaemon.Response self = manager.call("DELETE", "/v1.41/nodes/" + managerId + "?force=1", null);
        assertEquals(400, self.status());
        assertTrue(self.message().contains("must be demoted to worker before removal"), self.message());
        assertEquals(2, manager.get("/nodes").size());
        assertInstanceOf(JsonNode.class, manager.get("/nodes/" + workerId));
    }

    /**
     * A TLS 1.3 connection to a manager's Raft port (gRPC, ALPN h2) with {@code tls}'s certificate; returns whether
     * the server answered the HTTP/2 preface (it refuses a client certificate it does not trust with an alert, which
     * TLS 1.3 delivers at the first read).
     */
    private static boolean raftAnswers(String host, int port, NodeTls tls) throws Exception {
        // The JDK's provider for this blocking socket (skep's own transports use engines, never sockets).
        javax.net.ssl.SSLContext jdk = javax.net.ssl.SSLContext.getInstance("TLSv1.3", "SunJSSE");
        jdk.init(
                new javax.net.ssl.KeyManager[] {tls.keyManager()},
                new javax.net.ssl.TrustManager[] {tls.managersOnly()},
                null);
        javax.net.ssl.SSLSocketFactory factory = jdk.getSocketFactory();
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket(host, port)) {
            socket.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters params = socket.getSSLParameters();
            params.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(params);
            socket.startHandshake();
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            socket.getOutputStream().flush();
            byte[] frame = socket.getInputStream().readNBytes(9);
            return frame.length == 9 && frame[3] == 4; // the server's SETTINGS
        } catch (javax.net.ssl.SSLException | java.net.SocketException refused) {
            return false;
        }
    }

    @Test
    void aWorkersCertificateIsRefusedOnTheManagersOnlyRaftPortAndRoute() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        String addr = clusterAddr(manager);
        TestDaemon worker = joinedWorker(manager);
        NodeTls workerTls = savedTls(worker);
        NodeTls managerTls = savedTls(manager);
        int raftPort = io.skep.api.model.Json.MAPPER
                .readTree(manager.dataDir().resolve("swarm.json").toFile())
                .path("RaftPort")
                .asInt();
        String host = addr.substring(0, addr.lastIndexOf(':'));

        assertTrue(raftAnswers(host, raftPort, managerTls), "a manager's certificate opens the Raft port");
        assertFalse(raftAnswers(host, raftPort, workerTls), "a worker's certificate does not");
        SecureRandom random = new SecureRandom();
        RootCa foreignCa = RootCa.create(random, Instant.now());
        NodeTls foreign = new NodeTls(
                foreignCa.issue(
                        managerTls.certificate().nodeId(),
                        NodeRole.MANAGER,
                        managerTls.certificate().clusterId(),
                        Duration.ofHours(2),
                        random,
                        Instant.now()),
                managerTls.rootCa());
        assertFalse(raftAnswers(host, raftPort, foreign), "nor a manager's certificate of another CA");
        try (Socket plain = new Socket(host, raftPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            byte[] frame = plain.getInputStream().readNBytes(9);
            assertFalse(frame.length == 9 && frame[3] == 4, "a plaintext HTTP/2 client got gRPC's SETTINGS");
        } catch (IOException reset) {
            // the server dropped the connection: as good as no answer
        }

        ClusterClient.CallFailed refused = assertThrows(
                ClusterClient.CallFailed.class,
                () -> client(workerTls.clientContext(), addr)
                        .addRaftMember(workerTls.certificate().nodeId(), "127.0.0.1:1", "127.0.0.1:2"));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage().contains("is not a manager"), refused.getMessage());
    }

    @Test
    void aDemotedManagersOldCertificateOpensNeitherTheRaftPortNorAManagerOnlyRoute() throws Exception {
        TestDaemon first = node("m1");
        first.init();
        String addr = clusterAddr(first);
        TestDaemon second = node("m2");
        String token = first.get("/swarm").path("JoinTokens").path("Manager").asText();
        TestDaemon.Response joined =
                second.post("/v1.41/swarm/join", Map.of("RemoteAddrs", List.of(addr), "JoinToken", token));
        assertEquals(200, joined.status(), joined.message());
        NodeTls oldManager = savedTls(second);
        String secondId = oldManager.certificate().nodeId();
        int raftPort = io.skep.api.model.Json.MAPPER
                .readTree(first.dataDir().resolve("swarm.json").toFile())
                .path("RaftPort")
                .asInt();
        String host = addr.substring(0, addr.lastIndexOf(':'));
        io.skep.core.testing.Await.until(
                Duration.ofSeconds(60),
                "m2 in the Raft group",
                () -> first.daemon().manager().raft().members().size() == 2);
        assertTrue(raftAnswers(host, raftPort, oldManager), "a manager's certificate opens the Raft port");
        assertTrue(client(oldManager.clientContext(), addr).dataKey() != null, "and gets the store's key");

        JsonNode node = first.get("/nodes/" + secondId);
        TestDaemon.Response demoted = first.post(
                "/v1.41/nodes/" + secondId + "/update?version="
                        + node.path("Version").path("Index").asLong(),
                Map.of("Role", "worker", "Availability", "active"));
        assertEquals(200, demoted.status(), demoted.message());
        io.skep.core.testing.Await.until(
                Duration.ofSeconds(60),
                "m2 out of the Raft group",
                () -> first.daemon().manager().raft().members().size() == 1);

        assertFalse(
                raftAnswers(host, raftPort, oldManager), "the demoted manager's old certificate opens no Raft port");
        ClusterClient.CallFailed key = assertThrows(
                ClusterClient.CallFailed.class,
                () -> client(oldManager.clientContext(), addr).dataKey());
        assertEquals(403, key.status());
        assertTrue(raftAnswers(host, raftPort, savedTls(first)), "a manager's of now still does");
    }

    @Test
    void aWorkersCertificateDoesNotPassForAManagersWithAnotherNode() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        NodeTls workerTls = savedTls(joinedWorker(manager));
        NodeTls managerTls = savedTls(manager);
        SecureRandom random = new SecureRandom();
        NodeTls otherWorker = new NodeTls(
                RootCa.fromPem(
                                manager.daemon().manager().memory().cluster().rootCa.caCert,
                                manager.daemon().manager().memory().cluster().rootCa.caKey)
                        .issue(
                                "otherworker0000000000000",
                                NodeRole.WORKER,
                                workerTls.certificate().clusterId(),
                                Duration.ofHours(1),
                                random,
                                Instant.now()),
                workerTls.rootCa());

        assertTrue(handshakes(managerTls, otherWorker), "a manager's certificate serves a worker");
        assertFalse(handshakes(workerTls, otherWorker), "a worker's certificate, though of the swarm's CA, does not");
    }

    @Test
    void theCaSignsTheSwarmsKeyTypeOnly() throws Exception {
        TestDaemon manager = node("manager");
        manager.init();
        String token = manager.get("/swarm").path("JoinTokens").path("Worker").asText();
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPair keys = rsa.generateKeyPair();
        java.io.StringWriter csr = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer =
                new org.bouncycastle.openssl.jcajce.JcaPEMWriter(csr)) {
            writer.writeObject(new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                            new org.bouncycastle.asn1.x500.X500Name("CN=swarm-node"), keys.getPublic())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA")
                            .build(keys.getPrivate())));
        }
        ClusterClient anonymous = client(NodeTls.trusting(savedTls(manager).rootCa()), clusterAddr(manager));
        ClusterClient.CallFailed refused = assertThrows(
                ClusterClient.CallFailed.class,
                () -> anonymous.join(new io.skep.core.ca.CertificateAuthority.JoinRequest(
                        token,
                        "rsanode000000000000000000",
                        csr.toString(),
                        "",
                        "127.0.0.1",
                        null,
                        new Node.Description())));
        assertEquals(400, refused.status());
        assertTrue(
                refused.getMessage().contains("the swarm signs ECDSA P-256 keys only, not a RSA key"),
                refused.getMessage());
    }

    /**
     * Whether {@code client}'s node context gets an answer from a TLS server (skep's own, on Netty) that shows
     * {@code server}'s certificate.
     */
    private boolean handshakes(NodeTls server, NodeTls client) throws Exception {
        io.skep.core.api.Router router = new io.skep.core.api.Router()
                .add("GET", "/ca", r -> io.skep.core.api.ApiResponse.ok(Map.of("RootCa", "x")));
        try (io.skep.core.api.ApiServer listening = new io.skep.core.api.ApiServer(router, Map.of())) {
            java.net.InetSocketAddress bound = listening.listen(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                    server.clusterServer());
            client(client.clientContext(), "127.0.0.1:" + bound.getPort()).rootCaPem();
            return true;
        } catch (ClusterClient.CallFailed answered) {
            throw answered; // an HTTP answer is a handshake that went through: the route must answer 200
        } catch (IOException refused) {
            return false;
        }
    }
}
