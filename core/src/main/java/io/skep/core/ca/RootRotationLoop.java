package io.skep.core.ca;

import io.skep.api.model.Cluster;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.RootCa;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.StoreEvent;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a root CA rotation (leader only): once every node that is not down has a certificate of the new root (the
 * CA records the root of each certificate it signs, and nodes say which they have when they open their session),
 * the new root becomes the swarm's — the only one nodes trust from then on — and the join tokens are made anew with
 * its digest. A node that was down keeps a certificate of the old root, which opens nothing afterwards: it joins
 * again, as in Swarm.
 */
public final class RootRotationLoop extends ReconcileLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RootRotationLoop.class);

    private final StoreWriter store;
    private final SecureRandom random = new SecureRandom();

    public RootRotationLoop(StoreWriter store) {
        super("root-rotation");
        this.store = store;
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream().anyMatch(e -> e.kind() == Kind.NODE || e.kind() == Kind.CLUSTER);
    }

    @Override
    protected void reconcile() throws Exception {
        Cluster cluster = store.memory().cluster();
        if (cluster == null || cluster.rootRotation == null) {
            return;
        }
        String newRoot = CertificateAuthority.tlsInfo(cluster.rootRotation.caCert).certIssuerPublicKey;
        long waiting = store.memory().nodes().stream()
                .filter(n -> !"down".equals(n.status.state) && !onRoot(n, newRoot))
                .count();
        if (waiting > 0) {
            return; // a node's renewal or its going down wakes the loop again
        }
        Cluster next = Json.copy(cluster);
        next.rootCa = new Cluster.CaKeys();
        next.rootCa.caCert = cluster.rootRotation.caCert;
        next.rootCa.caKey = cluster.rootRotation.caKey;
        next.rootRotation = null;
        next.rootRotationInProgress = false;
        next.tlsInfo = CertificateAuthority.tlsInfo(next.rootCa.caCert);
        RootCa root = RootCa.fromPem(next.rootCa.caCert, next.rootCa.caKey);
        next.joinTokens = Map.of(
                "Worker",
                JoinToken.generate(root, random).toString(),
                "Manager",
                JoinToken.generate(root, random).toString());
        CommitResult result = store.commit(new Batch().update(next));
        if (!result.applied()) {
            wakeIn(Duration.ofMillis(100)); // the swarm changed meanwhile: look again
            return;
        }
        LOG.info("root CA rotation done: every node has a certificate of the new root, which alone is trusted now");
    }

    private static boolean onRoot(Node n, String rootKey) {
        return n.description != null
                && n.description.tlsInfo != null
                && rootKey.equals(n.description.tlsInfo.certIssuerPublicKey);
    }
}
