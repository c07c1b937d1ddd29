package io.skep.core.ca;

import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.tls.PeerIdentity;
import java.io.IOException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swarm's certificate authority at work on a manager: it admits a joining node that shows a current join token
 * (the token says the role), records the node, and signs the node's certificate request; it renews the certificate
 * of a member. The CA's key never leaves the store; a joining node's key never leaves the node.
 */
public final class CertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateAuthority.class);
    /** Swarm's words for a token that is not (or no longer) one of the swarm's. */
    public static final String INVALID_TOKEN = "A valid join token is necessary to join this cluster";

    private static final Pattern NODE_ID = Pattern.compile("[0-9a-z]{25}");

    /**
     * What a joining node sends: its token, its ID, its certificate request, and what it says of itself; a manager
     * also its cluster port's address ({@code clusterAddr}, {@code host:port}).
     */
    public record JoinRequest(
            String token,
            String nodeId,
            String csr,
            String availability,
            String addr,
            String clusterAddr,
            Node.Description description) {}

    /**
     * A signed certificate: whom it names, as what, in which swarm, and the roots to trust ({@code rootCa}: the swarm's,
     * and during a rotation the new one after it); for a manager, the Raft group it is to join. {@code certificate}
     * is PEM, with the cross-signed new root after it during a rotation.
     */
    public record Issued(
            String nodeId, String role, String certificate, String rootCa, String clusterId, String raftGroup) {}

    /** A request the CA refuses to sign: the caller is not admitted (a 403, not a malformed request). */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private final StoreWriter store;
    private final java.util.UUID raftGroup;
    private final SecureRandom random = new SecureRandom();

    /** @param raftGroup the managers' Raft group, which a manager that joins is told */
    public CertificateAuthority(StoreWriter store, java.util.UUID raftGroup) {
        this.store = store;
        this.raftGroup = raftGroup;
    }

    /** The root CA's certificate, PEM (public: a joining node checks it against its token). */
    public String rootCaPem() {
        return cluster().rootCa.caCert;
    }

    /**
     * Admits a node: the token must be one of the swarm's current tokens, and says the role; the node ID must be new
     * to the swarm. A manager becomes a member of the Raft group once its store runs ({@code POST /raft/members}).
     */
    public Issued join(JoinRequest request) throws IOException {
        Cluster cluster = cluster();
        JoinToken token;
        try {
            token = JoinToken.parse(request.token());
        } catch (IllegalArgumentException e) {
            throw new Refused(INVALID_TOKEN);
        }
        NodeRole role = role(cluster, token);
        if (role == null) {
            throw new Refused(INVALID_TOKEN);
        }
        if (role == NodeRole.MANAGER
                && (request.clusterAddr() == null || request.clusterAddr().isBlank())) {
            throw new IllegalArgumentException(
                    "invalid ClusterAddr: a manager that joins names the address of its " + "cluster port");
        }
        String nodeId = request.nodeId() == null ? "" : request.nodeId();
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("invalid NodeId \"" + nodeId + "\": expected 25 characters of 0-9a-z");
        }
        if (store.memory().get(Kind.NODE, nodeId) != null) {
            throw new IllegalStateException("node " + nodeId + " is already a member of this swarm: remove it "
                    + "with `docker node rm " + nodeId + "` before it joins again");
        }
        String availability =
                request.availability() == null || request.availability().isEmpty() ? "active" : request.availability();
        if (!availability.equals("active") && !availability.equals("pause") && !availability.equals("drain")) {
            throw new IllegalArgumentException(
                    "invalid Availability \"" + availability + "\": expected active, pause or drain");
        }
        PublicKey key = CertificateRequest.verifiedKey(request.csr());
        String certificate = sign(cluster, key, nodeId, role);

        Node node = new Node();
        node.id = nodeId;
        node.createdAt = Ids.now();
        node.spec.role = role == NodeRole.MANAGER ? "manager" : "worker";
        node.spec.availability = availability;
        node.description = request.description() == null ? new Node.Description() : request.description();
        node.description.tlsInfo = tlsInfo(cluster.signingRoot().caCert);
        node.status.state = "unknown";
        node.status.addr = request.addr();
        if (role == NodeRole.MANAGER) {
            node.managerStatus = new Node.ManagerStatus();
            node.managerStatus.reachability = "unknown";
            node.managerStatus.addr = request.clusterAddr();
        }
        CommitResult result = store.commit(new Batch().create(node));
        if (!result.applied()) {
            throw new IllegalStateException("node " + nodeId + " is already a member of this swarm");
        }
        LOG.info("node {} joined the swarm as a {}", nodeId, node.spec.role);
        return issued(cluster, nodeId, role, certificate);
    }

    /**
     * A new certificate for a member, for the key of {@code csr}: same node, its role as the store has it now, the
     * swarm's current certificate expiry.
     */
    public Issued renew(PeerIdentity peer, String csr) throws IOException {
        Cluster cluster = cluster();
        Node node = store.memory().get(Kind.NODE, peer.nodeId());
        if (node == null || !cluster.id.equals(peer.clusterId())) {
            throw new Refused("node " + peer.nodeId() + " is not a member of this swarm");
        }
        NodeRole role = "manager".equals(node.spec.role) ? NodeRole.MANAGER : NodeRole.WORKER;
        String certificate = sign(cluster, CertificateRequest.verifiedKey(csr), node.id, role);
        // The swarm's books say which root each node's certificate is of: a root rotation ends when all are the new
        // one's.
        io.skep.core.store.NodePatch patch = new io.skep.core.store.NodePatch();
        patch.tlsInfo = tlsInfo(cluster.signingRoot().caCert);
        store.commit(new Batch().patchNode(node.id, patch));
        return issued(cluster, node.id, role, certificate);
    }

    /** A certificate for {@code key} by the root that signs now, PEM: during a rotation, the cross-signed root after it. */
    private String sign(Cluster cluster, PublicKey key, String nodeId, NodeRole role) {
        Cluster.CaKeys signing = cluster.signingRoot();
        RootCa ca = RootCa.fromPem(signing.caCert, signing.caKey);
        X509Certificate certificate =
                ca.sign(key, nodeId, role, cluster.id, cluster.nodeCertExpiry(), random, Instant.now());
        String pem = io.skep.core.pki.NodeCertificate.pemOf(certificate);
        return cluster.rootRotation == null ? pem : pem + cluster.rootRotation.crossSignedCaCert;
    }

    private Issued issued(Cluster cluster, String nodeId, NodeRole role, String certificate) {
        return new Issued(
                nodeId,
                role == NodeRole.MANAGER ? "manager" : "worker",
                certificate,
                cluster.trustRootsPem(),
                cluster.id,
                role == NodeRole.MANAGER ? raftGroup.toString() : null);
    }

    /** Docker's TLSInfo of certificates signed by the root {@code rootPem}: the root, its subject and its key. */
    public static io.skep.api.model.TlsInfo tlsInfo(String rootPem) {
        X509Certificate root = RootCa.certificateOf(rootPem);
        io.skep.api.model.TlsInfo t = new io.skep.api.model.TlsInfo();
        t.trustRoot = rootPem;
        t.certIssuerSubject = java.util.Base64.getEncoder()
                .encodeToString(root.getSubjectX500Principal().getEncoded());
        t.certIssuerPublicKey =
                java.util.Base64.getEncoder().encodeToString(root.getPublicKey().getEncoded());
        return t;
    }

    /** The role a token admits, or null when it is neither of the swarm's current tokens. */
    private static NodeRole role(Cluster cluster, JoinToken token) {
        Map<String, String> tokens = cluster.joinTokens == null ? Map.of() : cluster.joinTokens;
        if (token.sameAs(parseOrNull(tokens.get("Worker")))) {
            return NodeRole.WORKER;
        }
        if (token.sameAs(parseOrNull(tokens.get("Manager")))) {
            return NodeRole.MANAGER;
        }
        return null;
    }

    private static JoinToken parseOrNull(String token) {
        try {
            return token == null ? null : JoinToken.parse(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Cluster cluster() {
        Cluster c = store.memory().cluster();
        if (c == null || c.rootCa == null) {
            throw new IllegalStateException("the swarm is still starting");
        }
        return c;
    }
}
