package io.skep.core.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.core.api.ApiResponse;
import io.skep.core.api.ApiServer;
import io.skep.core.api.Router;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The TLS of a root CA rotation, node to node over skep's own transports (real handshakes, the image's provider): a
 * certificate of the new root, shown with the new root cross-signed by the old, is accepted by nodes that trust the
 * old root alone, both roots, or the new one; a certificate of the old root is refused once only the new is trusted;
 * and a new root named as the old one is refused (it would read as self-issued, and no path would lead through it).
 */
class RootTransitionTlsTest {
    private final SecureRandom random = new SecureRandom();
    private final Instant now = Instant.now();
    private final RootCa old = RootCa.create(random, now);
    private final RootCa next = RootCa.createNext(random, now);
    private final X509Certificate cross = old.crossSign(next, random, now);
    private final List<X509Certificate> oldOnly = List.of(old.certificate());
    private final List<X509Certificate> both = List.of(old.certificate(), next.certificate());
    private final List<X509Certificate> newOnly = List.of(next.certificate());

    @Test
    void nodesOnEitherRootAcceptEachOtherWhileTheRotationRunsAndOldRootCertificatesAreRefusedAfter() throws Exception {
        NodeCertificate managerNew = withCross(
                next.issue("manager00000000000000000", NodeRole.MANAGER, "c", Duration.ofHours(1), random, now));
        NodeCertificate managerOld =
                old.issue("manager00000000000000000", NodeRole.MANAGER, "c", Duration.ofHours(1), random, now);
        NodeCertificate workerNew = withCross(
                next.issue("worker000000000000000000", NodeRole.WORKER, "c", Duration.ofHours(1), random, now));
        NodeCertificate workerOld =
                old.issue("worker000000000000000000", NodeRole.WORKER, "c", Duration.ofHours(1), random, now);

        assertTrue(
                answers(new NodeTls(managerNew, both), new NodeTls(workerOld, oldOnly)),
                "a worker that has not heard of the rotation reaches a renewed manager");
        assertTrue(
                answers(new NodeTls(managerOld, oldOnly), new NodeTls(workerNew, both)),
                "a renewed worker reaches a manager that has not heard of it");
        assertTrue(answers(new NodeTls(managerNew, newOnly), new NodeTls(workerNew, newOnly)), "after the rotation");
        assertFalse(
                answers(new NodeTls(managerNew, newOnly), new NodeTls(workerOld, newOnly)),
                "a certificate of the old root, after the rotation");
        assertThrows(IllegalArgumentException.class, () -> old.crossSign(RootCa.create(random, now), random, now));
    }

    private NodeCertificate withCross(NodeCertificate leaf) {
        return new NodeCertificate(leaf.certificate(), leaf.key(), List.of(cross));
    }

    /** Whether {@code client} gets an answer from a cluster-port server that shows {@code server}'s certificate. */
    private static boolean answers(NodeTls server, NodeTls client) throws Exception {
        Router router = new Router().add("GET", "/ca", r -> ApiResponse.ok(Map.of("RootCa", "x")));
        try (ApiServer listening = new ApiServer(router, Map.of());
                ClusterClient c = new ClusterClient(
                        client.clientContext(),
                        List.of("127.0.0.1:"
                                + listening
                                        .listen(
                                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                                server.server())
                                        .getPort()))) {
            c.rootCaPem();
            return true;
        } catch (ClusterClient.CallFailed answered) {
            throw answered;
        } catch (IOException refused) {
            return false;
        }
    }
}
