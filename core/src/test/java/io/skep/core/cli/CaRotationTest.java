package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.ok;
import static io.skep.core.cli.LocalNodes.skep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code swarm ca --rotate} on a swarm of 3 managers and 2 workers (real nodes, real TLS): every node ends on a
 * certificate of the new root and trusts it alone, the tasks run on throughout, the join tokens name the new root,
 * and a certificate of the old root opens nothing afterwards. An operator's own root is taken, a bad one refused.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CaRotationTest {
    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    @Test
    void everyNodeEndsOnTheNewRootWhileItsTasksRunAndAnOldRootCertificateIsRefusedAfter() throws Exception {
        List<TestDaemon> all = new ArrayList<>(nodes.threeManagers(nodes.node("m1"), "{}"));
        TestDaemon first = all.get(0);
        nodes.manager = first;
        all.add(nodes.joinWorker("w1"));
        all.add(nodes.joinWorker("w2"));
        ok(first, "service", "create", "-d", "--name", "kept", "--replicas", "5", "host", "sleep", "100000");
        Await.until(CONVERGE, "5 tasks running", () -> running(first).size() == 5);
        Map<String, Long> tasks = running(first);
        X509Certificate oldRoot = root(first);
        String oldToken = ok(first, "swarm", "join-token", "-q", "worker").strip();
        NodeTls oldWorker = savedTls(all.get(3));

        String out = ok(all.get(1), "swarm", "ca", "--rotate");
        assertTrue(out.startsWith("desired root digest: sha256:"), out);
        assertTrue(
                out.contains("  rotated TLS certificates:  5/5 nodes\n  rotated CA certificates:   5/5 nodes\n"), out);
        X509Certificate newRoot = RootCa.certificateOf(out.substring(out.indexOf("-----BEGIN CERTIFICATE-----")));
        assertNotEquals(oldRoot, newRoot);
        Await.until(
                CONVERGE,
                "every manager to have the new root",
                () -> all.subList(0, 3).stream().allMatch(m -> {
                    try {
                        return root(m).equals(newRoot);
                    } catch (IOException e) {
                        return false;
                    }
                }));
        assertFalse(all.get(1).get("/swarm").path("RootRotationInProgress").asBoolean(), "the rotation is over");

        for (TestDaemon n : all) {
            Await.until(CONVERGE, n.dataDir() + " to trust the new root alone", () -> {
                NodeTls saved = savedTls(n);
                return saved.certificate().issuedBy(newRoot)
                        && RootCa.certificatesOf(
                                        Files.readString(n.dataDir().resolve("certificates/swarm-root-ca.crt")))
                                .equals(List.of(newRoot));
            });
        }
        assertEquals(tasks, running(first), "the same tasks ran throughout, on the same processes");
        tasks.values().forEach(pid -> assertTrue(LocalNodes.alive(pid), "task process " + pid + " alive"));

        String newToken = ok(first, "swarm", "join-token", "-q", "worker").strip();
        assertNotEquals(oldToken, newToken);
        assertTrue(newToken.startsWith("SWMTKN-1-" + RootCa.digestOf(NodeCertificate.pemOf(newRoot)) + "-"), newToken);

        // A node that holds only a certificate of the old root gets nothing, even trusting the new root.
        try (ClusterClient stale = new ClusterClient(
                new NodeTls(oldWorker.certificate(), newRoot).clientContext(),
                List.of(LocalNodes.clusterAddr(first)))) {
            IOException refused = assertThrows(
                    IOException.class,
                    () -> stale.renew(
                            CertificateRequest.create(new SecureRandom()).pem()));
            assertFalse(refused instanceof ClusterClient.CallFailed, "an HTTP answer to an old root's certificate");
        }
        // The swarm goes on.
        ok(all.get(2), "service", "scale", "-d", "kept=6");
        Await.until(CONVERGE, "6 tasks running", () -> running(first).size() == 6);
    }

    @Test
    void anOperatorsOwnRootIsTakenAndABadOneIsRefusedNamingTheField() throws Exception {
        TestDaemon m = nodes.initManager("m1");
        nodes.joinWorker("w1");
        SecureRandom random = new SecureRandom();
        RootCa own = RootCa.createNext(random, Instant.now()); // named apart from the swarm's first root, as it must be
        Path cert = m.dataDir().resolveSibling("own-ca.pem");
        Path key = m.dataDir().resolveSibling("own-ca.key");
        Files.writeString(cert, own.certificatePem());
        Files.writeString(key, RootCa.create(random, Instant.now()).keyPem());
        Skep.Result mismatched =
                skep(m, "swarm", "ca", "--rotate", "--ca-cert", cert.toString(), "--ca-key", key.toString());
        assertEquals(1, mismatched.code());
        assertTrue(
                mismatched.err().contains("invalid CAConfig.SigningCAKey: not the key of CAConfig.SigningCACert"),
                mismatched.err());
        Skep.Result noKey = skep(m, "swarm", "ca", "--rotate", "--ca-cert", cert.toString());
        assertTrue(noKey.err().contains("the --ca-cert flag requires that a --ca-key flag"), noKey.err());
        Skep.Result noRotate = skep(m, "swarm", "ca", "--ca-cert", cert.toString());
        assertTrue(noRotate.err().contains("`--ca-cert` flag requires the `--rotate` flag"), noRotate.err());
        TestDaemon.Response external = m.post(
                "/swarm/update?version="
                        + m.get("/swarm").path("Version").path("Index").asLong(),
                "{\"CAConfig\":{\"ExternalCAs\":[{\"Protocol\":\"cfssl\",\"URL\":\"https://192.0.2.1\"}]}}");
        assertEquals(400, external.status());
        assertTrue(external.message().contains("invalid CAConfig.ExternalCAs"), external.message());

        RootCa sameName = RootCa.create(random, Instant.now());
        Files.writeString(cert, sameName.certificatePem());
        Files.writeString(key, sameName.keyPem());
        Skep.Result named =
                skep(m, "swarm", "ca", "--rotate", "--ca-cert", cert.toString(), "--ca-key", key.toString());
        assertTrue(
                named.err().contains("invalid CAConfig.SigningCACert: its subject is the swarm's root CA's"),
                named.err());

        Files.writeString(cert, own.certificatePem());
        Files.writeString(key, own.keyPem());
        assertEquals(
                "", ok(m, "swarm", "ca", "--rotate", "-q", "--ca-cert", cert.toString(), "--ca-key", key.toString()));
        assertEquals(own.certificate(), root(m));
        assertEquals(own.certificatePem().strip(), ok(m, "swarm", "ca").strip());
        assertTrue(!m.get("/swarm").toString().contains("PRIVATE KEY"), "no key in the API's answer");
    }

    private static X509Certificate root(TestDaemon m) throws IOException {
        return RootCa.certificateOf(
                m.get("/swarm").path("TLSInfo").path("TrustRoot").asText());
    }

    /** Running tasks by ID, with their process IDs. */
    private static Map<String, Long> running(TestDaemon m) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode t : m.get("/tasks")) {
            if ("running".equals(t.path("Status").path("State").asText())) {
                out.put(
                        t.path("ID").asText(),
                        t.path("Status").path("ContainerStatus").path("PID").asLong());
            }
        }
        return out;
    }

    private static NodeTls savedTls(TestDaemon node) throws IOException {
        Path certs = node.dataDir().resolve("certificates");
        return new NodeTls(
                NodeCertificate.fromPem(
                        Files.readString(certs.resolve("swarm-node.crt")),
                        Files.readString(certs.resolve("swarm-node.key"))),
                RootCa.certificatesOf(Files.readString(certs.resolve("swarm-root-ca.crt"))));
    }
}
