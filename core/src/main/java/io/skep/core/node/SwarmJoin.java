package io.skep.core.node;

import io.skep.api.model.Node;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;

/**
 * A node's side of joining a swarm, as in Swarm: read the manager's root CA over TLS without trusting it, check it
 * against the digest in the join token, then, trusting that CA alone, send the token and a certificate request
 * (the key stays here) and take the signed certificate.
 */
final class SwarmJoin {
    /** Swarm's words when the CA shown is not the token's. */
    static final String CA_MISMATCH = "remote CA does not match fingerprint. Expected: ";

    /**
     * What joining gave: the node's certificate, the swarm's root CA (PEM), the swarm and the role; for a manager,
     * the Raft group to join.
     */
    record Joined(NodeCertificate certificate, String rootCaPem, String clusterId, String role, String raftGroup) {}

    private SwarmJoin() {}

    /**
     * The exchange with the manager: its root CA checked against the token, then the token and a certificate request
     * for a signed certificate.
     *
     * @param clusterAddr where this node's cluster port will listen, should it join as a manager ({@code host:port})
     * @throws SwarmStateException when the join cannot succeed as asked (bad token, wrong CA, refused)
     * @throws IOException when the manager cannot be reached
     */
    static Joined handshake(
            String manager,
            String token,
            String nodeId,
            String availability,
            String advertisedHost,
            String clusterAddr,
            Node.Description description)
            throws SwarmStateException, IOException, InterruptedException {
        JoinToken parsed;
        try {
            parsed = JoinToken.parse(token);
        } catch (IllegalArgumentException e) {
            throw new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid join token");
        }
        String rootCaPem;
        try (ClusterClient untrusted = new ClusterClient(NodeTls.anyServer(), List.of(manager))) {
            rootCaPem = untrusted.rootCaPem();
        }
        if (rootCaPem == null || !RootCa.digestOf(rootCaPem).equals(parsed.caDigest())) {
            throw new SwarmStateException(SwarmStateException.Kind.PERMISSION_DENIED, CA_MISMATCH + parsed.caDigest());
        }
        CertificateRequest csr = CertificateRequest.create(new SecureRandom());
        CertificateAuthority.Issued issued;
        try (ClusterClient trusted =
                new ClusterClient(NodeTls.trusting(RootCa.certificateOf(rootCaPem)), List.of(manager))) {
            issued = trusted.join(new CertificateAuthority.JoinRequest(
                    token.strip(), nodeId, csr.pem(), availability, advertisedHost, clusterAddr, description));
        } catch (ClusterClient.CallFailed e) {
            throw refusal(e.status(), e.getMessage());
        }
        NodeCertificate certificate =
                NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
        if (!nodeId.equals(certificate.nodeId()) || !issued.clusterId().equals(certificate.clusterId())) {
            throw new SwarmStateException(
                    SwarmStateException.Kind.PERMISSION_DENIED,
                    "the manager signed a certificate for another node (" + certificate.nodeId() + ")");
        }
        return new Joined(certificate, rootCaPem, issued.clusterId(), issued.role(), issued.raftGroup());
    }

    /**
     * The manager's refusal of the join: its failure is one to try again; its 401 (the token refused) is Docker's
     * permission denied; any other refusal passes on as the manager answered it.
     */
    static SwarmStateException refusal(int managerStatus, String message) {
        if (managerStatus >= 500) {
            return new SwarmStateException(SwarmStateException.Kind.UNAVAILABLE, message);
        }
        if (managerStatus == 401) {
            return new SwarmStateException(SwarmStateException.Kind.PERMISSION_DENIED, message);
        }
        return SwarmStateException.refusedByManager(managerStatus, message);
    }
}
