package io.skep.bench.scale;

import io.skep.api.model.Ids;
import io.skep.api.model.Node;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.tls.NodeTls;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Simulated workers join a swarm the way a node does ({@code io.skep.core.node.SwarmJoin}): each reads the root CA
 * from the manager's cluster port without trusting it, checks it against the digest in the worker join token, then,
 * trusting that CA alone, sends the token and a certificate request for a P-256 key it keeps, and takes the signed
 * certificate (CN its node ID, OU {@code swarm-worker}, O the swarm's ID). The joins run {@code parallel} at a time,
 * on the core's own cluster client (the JDK's HTTP client: two of them, shared by all joins, since a joining node
 * shows no certificate yet).
 */
public final class Joining {

    /** A simulated worker of the swarm: its node ID, its certificate and key, the swarm's CA, what it says of itself. */
    public record Member(
            int index,
            String nodeId,
            NodeCertificate certificate,
            X509Certificate rootCa,
            Node.Description description) {}

    private Joining() {}

    /** {@code count} new workers, joined through {@code manager} ({@code host:port} of its cluster port). */
    public static List<Member> join(String manager, String workerToken, int count, int parallel) throws Exception {
        JoinToken token = JoinToken.parse(workerToken);
        SecureRandom random = new SecureRandom();
        List<Future<Member>> joins = new ArrayList<>(count);
        Semaphore slots = new Semaphore(parallel);
        try (ClusterClient untrusted = new ClusterClient(NodeTls.anyServer(), List.of(manager));
                ClusterClient trusted =
                        new ClusterClient(NodeTls.trusting(rootCa(untrusted, token)), List.of(manager));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                slots.acquire();
                joins.add(threads.submit(() -> {
                    try {
                        return joinOne(untrusted, trusted, token, index, random);
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<Member> members = new ArrayList<>(count);
            for (Future<Member> f : joins) {
                members.add(f.get());
            }
            return members;
        }
    }

    private static X509Certificate rootCa(ClusterClient untrusted, JoinToken token) throws Exception {
        String pem = untrusted.rootCaPem();
        if (pem == null || !RootCa.digestOf(pem).equals(token.caDigest())) {
            throw new IllegalStateException("the manager's root CA is not the one of the worker token");
        }
        return RootCa.certificateOf(pem);
    }

    private static Member joinOne(
            ClusterClient untrusted, ClusterClient trusted, JoinToken token, int index, SecureRandom random)
            throws Exception {
        X509Certificate rootCa = rootCa(untrusted, token); // each node checks the CA it is shown
        String nodeId = Ids.newId();
        Node.Description description = describe(index);
        CertificateRequest csr = CertificateRequest.create(random);
        CertificateAuthority.Issued issued = trusted.join(new CertificateAuthority.JoinRequest(
                token.toString(), nodeId, csr.pem(), "active", "127.0.0.1", null, description));
        NodeCertificate certificate =
                NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
        if (!nodeId.equals(certificate.nodeId()) || !"worker".equals(issued.role())) {
            throw new IllegalStateException(
                    "the manager signed " + certificate.nodeId() + " as " + issued.role() + " for worker " + nodeId);
        }
        return new Member(index, nodeId, certificate, rootCa, description);
    }

    /** A worker's description: its host name, and the {@code process} runtime (the tasks target it). */
    public static Node.Description describe(int index) {
        Node.Description d = new Node.Description();
        d.hostname = "sim-%04d".formatted(index);
        d.platform = new Node.Platform();
        d.platform.OS = "linux";
        d.platform.architecture = "x86_64";
        d.resources = new Node.Resources();
        d.resources.nanoCPUs = 2_000_000_000L;
        d.resources.memoryBytes = 4L << 30;
        d.engine = new Node.Engine();
        d.engine.engineVersion = "skep scale simulation";
        d.engine.plugins = List.of(new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, "process"));
        return d;
    }
}
