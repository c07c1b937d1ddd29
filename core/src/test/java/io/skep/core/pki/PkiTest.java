package io.skep.core.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The swarm's root CA, node certificates and join tokens, as Swarm makes them. */
class PkiTest {
    private final SecureRandom random = new SecureRandom();
    private final Instant now = Instant.parse("2026-11-22T12:00:00Z");
    private final RootCa ca = RootCa.create(random, now);

    @Test
    void theRootCaIsASelfSignedP256AuthorityForTwentyYears() throws Exception {
        X509Certificate c = ca.certificate();
        assertEquals("CN=swarm-ca", c.getSubjectX500Principal().getName());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        c.verify(c.getPublicKey());
        assertTrue(c.getBasicConstraints() >= 0, "a CA certificate");
        assertTrue(onP256(c), "a P-256 key");
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertEquals(now.plus(RootCa.VALIDITY), c.getNotAfter().toInstant());
    }

    @Test
    void aNodeCertificateNamesTheNodeItsRoleAndItsSwarm() throws Exception {
        NodeCertificate node = ca.issue(
                "node1", NodeRole.WORKER, "cluster1", io.skep.api.model.Defaults.NODE_CERT_EXPIRY, random, now);
        assertEquals("node1", node.nodeId());
        assertEquals(NodeRole.WORKER, node.role().orElseThrow());
        assertEquals("cluster1", node.clusterId());
        assertEquals(now.plus(Duration.ofDays(90)), node.notAfter());
        assertEquals(
                ca.certificate().getSubjectX500Principal(), node.certificate().getIssuerX500Principal());
        assertEquals(-1, node.certificate().getBasicConstraints(), "not a CA");
        assertEquals(
                List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"),
                node.certificate().getExtendedKeyUsage(),
                "server and client authentication: both ends of mutual TLS");
        assertTrue(onP256(node.certificate()), "a P-256 key");
        assertTrue(ca.signed(node, now.plusSeconds(60)));
        assertFalse(ca.signed(node, now.plus(Duration.ofDays(91))), "expired after its expiry");
        RootCa other = RootCa.create(random, now);
        assertFalse(other.signed(node, now.plusSeconds(60)), "another swarm's CA did not sign it");

        NodeCertificate manager = ca.issue("node2", NodeRole.MANAGER, "cluster1", Duration.ofHours(1), random, now);
        assertEquals(NodeRole.MANAGER, manager.role().orElseThrow());
        assertTrue(
                manager.certificate().getSubjectAlternativeNames().stream()
                        .anyMatch(n -> n.get(1).equals("swarm-ca")),
                "a manager answers as the CA");
        assertThrows(
                IllegalArgumentException.class, () -> ca.issue("n", NodeRole.WORKER, "c", Duration.ZERO, random, now));
    }

    @Test
    void certificatesAndKeysSurviveTheirPemText() {
        RootCa again = RootCa.fromPem(ca.certificatePem(), ca.keyPem());
        assertEquals(ca.certificate(), again.certificate());
        assertEquals(ca.digest(), again.digest());
        NodeCertificate node = again.issue("n1", NodeRole.MANAGER, "c1", Duration.ofDays(1), random, now);
        assertTrue(ca.signed(node, now), "the key read back signs for the same CA");
        NodeCertificate read = NodeCertificate.fromPem(node.certificatePem(), node.keyPem());
        assertEquals(node.certificate(), read.certificate());
        assertEquals(node.key(), read.key());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RootCa.fromPem("not pem", ca.keyPem()));
        assertTrue(e.getMessage().startsWith("root CA certificate: "), e.getMessage());
    }

    @Test
    void joinTokensHaveSwarmsShapeAndTheRootCasDigest() {
        JoinToken token = JoinToken.generate(ca, random);
        assertTrue(token.toString().matches("SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}"), token.toString());
        assertEquals(ca.digest(), token.caDigest());
        assertEquals(RootCa.digestOf(ca.certificatePem()), token.caDigest());
        assertTrue(token.trusts(ca));
        assertFalse(token.trusts(RootCa.create(random, now)), "a token shown another CA does not trust it");
        JoinToken parsed = JoinToken.parse(token.toString());
        assertTrue(parsed.sameAs(token));
        JoinToken rotated = JoinToken.generate(ca, random);
        assertEquals(token.caDigest(), rotated.caDigest());
        assertNotEquals(token.secret(), rotated.secret());
        assertFalse(rotated.sameAs(token));
        for (String bad : new String[] {
            "",
            "SWMTKN-2-" + token.caDigest() + "-" + token.secret(),
            "SWMTKN-1-" + token.caDigest(),
            token + "x",
            "SWMTKN-1-" + token.caDigest().toUpperCase() + "-" + token.secret()
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JoinToken.parse(bad));
            assertEquals("invalid join token", e.getMessage());
        }
    }

    @Test
    void aJoiningNodeKeepsItsKeyAndTheCaSignsItsRequest() {
        CertificateRequest request = CertificateRequest.create(random);
        assertTrue(request.pem().startsWith("-----BEGIN CERTIFICATE REQUEST-----"), request.pem());
        assertFalse(request.pem().contains("PRIVATE"), "the request carries no private key");
        X509Certificate signed = ca.sign(
                CertificateRequest.verifiedKey(request.pem()),
                "w1",
                NodeRole.WORKER,
                "cluster1",
                Duration.ofDays(1),
                random,
                now);
        assertEquals(request.keys().getPublic(), signed.getPublicKey());
        NodeCertificate node = new NodeCertificate(signed, request.keys().getPrivate());
        assertEquals("w1", node.nodeId());
        assertTrue(ca.signed(node, now));

        // A request whose signature is not its key's: one byte of the signed body changed.
        String body = request.pem().lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        int at = body.length() / 3;
        char flipped = body.charAt(at) == 'A' ? 'B' : 'A';
        String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + body.substring(0, at) + flipped
                + body.substring(at + 1) + "\n-----END CERTIFICATE REQUEST-----\n";
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CertificateRequest.verifiedKey(tampered));
        assertTrue(e.getMessage().startsWith("certificate request: "), e.getMessage());
        IllegalArgumentException garbage =
                assertThrows(IllegalArgumentException.class, () -> CertificateRequest.verifiedKey(ca.certificatePem()));
        assertEquals("certificate request: not a PEM certificate request", garbage.getMessage());
    }

    /** Whether the certificate's key is on P-256 (secp256r1): the curve of a key made for that name. */
    private static boolean onP256(X509Certificate c) throws Exception {
        java.security.KeyPairGenerator p256 = java.security.KeyPairGenerator.getInstance("EC");
        p256.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.spec.ECParameterSpec expected =
                ((ECPublicKey) p256.generateKeyPair().getPublic()).getParams();
        java.security.spec.ECParameterSpec actual = ((ECPublicKey) c.getPublicKey()).getParams();
        return expected.getOrder().equals(actual.getOrder())
                && expected.getCurve().equals(actual.getCurve());
    }
}
