package io.skep.core.node;

import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.tls.PeerIdentity;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's certificate kept current: renewed at its renewal time, and taken of the new root during a root CA
 * rotation, whose roots the node trusts as the swarm does.
 */
final class CertificateRenewal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);

    /** Its state is the swarm's parts: read and changed under {@code swarm}'s lock. */
    private final Swarm swarm;
    /** Renews this node's certificate when its renewal time comes (one thread, idle in between). */
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("skep-certificate-renewal").factory());
    /** When the current certificate is to be renewed (guarded by {@code swarm}). */
    private Instant renewalTime;

    CertificateRenewal(Swarm swarm) {
        this.swarm = swarm;
    }

    /** Arms the renewal of the node's certificate for its renewal time (at once if that has passed). */
    void schedule() {
        Instant due;
        synchronized (swarm) {
            try {
                if (swarm.keys == null) {
                    return;
                }
                renewalTime = swarm.keys.certificate().renewalTime(new SecureRandom());
                due = renewalTime;
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot read this node's certificate: {}", e.getMessage());
                return;
            }
        }
        long delay = Math.max(0, Duration.between(Instant.now(), due).toMillis());
        try {
            renewals.schedule(
                    () -> {
                        renewIfDue(Instant.now());
                        schedule();
                    },
                    delay,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the node is stopping
        }
    }

    /** The node left its swarm: nothing to renew until it has a certificate again. */
    void forget() {
        synchronized (swarm) {
            renewalTime = null;
        }
    }

    /**
     * Renews this node's certificate when {@code now} is past its renewal time: a new key pair, and a certificate for
     * it signed by the swarm's CA (this manager's own, or a manager's over the cluster port) for the swarm's current
     * {@code CAConfig.NodeCertExpiry} and the node's role as the store has it.
     *
     * @return whether it renewed
     */
    boolean renewIfDue(Instant now) {
        synchronized (swarm) {
            if (swarm.tls == null || renewalTime == null || now.isBefore(renewalTime)) {
                return false;
            }
            try {
                CertificateRequest csr = CertificateRequest.create(new SecureRandom());
                CertificateAuthority.Issued issued;
                if (swarm.manager != null) {
                    NodeCertificate current = swarm.tls.certificate();
                    issued = swarm.manager
                            .certificateAuthority()
                            .renew(new PeerIdentity(current.nodeId(), current.role(), current.clusterId()), csr.pem());
                } else {
                    issued = swarm.clusterClient.renew(csr.pem());
                }
                NodeCertificate next =
                        NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
                swarm.keys = swarm.keys.withCertificate(next, issued.rootCa());
                NodeKeys.write(swarm.config.dataDir(), swarm.keys);
                swarm.tls.renewed(next);
                renewalTime = next.renewalTime(new SecureRandom());
                LOG.info("node certificate renewed: valid until {}", next.notAfter());
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot renew this node's certificate (retrying at its next renewal check): {}", e.toString());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /**
     * A new key and a certificate for it from the leader's CA, with the role the swarm gives this node now (a role
     * change). The caller holds {@code swarm}'s lock.
     */
    CertificateAuthority.Issued renewThrough(ClusterClient client) throws IOException, InterruptedException {
        CertificateRequest csr = CertificateRequest.create(new SecureRandom());
        CertificateAuthority.Issued issued = client.renew(csr.pem());
        NodeCertificate next =
                NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
        swarm.keys = swarm.keys.withCertificate(next, issued.rootCa());
        NodeKeys.write(swarm.config.dataDir(), swarm.keys);
        swarm.tls.renewed(next);
        renewalTime = next.renewalTime(new SecureRandom());
        return issued;
    }

    /**
     * Follows a root CA rotation: trusts the roots the swarm trusts now (both while it runs, the new one alone once it
     * is done), and takes a certificate of the root that signs now when its own is of another; its tasks run on.
     */
    void followRootCa(String trustRoots, String signingRoot) {
        synchronized (swarm) {
            NodeKeys.Keys k = swarm.keys;
            if (k == null || trustRoots == null || signingRoot == null) {
                return;
            }
            try {
                if (!trustRoots.equals(k.rootCaPem())) {
                    swarm.tls.trust(RootCa.certificatesOf(trustRoots));
                    swarm.keys = k.withCertificate(k.certificate(), trustRoots);
                    NodeKeys.write(swarm.config.dataDir(), swarm.keys);
                    LOG.info(
                            "this node trusts the swarm's {} now",
                            RootCa.certificatesOf(trustRoots).size() > 1 ? "current and new root CAs" : "root CA");
                }
                if (!swarm.keys.certificate().issuedBy(RootCa.certificateOf(signingRoot))) {
                    renewalTime = Instant.EPOCH;
                    if (!renewIfDue(Instant.now())) {
                        retryRootCa(trustRoots, signingRoot); // renewIfDue said why
                        return;
                    }
                    LOG.info("this node has a certificate of the swarm's new root CA");
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot follow the swarm's root CA rotation (retrying): {}", e.toString());
                retryRootCa(trustRoots, signingRoot);
            }
        }
    }

    private void retryRootCa(String trustRoots, String signingRoot) {
        try {
            renewals.schedule(() -> followRootCa(trustRoots, signingRoot), 2, TimeUnit.SECONDS);
        } catch (RejectedExecutionException stopping) {
            // the node is stopping
        }
    }

    /** Stops the renewals: the node is stopping. */
    @Override
    public void close() {
        renewals.shutdownNow();
    }
}
