package io.skep.core.node;

import io.skep.api.model.Node;
import io.skep.api.model.SwarmJoinRequest;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.store.RaftStore;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's joining of a swarm ({@code swarm join}), as in Swarm: read the manager's root CA over TLS without trusting
 * it, check it against the digest in the join token, then, trusting that CA alone, send the token and a certificate
 * request (the key stays here) and take the signed certificate; then start as the worker or manager it says.
 */
final class SwarmJoin {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmJoin.class);
    /** Swarm's words when the CA shown is not the token's. */
    static final String CA_MISMATCH = "remote CA does not match fingerprint. Expected: ";

    /**
     * What joining gave: the node's certificate, the swarm's root CA (PEM), the swarm and the role; for a manager,
     * the Raft group to join.
     */
    record Joined(NodeCertificate certificate, String rootCaPem, String clusterId, String role, String raftGroup) {}

    private final Swarm swarm;

    /** Runs under {@code swarm}'s lock (its callers hold it). */
    SwarmJoin(Swarm swarm) {
        this.swarm = swarm;
    }

    /**
     * Joins a swarm through one of its managers (Docker's join request: {@code RemoteAddrs}, {@code JoinToken},
     * {@code ListenAddr}, {@code AdvertiseAddr}, {@code Availability}); the node becomes a worker or a manager, as its
     * token says.
     */
    void join(SwarmJoinRequest request) throws Exception {
        if (swarm.membership != null) {
            throw new SwarmStateException(
                    SwarmStateException.Kind.ALREADY_IN_SWARM,
                    "This node is already part of a swarm. Use \"docker swarm leave\" to "
                            + "leave this swarm and join another one.");
        }
        DaemonConfig config = swarm.config;
        List<String> managers = new ArrayList<>();
        for (String r : request.remoteAddrs == null ? List.<String>of() : request.remoteAddrs) {
            try {
                InetSocketAddress a = Addresses.parse("RemoteAddrs", r);
                managers.add(Swarm.hostPort(a));
            } catch (IllegalArgumentException e) {
                throw new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid " + e.getMessage());
            }
        }
        if (managers.isEmpty()) {
            throw new SwarmStateException(
                    SwarmStateException.Kind.INVALID_ARGUMENT,
                    "invalid RemoteAddrs: the address of at least one manager is required");
        }
        InetSocketAddress listen = swarm.listenAddress(request.listenAddr);
        if (listen.getPort() == 0) {
            // Should the node join as a manager, its cluster port's address is part of the request.
            listen = new InetSocketAddress(listen.getAddress(), Swarm.freePort());
        }
        String advertised;
        try {
            advertised = Addresses.advertised(request.advertiseAddr == null ? "" : request.advertiseAddr, listen);
        } catch (IllegalArgumentException e) {
            throw new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid " + e.getMessage());
        }
        String availability = request.availability == null ? "" : request.availability;
        Joined joined;
        try {
            joined = handshake(
                    managers.get(0),
                    request.joinToken == null ? "" : request.joinToken,
                    swarm.daemon.nodeId(),
                    availability,
                    Addresses.host(advertised),
                    advertised,
                    swarm.describe());
        } catch (IOException e) {
            throw new SwarmStateException(SwarmStateException.Kind.UNAVAILABLE, e.getMessage());
        }
        swarm.tls = new NodeTls(joined.certificate(), RootCa.certificatesOf(joined.rootCaPem()));
        NodeFiles.SwarmState state;
        if ("manager".equals(joined.role())) {
            Swarm.deleteTree(config.dataDir().resolve("raft")); // what a crashed join left
            swarm.keys = new NodeKeys.Keys(joined.certificate(), joined.rootCaPem(), swarm.dataKeyFrom(managers), null);
            NodeKeys.write(config.dataDir(), swarm.keys);
            InetSocketAddress bound = swarm.openClusterPort(listen);
            int raftPort = config.raftPort() == 0 ? Swarm.freePort() : config.raftPort();
            state = NodeFiles.SwarmState.manager(
                            joined.clusterId(),
                            UUID.fromString(joined.raftGroup()),
                            raftPort,
                            RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                            Swarm.hostPort(bound),
                            advertised)
                    .withManagers(managers);
            try {
                swarm.startManager(state, Swarm.RaftStart.JOIN, null, managers.get(0));
            } catch (Exception e) {
                swarm.closeClusterPort();
                swarm.tls = null;
                swarm.keys = null;
                throw e;
            }
        } else {
            swarm.keys = new NodeKeys.Keys(joined.certificate(), joined.rootCaPem(), null, null);
            NodeKeys.write(config.dataDir(), swarm.keys);
            state = NodeFiles.SwarmState.worker(joined.clusterId(), advertised, managers);
            swarm.startWorker(state);
        }
        NodeFiles.saveSwarm(config.dataDir(), state);
        swarm.renewal.schedule();
        LOG.info("node {} joined swarm {} as a {}", swarm.daemon.nodeId(), joined.clusterId(), joined.role());
    }

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
