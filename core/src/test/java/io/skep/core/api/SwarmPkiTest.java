package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.testing.TestDaemon;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** swarm init makes the swarm's PKI; /swarm shows its trust root and tokens, never its key; tokens rotate. */
class SwarmPkiTest {
    @TempDir
    Path dir;

    private TestDaemon node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void initMakesARootCaTokensOfItAndTheManagersCertificate() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        String nodeId = node.init();
        JsonNode swarm = node.get("/v1.41/swarm");
        assertFalse(swarm.has("RootCA"), "the CA key never leaves the store: " + swarm.fieldNames());
        String trustRoot = swarm.path("TLSInfo").path("TrustRoot").asText();
        X509Certificate root = certificate(trustRoot);
        assertEquals("CN=swarm-ca", root.getSubjectX500Principal().getName());

        JoinToken worker =
                JoinToken.parse(swarm.path("JoinTokens").path("Worker").asText());
        JoinToken manager =
                JoinToken.parse(swarm.path("JoinTokens").path("Manager").asText());
        assertEquals(RootCa.digestOf(trustRoot), worker.caDigest(), "the token names the swarm's CA");
        assertEquals(worker.caDigest(), manager.caDigest());
        assertNotEquals(worker.secret(), manager.secret());

        JsonNode cluster = node.get("/v1.41/info").path("Swarm").path("Cluster");
        assertFalse(cluster.has("JoinTokens") || cluster.has("RootCA"), "docker info shows no secret");
        assertEquals(trustRoot, cluster.path("TLSInfo").path("TrustRoot").asText());

        Path certificates = node.dataDir().resolve("certificates");
        NodeCertificate own = NodeCertificate.fromPem(
                Files.readString(certificates.resolve("swarm-node.crt")),
                Files.readString(certificates.resolve("swarm-node.key")));
        assertEquals(nodeId, own.nodeId());
        assertEquals(NodeRole.MANAGER, own.role().orElseThrow());
        assertEquals(swarm.path("ID").asText(), own.clusterId());
        own.certificate().verify(root.getPublicKey());
        assertEquals(trustRoot, Files.readString(certificates.resolve("swarm-root-ca.crt")));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(certificates.resolve("swarm-node.key"))));
    }

    @Test
    void rotatingAJoinTokenReplacesThatRoleOnly() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        node.init();
        JsonNode before = node.get("/v1.41/swarm");
        long version = before.path("Version").path("Index").asLong();
        TestDaemon.Response r = node.post(
                "/v1.41/swarm/update?version=" + version + "&rotateWorkerToken=true&rotateManagerToken=false",
                before.path("Spec"));
        assertEquals(200, r.status(), r.message());
        JsonNode after = node.get("/v1.41/swarm");
        assertNotEquals(
                before.path("JoinTokens").path("Worker"),
                after.path("JoinTokens").path("Worker"));
        assertEquals(
                before.path("JoinTokens").path("Manager"),
                after.path("JoinTokens").path("Manager"));
        assertEquals(
                RootCa.digestOf(after.path("TLSInfo").path("TrustRoot").asText()),
                JoinToken.parse(after.path("JoinTokens").path("Worker").asText())
                        .caDigest());

        TestDaemon.Response stale =
                node.post("/v1.41/swarm/update?version=" + version + "&rotateWorkerToken=true", before.path("Spec"));
        assertEquals(409, stale.status(), stale.message());
        TestDaemon.Response noVersion = node.post("/v1.41/swarm/update", before.path("Spec"));
        assertEquals(400, noVersion.status());
        assertTrue(noVersion.message().contains("version"), noVersion.message());

        com.fasterxml.jackson.databind.node.ObjectNode spec =
                before.path("Spec").deepCopy();
        spec.putObject("CAConfig").put("NodeCertExpiry", 60_000_000_000L);
        TestDaemon.Response tooShort = node.post(
                "/v1.41/swarm/update?version="
                        + after.path("Version").path("Index").asLong(),
                spec);
        assertEquals(400, tooShort.status());
        assertTrue(
                tooShort.message().contains("CAConfig.NodeCertExpiry")
                        && tooShort.message().contains("minimum certificate expiry time is 1h0m0s"),
                tooShort.message());
        assertEquals(
                after.path("JoinTokens"),
                node.get("/v1.41/swarm").path("JoinTokens"),
                "a refused update changes nothing");
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theManagerRenewsItsCertificateBetweenHalfAndFourFifthsOfItsValidity() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        String nodeId = node.init();
        Path certificates = node.dataDir().resolve("certificates");
        NodeCertificate first = NodeCertificate.fromPem(
                Files.readString(certificates.resolve("swarm-node.crt")),
                Files.readString(certificates.resolve("swarm-node.key")));
        java.time.Duration validity = java.time.Duration.between(first.notBefore(), first.notAfter());
        java.time.Instant half = first.notBefore().plus(validity.dividedBy(2));
        java.time.Instant fourFifths =
                first.notBefore().plus(validity.multipliedBy(4).dividedBy(5));

        assertFalse(node.daemon().renewCertificateIfDue(half.minusSeconds(60)), "not before half its validity");
        assertTrue(node.daemon().renewCertificateIfDue(fourFifths.plusSeconds(60)), "by four fifths of it");

        NodeCertificate renewed = NodeCertificate.fromPem(
                Files.readString(certificates.resolve("swarm-node.crt")),
                Files.readString(certificates.resolve("swarm-node.key")));
        assertEquals(nodeId, renewed.nodeId());
        assertEquals(NodeRole.MANAGER, renewed.role().orElseThrow());
        assertTrue(renewed.notAfter().isAfter(first.notAfter()), "valid for longer");
        assertNotEquals(first.key(), renewed.key(), "with a new key");
        renewed.certificate()
                .verify(certificate(node.get("/v1.41/swarm")
                                .path("TLSInfo")
                                .path("TrustRoot")
                                .asText())
                        .getPublicKey());
        java.time.Instant renewedHalf = renewed.notBefore()
                .plus(java.time.Duration.between(renewed.notBefore(), renewed.notAfter())
                        .dividedBy(2));
        assertFalse(
                node.daemon().renewCertificateIfDue(renewedHalf.minusSeconds(60)),
                "the new certificate has a renewal time of its own, past half of its validity");
    }

    @Test
    void initTakesTheCertificateExpiryAndHeartbeatItIsGiven() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        TestDaemon.Response r = node.post(
                "/v1.41/swarm/init",
                "{\"Spec\":{\"CAConfig\":{\"NodeCertExpiry\":7200000000000},"
                        + "\"Dispatcher\":{\"HeartbeatPeriod\":2000000000}}}");
        assertEquals(200, r.status(), r.message());
        JsonNode spec = node.get("/v1.41/swarm").path("Spec");
        assertEquals(
                7_200_000_000_000L, spec.path("CAConfig").path("NodeCertExpiry").asLong());
        assertEquals(
                2_000_000_000L, spec.path("Dispatcher").path("HeartbeatPeriod").asLong());
        NodeCertificate own = NodeCertificate.fromPem(
                Files.readString(node.dataDir().resolve("certificates/swarm-node.crt")),
                Files.readString(node.dataDir().resolve("certificates/swarm-node.key")));
        assertEquals(
                java.time.Duration.ofHours(3),
                java.time.Duration.between(own.notBefore(), own.notAfter()),
                "2 h, and the hour it is backdated");
    }
}
